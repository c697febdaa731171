"""torchvision's models for the zoo test, built once per process on the meta device where
their constructors allow: no weights are drawn or stored (tracing, fake-tensor shapes and FlopCounterMode need none), and
the three commands of a model share one instance. The factory for ``--module``:
``zoo_models:model('resnet18')``."""

from __future__ import annotations

import functools

import torch
import torchvision.models as tvm


@functools.cache
def model(name: str) -> torch.nn.Module:
    kwargs = {"init_weights": False} if name in ("inception_v3", "googlenet") else {}
    try:
        with torch.device("meta"):
            return getattr(tvm, name)(**kwargs).eval()
    except RuntimeError:  # a constructor that reads values back (RegNet's): real weights
        return getattr(tvm, name)(**kwargs).eval()


def device(name: str) -> torch.device:
    return next(model(name).parameters()).device
