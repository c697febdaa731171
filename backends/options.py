"""What a user may ask of the backends, cheap to import (no torch, onnx or TensorRT): the
backend names and precision choices a command line offers, the bounds of every number, and
the checks that enforce them and that input files are there.

The Python API's option objects (``BenchOptions``, ``BuildOptions``, ``export_onnx``'s
arguments) check themselves with these, so a command line built on them gets the same
refusals in the same words without checking anything twice. Every bound is finite: no
request can ask for an unbounded run, an unbounded allocation or a file that never ends.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from resgraph.errors import UsageError, unknown

#: backend name → "module:Class"; a backend joins by adding one line
BACKENDS: dict[str, str] = {
    "onnxruntime": "resgraph.backends.ort_backend:OnnxRuntimeBackend",
    "torch": "resgraph.backends.torch_backend:TorchBackend",
    "torch-compile": "resgraph.backends.torch_backend:TorchCompileBackend",
    "tensorrt": "resgraph.backends.trt.backend:TensorRTBackend",
}
#: what ``resgraph bench SPEC`` runs when no backend is named
DEFAULT_BACKENDS = ("onnxruntime", "torch", "torch-compile")
#: the precisions a spec is benchmarked or exported in (weights and activations)
PRECISIONS = ("fp32", "fp16", "bf16")
#: the precisions of a TensorRT build: fp32 is strict (TF32 off), tf32 TensorRT's default,
#: int8 explicit quantization (Q/DQ)
BUILD_PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "int8")
DEFAULT_BUILD_PRECISION = "tf32"
DEVICES = ("cpu", "cuda")

#: the largest batch size anything takes (the command line's bound too)
MAX_BATCH = 1 << 16
#: the most batch sizes one benchmark times
MAX_BATCH_SIZES = 16
#: seconds: the longest warm-up and timed loop of one benchmark case
MAX_WARMUP_S = 600.0
MAX_DURATION_S = 3600.0
#: the most timed runs of one benchmark case
MAX_ITERATIONS = 1_000_000
#: CPU threads given to torch and ONNX Runtime
MAX_THREADS = 1024
#: seeds are what torch.Generator.manual_seed takes
MAX_SEED = 2**63 - 1
#: the lowest opset PyTorch's exporter writes (the highest is the installed onnx's newest)
MIN_OPSET = 18
#: TensorRT's builder optimisation levels
DEFAULT_OPT_LEVEL, MAX_OPT_LEVEL = 3, 5
#: TensorRT's workspace pool: 1 B to 1 TiB, past any GPU's memory
MAX_WORKSPACE = 1 << 40
#: int8 calibration: batches of :data:`CALIBRATION_BATCH_SIZE` random samples
MAX_CALIBRATION_BATCHES = 10_000
CALIBRATION_BATCH_SIZE = 8
#: ``resgraph profile``: profiled inferences and the untimed ones before
MAX_PROFILE_RUNS = 100_000
MAX_PROFILE_WARMUP = 100_000


def whole(value: object, lo: int, hi: int, what: str,
          error: type[UsageError] = UsageError) -> int:
    """``value`` if it is an integer from ``lo`` to ``hi`` (a bool is not one), else
    ``error`` in one line naming ``what`` and the range."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise error(f"{what} must be a whole number from {lo:,} to {hi:,}, got {shown(value)}")
    return value


def shown(value: object) -> str:
    """``value`` as an error message quotes it: short, whatever was given (Python will not
    even print an integer of more than 4300 digits)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a {value.bit_length()}-bit number"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def seconds(value: object, hi: float, what: str, error: type[UsageError] = UsageError, *,
            positive: bool = False) -> float:
    """``value`` if it is a finite number of seconds from 0 (above 0 when ``positive``) to
    ``hi``; NaN and infinity are refused, never taken for "forever"."""
    number = math.nan
    if isinstance(value, float):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = float(value) if abs(value) <= hi else math.inf  # too many seconds either way
    above = number > 0 if positive else number >= 0
    if not (above and number <= hi):  # NaN is neither
        low = "above 0" if positive else "from 0"
        raise error(f"{what} must be {low} to {hi:g} seconds, got {shown(value)}")
    return number


def choice(value: str, known: Iterable[str], what: str,
           error: type[UsageError] = UsageError) -> str:
    """``value`` if it is one of ``known``; else ``unknown {what} 'x'; did you mean ...``."""
    known = tuple(known)
    if value not in known:
        raise error(unknown(what, str(value), known))
    return value


def batch_size(value: object, what: str = "batch size",
               error: type[UsageError] = UsageError) -> int:
    return whole(value, 1, MAX_BATCH, what, error)


def existing_file(path: str | Path, what: str = "file") -> Path:
    """``path`` if it names a readable file: "no such file" or "is a directory" otherwise,
    before any work and before any optional dependency is looked for."""
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{what} '{p}' is a directory, not a file")
    if not p.is_file():
        raise UsageError(f"no such file: {p}")
    try:
        with p.open("rb"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot read {what} '{p}': {exc.strerror or exc}") from None
    return p


class BenchError(UsageError, ValueError):
    """A bad benchmark request (a batch size, a duration, a precision); one line says which."""


@dataclass(frozen=True)
class BenchOptions:
    """How to time: the same for every backend and batch of one run; checked when made."""

    batches: tuple[int, ...] = (1,)
    #: seconds of untimed runs first (trtexec's default)
    warmup: float = 0.2
    #: seconds of timed runs (trtexec's default), unless ``iterations`` is given
    duration: float | None = None
    #: exactly this many timed runs
    iterations: int | None = None
    precision: str = "fp32"
    device: str = "cpu"
    #: seeds the reference weights and every random input
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "batches", check_batches(self.batches))
        seconds(self.warmup, MAX_WARMUP_S, "the warm-up", BenchError)
        if self.duration is not None and self.iterations is not None:
            raise BenchError("give a duration or a number of iterations, not both")
        if self.duration is not None:
            seconds(self.duration, MAX_DURATION_S, "the duration", BenchError, positive=True)
        if self.iterations is not None:
            whole(self.iterations, 1, MAX_ITERATIONS, "iterations", BenchError)
        choice(self.precision, PRECISIONS, "precision", BenchError)
        choice(self.device, DEVICES, "device", BenchError)
        whole(self.seed, 0, MAX_SEED, "the seed", BenchError)

    @property
    def seconds(self) -> float:
        """The timed loop's length in duration mode (3 s, trtexec's, when neither is given)."""
        return 3.0 if self.duration is None else self.duration


def check_batches(batches: Iterable[int]) -> tuple[int, ...]:
    """Batch sizes to time: 1 to :data:`MAX_BATCH_SIZES` of them, each from 1 to
    :data:`MAX_BATCH`, none twice."""
    sizes = tuple(batches)
    if not 1 <= len(sizes) <= MAX_BATCH_SIZES:
        raise BenchError(f"give 1 to {MAX_BATCH_SIZES} batch sizes, got {len(sizes)}")
    for size in sizes:
        batch_size(size, error=BenchError)
    if len(set(sizes)) != len(sizes):
        raise BenchError(f"a batch size is given twice: {', '.join(map(str, sizes))}")
    return sizes


def check_threads(threads: int | None) -> int | None:
    """CPU threads for torch and ONNX Runtime: None (theirs) or 1 to :data:`MAX_THREADS`."""
    return None if threads is None else whole(threads, 1, MAX_THREADS, "threads", BenchError)
