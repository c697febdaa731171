"""Backends that misbehave on purpose, for the harness and ``resgraph bench`` tests, and the
tiny spec they run on. ``registered`` puts them in the backend registry under their names."""

from pathlib import Path

import pytest
import torch

from resgraph.backends.base import Backend, MissingExtra, Unsupported, Workload

TINY = str(Path(__file__).parents[1] / "specs_fixtures" / "tiny_bench.rg")


def workload(batch: int = 2) -> Workload:
    """The tiny spec at ``batch``, with its reference module."""
    from resgraph.api import load
    from resgraph.lower_fx import lower_fx

    graph = load(TINY)
    return Workload(graph, lower_fx(graph).eval(), batch)


class RecordingBackend(Backend):
    """Runs the reference module itself and keeps every input it was given."""

    name = "recording"

    def __init__(self) -> None:
        self.inputs: list[torch.Tensor] = []
        self.work: Workload | None = None
        self.closed = False

    def prepare(self, work: Workload) -> None:
        self.work = work

    def run(self, x: torch.Tensor) -> torch.Tensor:
        assert self.work is not None
        self.inputs.append(x.clone())
        return self.work.module(x)

    def describe(self):
        return {"backend": self.name}

    def close(self) -> None:
        self.closed = True


class WrongBackend(RecordingBackend):
    """Fast and wrong: the right output plus one."""

    name = "wrong"

    def run(self, x: torch.Tensor) -> torch.Tensor:
        return super().run(x) + 1


class EventBackend(RecordingBackend):
    """Reports its own per-run figures, as a GPU backend does with CUDA events: run i took
    i ms of 'compute', counting the check and warm-up runs."""

    name = "events"

    def timings(self) -> dict[str, list[float]]:
        return {"compute_ms": [float(i) for i in range(len(self.inputs))]}


class UnsupportedBackend(RecordingBackend):
    name = "unsupported"

    def prepare(self, work: Workload) -> None:
        raise Unsupported("needs a GPU")


class MissingBackend(RecordingBackend):
    name = "missing"

    def __init__(self) -> None:
        raise MissingExtra("fakelib", "fake")


FAKES = (RecordingBackend, WrongBackend, EventBackend, UnsupportedBackend, MissingBackend)


@pytest.fixture
def registered(monkeypatch):
    """The fakes in the registry, by name, as a real backend joins it."""
    from resgraph.backends import registry

    for cls in FAKES:
        monkeypatch.setitem(registry.BACKENDS, cls.name, f"{__name__}:{cls.__name__}")
