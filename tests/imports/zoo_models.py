"""torchvision's models for the zoo test, built once per process on the meta device where
their constructors allow: no weights are drawn or stored (tracing, fake-tensor shapes and FlopCounterMode need none), and
the three commands of a model share one instance. The factory for ``--module``:
``zoo_models:model('resnet18')``; a name torchvision lacks is a network of
``tests/analysis/analyze_factories.py`` (``model('tiny_fpn')``)."""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path

import torch
import torchvision.models as tvm

#: constructor arguments: no weights initialised where that is slow, a small ViT
KWARGS = {"inception_v3": {"init_weights": False}, "googlenet": {"init_weights": False},
          "vit_b_16": {"image_size": 32}}

#: where analyze_factories lies
FACTORIES = str(Path(__file__).resolve().parents[1] / "analysis")


@functools.cache
def model(name: str) -> torch.nn.Module:
    if not hasattr(tvm, name):  # a network of tests/analysis/analyze_factories.py
        if FACTORIES not in sys.path:
            sys.path.append(FACTORIES)
        factories = importlib.import_module("analyze_factories")
        with torch.device("meta"):
            return getattr(factories, name)().eval()
    kwargs = KWARGS.get(name, {})
    try:
        with torch.device("meta"):
            return getattr(tvm, name)(**kwargs).eval()
    except RuntimeError:  # a constructor that reads values back (RegNet's): real weights
        return getattr(tvm, name)(**kwargs).eval()


def device(name: str) -> torch.device:
    return next(model(name).parameters()).device
