"""Explicit INT8 quantization: Q/DQ nodes in the ONNX, the way TensorRT 11 takes INT8.

TensorRT 11 has no INT8 builder flag and no calibrator: a network runs in INT8 where its ONNX
says so, with QuantizeLinear/DequantizeLinear pairs. resgraph inserts them with ONNX
Runtime's static quantizer in the form TensorRT wants (signed INT8, symmetric scales so every
zero point is 0, per-output-channel weight scales, biases left in float), from activation
ranges calibrated on the user's data (a ``.npy`` array of samples) or on random data from a
fixed seed, and measures how far the quantized model's outputs drift from fp32 with ONNX
Runtime on the CPU, on data held out from calibration.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from resgraph.backends.options import existing_file
from resgraph.backends.trt.plan import PlanError
from resgraph.errors import UsageError


class QuantizeError(UsageError):
    """ONNX Runtime could not quantize or run the model; the message says which step."""


@contextmanager
def _step(what: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - ONNX Runtime's errors share no base class
        raise QuantizeError(f"int8 {what} failed in ONNX Runtime: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


@dataclass(frozen=True)
class Calibration:
    """Where calibration samples come from: ``random`` (seeded) or a ``.npy`` file."""

    data: str = "random"
    batches: int = 8
    batch_size: int = 8
    seed: int = 0

    def describe(self) -> str:
        if self.data == "random":
            return f"{self.batches} random batches of {self.batch_size} (seed {self.seed})"
        return f"samples of {self.data}"


def samples(cal: Calibration, sample_shape: tuple[int, ...]) -> tuple[list[np.ndarray],
                                                                        list[np.ndarray]]:
    """Calibration batches and held-out batches to measure the drift on: ``cal.batches`` and
    a quarter more, drawn at random or read from the start of the file (never more, so a
    large file is not read whole)."""
    wanted = cal.batches + max(1, cal.batches // 4)
    if cal.data == "random":
        rng = np.random.default_rng(cal.seed)
        draw = [rng.standard_normal((cal.batch_size, *sample_shape), dtype=np.float32)
                for _ in range(wanted)]
        return draw[:cal.batches], draw[cal.batches:]
    array = _load(cal.data, sample_shape, wanted * cal.batch_size)
    batches = [array[i:i + cal.batch_size] for i in range(0, len(array), cal.batch_size)]
    held = max(1, len(batches) // 4) if len(batches) > 1 else 0
    return batches[:len(batches) - held], batches[len(batches) - held:] or batches


def _load(path: str, sample_shape: tuple[int, ...], limit: int) -> np.ndarray:
    """The first ``limit`` samples of a .npy file (mapped, not read whole)."""
    existing_file(path, "--calibration file")
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise PlanError(f"--calibration {path}: not a .npy array ({exc})") from None
    if tuple(array.shape[1:]) != tuple(sample_shape) or len(array) == 0:
        want, got = "x".join(map(str, sample_shape)), "x".join(map(str, array.shape))
        raise PlanError(f"--calibration {path}: need an array of samples shaped Nx{want}, "
                        f"got {got}")
    return np.ascontiguousarray(array[:limit], dtype=np.float32)


@contextmanager
def _quiet() -> Iterator[None]:
    """ONNX Runtime's quantizer logs advice on the root logger; keep the CLI's output clean."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def quantize_int8(fp32: Path, out: Path, input_name: str, batches: list[np.ndarray]) -> None:
    """Write ``out``: ``fp32`` with Q/DQ pairs calibrated (min/max, symmetric) on ``batches``."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.batches = iter(batches)

        def get_next(self) -> dict[str, np.ndarray] | None:
            batch = next(self.batches, None)
            return None if batch is None else {input_name: batch}

    with _quiet(), _step("quantization"):
        quantize_static(str(fp32), str(out), Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QInt8,
                        weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                        extra_options={"ActivationSymmetric": True, "WeightSymmetric": True,
                                       "QuantizeBias": False})


@dataclass(frozen=True)
class Drift:
    """The quantized model against fp32 on held-out samples (ONNX Runtime, CPU)."""

    samples: int
    #: share of samples whose top-1 class is the same
    top1_agreement: float
    #: ‖q − f‖ / ‖f‖ over all outputs
    relative_error: float
    max_abs_error: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return (f"int8 vs fp32 on {self.samples} held-out samples: top-1 agreement "
                f"{100 * self.top1_agreement:.1f}%, relative error {self.relative_error:.3g}, "
                f"max abs error {self.max_abs_error:.3g}")


def drift(fp32: Path, quantized: Path, input_name: str, batches: list[np.ndarray]) -> Drift:
    import onnxruntime as ort

    # the Q/DQ graph evaluated as written (quantise, dequantise, fp32 op), with ONNX Runtime's
    # rewrites off: its fused int8 CPU kernels are a different implementation, and not always
    # a right one (zeros from symmetric int8 activations have been seen), whereas this is what
    # the ONNX means and what TensorRT's INT8 kernels implement up to rounding
    plain = ort.SessionOptions()
    plain.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    with _step("accuracy check"):
        ref = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
        qnt = ort.InferenceSession(str(quantized), plain, providers=["CPUExecutionProvider"])
        f = np.concatenate([ref.run(None, {input_name: b})[0] for b in batches])
        q = np.concatenate([qnt.run(None, {input_name: b})[0] for b in batches])
    f2, q2 = f.reshape(len(f), -1), q.reshape(len(q), -1)
    return Drift(samples=len(f), top1_agreement=float((f2.argmax(1) == q2.argmax(1)).mean()),
                 relative_error=float(np.linalg.norm(q - f)) / max(float(np.linalg.norm(f)), 1e-30),
                 max_abs_error=float(np.abs(q - f).max()))


QDQ = ("QuantizeLinear", "DequantizeLinear")


def qdq_scopes(quantized: Path, table: dict[str, str]) -> dict[str, str]:
    """Scopes for the Q/DQ nodes the quantizer added (named after tensors, such as
    ``relu_QuantizeLinear``): the scope of the op that makes the quantized tensor, else of
    the op that uses it (for the network's input and the weights), through chains of Q/DQ."""
    import onnx

    nodes = onnx.load(str(quantized), load_external_data=False).graph.node
    made_by = {out: n for n in nodes for out in n.output}
    used_by: dict[str, list[Any]] = {}
    for n in nodes:
        for name in n.input:
            used_by.setdefault(name, []).append(n)

    def upstream(n: Any) -> Any:
        while n is not None and n.op_type in QDQ:
            n = made_by.get(n.input[0])
        return n

    def downstream(n: Any) -> Any:
        while n is not None and n.op_type in QDQ:
            n = next(iter(used_by.get(n.output[0], [])), None)
        return n

    found = {}
    for n in nodes:
        if n.op_type in QDQ:
            near = [m for m in (upstream(n), downstream(n)) if m is not None and m.name in table]
            if near:
                found[n.name] = table[near[0].name]
    return found
