"""The one small interface every execution backend implements, so the benchmark harness
treats ONNX Runtime, PyTorch and TensorRT alike."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import fx

from resgraph.errors import MissingDependency
from resgraph.ir import Graph


class Unsupported(Exception):
    """The backend cannot run this workload here (a precision, a device); the harness reports
    the reason in place of figures."""


class MissingExtra(MissingDependency):
    """An optional dependency is missing; the message names the extra (exit code 3)."""

    def __init__(self, what: str, extra: str, more: str = ""):
        super().__init__(f"{what} is not installed: pip install 'resgraph[{extra}]'"
                         + (f" ({more})" if more else ""))


def require(module: str, extra: str) -> Any:
    """Import an optional dependency, or raise :class:`MissingExtra` naming its extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(module, extra) from exc


@dataclass
class Workload:
    """What every backend is asked to run: one network at one batch size, precision, device."""

    graph: Graph
    #: the reference module: eval mode, fp32, on the CPU, with the weights every backend uses
    module: fx.GraphModule
    batch: int
    #: "fp32", "fp16" or "bf16"
    precision: str = "fp32"
    #: "cpu" or "cuda"
    device: str = "cpu"

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.batch, *self.graph.input_shape)


def outputs(value: Any) -> list[torch.Tensor]:
    """A backend's or a module's result as the list of its outputs, in order: the one
    tensor, a tuple's or list's items, a dict's values (segmentation's out and aux)."""
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, (tuple, list)) else [value]


class Backend(ABC):
    """prepare once, run many times, describe itself for the report."""

    name: ClassVar[str]

    @abstractmethod
    def prepare(self, work: Workload) -> None:
        """Build whatever the backend needs (a session, a compiled module, an engine)."""

    @abstractmethod
    def run(self, x: torch.Tensor) -> Any:
        """One forward pass of a batch; returns the output (on the backend's device): a
        tensor, or the outputs of a network of several in its order (a tuple, a dict or a
        list, :func:`outputs`)."""

    def synchronize(self) -> None:
        """Wait until the work ``run`` queued is done (GPU backends override this)."""

    def arithmetic(self, work: Workload) -> str:
        """The precision this backend computes ``work`` in, which sets the tolerance of its
        output check: the workload's, unless the backend runs something built otherwise (an
        engine file built in tf32)."""
        return work.precision

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Versions, providers, device, settings: what the report records beside the figures."""

    def timings(self) -> dict[str, list[float]]:
        """Extra per-run figures (ms) the backend measured itself, keyed by what they time
        (``compute_ms``, ``h2d_ms``, ``d2h_ms``...), one entry per ``run`` in order; the
        harness keeps the entries of the timed runs and summarizes each."""
        return {}

    def close(self) -> None:
        """Release what ``prepare`` took."""
