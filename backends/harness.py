"""The benchmark loop behind ``resgraph bench``: the same steps for every backend.

For each backend and batch size: ``prepare`` on a :class:`~resgraph.backends.base.Workload`;
check the output on fresh random input against the workload's reference module (fp32, CPU)
*before* timing, within the tolerance :mod:`resgraph.backends.tolerance` derives for the
network and the backend's arithmetic, so that a fast wrong answer is reported as wrong, not
fast; warm up for
``warmup`` seconds (not counted); then time runs for ``duration`` seconds (and at least
:data:`MIN_RUNS` runs, as trtexec) or exactly ``iterations`` runs. Every timed run reads the
next batch of a pool of random batches made beforehand on the backend's device, so neither
making inputs nor a cache kept warm by one repeated input enters the figures; ``synchronize``
closes each run, so the host clock sees the whole run. Figures a backend measured itself
(CUDA events: GPU compute, host-to-device, device-to-host) are summarised beside the host's.

No backend is special here: a backend that cannot run (:class:`Unsupported`, or a missing
extra) gets a row that says why, and the other rows go on. The entries that build the cases
(``bench``, ``bench_engine``) are :mod:`resgraph.backends.api`'s.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

from resgraph.backends.base import Backend, MissingExtra, Unsupported, Workload, outputs
from resgraph.backends.options import BenchOptions
from resgraph.backends.stats import LatencyStats, summarize
from resgraph.backends.tolerance import tolerance

#: fewest timed runs in duration mode (trtexec's default --iterations)
MIN_RUNS = 10
#: random batches made before timing and cycled through
POOL = 8
#: seconds between two progress reports inside a loop (each costs a callback)
PROGRESS_EVERY_S = 0.1


@dataclass(frozen=True)
class Parity:
    """The output checked against the reference module before timing."""

    ok: bool
    #: ‖output − reference‖ / ‖reference‖ over the whole output (inf when the shapes differ)
    max_rel_error: float
    #: the largest error accepted (:func:`resgraph.backends.tolerance.tolerance`)
    tolerance: float


@dataclass
class Row:
    """One backend at one batch size: its figures, or why it has none."""

    backend: str
    batch: int
    #: "ok", "wrong" (figures measured but the output is wrong), "unsupported" or "missing"
    status: str
    parity: Parity | None = None
    latency: LatencyStats | None = None
    #: the backend's own per-run figures (CUDA events), summarised like ``latency``
    device: dict[str, LatencyStats] = field(default_factory=dict)
    #: throughput divided by the baseline's at this batch (the first backend with figures)
    ratio: float | None = None
    prepare_s: float | None = None
    described: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        stats = self.latency.to_dict() if self.latency else None
        return {"backend": self.backend, "batch": self.batch, "status": self.status,
                "parity": asdict(self.parity) if self.parity else None,
                "throughput": stats.pop("throughput") if stats else None,
                "latency_ms": stats, "device_ms": {k: v.to_dict() for k, v in self.device.items()},
                "ratio": self.ratio, "prepare_s": self.prepare_s,
                "backend_info": self.described, "reason": self.reason}


@dataclass
class Report:
    """Everything one ``resgraph bench`` measured, and on what."""

    network: str
    source: str
    params: dict[str, Any]
    options: BenchOptions
    environment: dict[str, Any]
    results: list[Row]

    @property
    def wrong(self) -> list[Row]:
        return [r for r in self.results if r.status == "wrong"]

    @property
    def measured(self) -> list[Row]:
        return [r for r in self.results if r.latency is not None]

    def baseline(self, batch: int) -> str | None:
        """The backend every ratio at ``batch`` is relative to."""
        return next((r.backend for r in self.measured if r.batch == batch), None)

    def to_dict(self) -> dict[str, Any]:
        return {"network": self.network, "source": self.source, "params": self.params,
                "options": asdict(self.options), "environment": self.environment,
                "baseline": {b: self.baseline(b) for b in self.options.batches},
                "results": [r.to_dict() for r in self.results]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)


@dataclass(frozen=True)
class Event:
    """A progress report: which backend and batch, which phase, how far through the run."""

    backend: str
    batch: int
    #: "prepare", "check", "warmup", "timed" or "done"
    phase: str
    #: fraction of this backend and batch done, 0 to 1
    fraction: float
    #: index of this backend and batch among all, and how many there are
    index: int
    total: int


Progress = Callable[[Event], None]


@dataclass(frozen=True)
class Case:
    """One backend at one batch size; ``make`` builds the backend when its turn comes (so a
    missing extra is raised then, into its row) with the workload to prepare it on."""

    backend: str
    batch: int
    make: Callable[[], tuple[Workload, Backend]]


# the loop ------------------------------------------------------------------------------------


def measure(cases: Sequence[Case], options: BenchOptions, network: str, source: str,
            params: dict[str, Any], progress: Progress | None = None) -> Report:
    """Run every case in turn and put the ratios in: the engine room of
    :func:`resgraph.backends.api.bench` and :func:`~resgraph.backends.api.bench_engine`."""
    tell = progress or (lambda event: None)
    rows = [_row(case, options, Reporter(tell, case, i, len(cases)))
            for i, case in enumerate(cases)]
    report = Report(network, source, params, options, environment(options.device), rows)
    _ratios(report)
    return report


class Reporter:
    """Progress of one case, throttled so that reporting stays out of the figures."""

    def __init__(self, tell: Progress, case: Case, index: int, total: int):
        self.tell, self.case, self.index, self.total = tell, case, index, total
        self.last = 0.0

    def __call__(self, phase: str, fraction: float, force: bool = True) -> None:
        now = time.perf_counter()
        if force or now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            self.tell(Event(self.case.backend, self.case.batch, phase, min(fraction, 1.0),
                            self.index, self.total))


def _row(case: Case, options: BenchOptions, report: Reporter) -> Row:
    """One case: prepare, check, warm up, time; a backend that cannot run gets a reason."""
    backend: Backend | None = None
    try:
        report("prepare", 0.0)
        work, backend = case.make()
        start = time.perf_counter()
        backend.prepare(work)
        prepared = round(time.perf_counter() - start, 3)
        row = _timed_row(case.backend, work, backend, options, report)
        row.prepare_s = prepared
        return row
    except MissingExtra as exc:
        return Row(case.backend, case.batch, "missing", reason=str(exc))
    except Unsupported as exc:
        return Row(case.backend, case.batch, "unsupported", reason=str(exc))
    finally:
        if backend is not None:
            backend.close()
        report("done", 1.0)


def _timed_row(name: str, work: Workload, backend: Backend, options: BenchOptions,
               report: Reporter) -> Row:
    inputs = Inputs(work, options.seed)
    report("check", 0.0)
    parity = check(backend, work, inputs.check)
    _loop(backend, inputs, warmup_stop(options.warmup), report, "warmup")
    latencies, wall_s = _loop(backend, inputs, timed_stop(options), report, "timed")
    return Row(name, work.batch, "ok" if parity.ok else "wrong", parity,
               summarize(latencies, work.batch, wall_s),
               _device_figures(backend, len(latencies), work.batch),
               described=backend.describe())


class Inputs:
    """The check batch and the pool of timed batches: random, seeded, made up front on the
    workload's device (the backends convert to their precision inside ``run``)."""

    def __init__(self, work: Workload, seed: int):
        generator = torch.Generator().manual_seed(seed)
        self.check = torch.randn(work.input_shape, generator=generator)
        self.pool = [torch.randn(work.input_shape, generator=generator).to(work.device)
                     for _ in range(POOL)]

    def cycle(self) -> Iterator[torch.Tensor]:
        while True:
            yield from self.pool


def check(backend: Backend, work: Workload, x: torch.Tensor) -> Parity:
    """Run ``x`` on the backend and on the reference module; compare within the tolerance
    derived for the network and the arithmetic the backend computes in."""
    limit = tolerance(work.graph, backend.arithmetic(work))
    with torch.inference_mode():
        expected = outputs(work.module(x))
        got = [t.detach().float().cpu() for t in outputs(backend.run(x.to(work.device)))]
        backend.synchronize()
    if [t.shape for t in got] != [t.shape for t in expected]:
        return Parity(False, math.inf, limit)
    error = max(_relative(a, b) for a, b in zip(got, expected))  # the worst output's
    return Parity(error <= limit, error, limit)  # NaN is never <= anything


def _relative(got: torch.Tensor, expected: torch.Tensor) -> float:
    scale = torch.linalg.vector_norm(expected).clamp_min(torch.finfo(torch.float32).tiny)
    return float(torch.linalg.vector_norm(got - expected) / scale)


#: given the runs done and the seconds spent, the fraction done (1 or more: stop)
Stop = Callable[[int, float], float]


def warmup_stop(seconds: float) -> Stop:
    return lambda runs, elapsed: elapsed / seconds if seconds > 0 else 1.0


def timed_stop(options: BenchOptions) -> Stop:
    """Exactly ``iterations`` runs, or ``duration`` seconds and at least :data:`MIN_RUNS`."""
    if options.iterations is not None:
        count = options.iterations
        return lambda runs, elapsed: runs / count
    seconds = options.seconds
    return lambda runs, elapsed: min(elapsed / seconds, runs / MIN_RUNS)


def _loop(backend: Backend, inputs: Inputs, stop: Stop, report: Reporter,
          phase: str) -> tuple[list[float], float]:
    """Run until ``stop`` says done; each run's latency (ms, run to synchronised) and the
    loop's wall time (s), from the first run's start to the last one's end."""
    latencies: list[float] = []
    batches = inputs.cycle()
    start = end = time.perf_counter()
    done = stop(0, 0.0)
    with torch.inference_mode():
        while done < 1:
            x = next(batches)
            begin = time.perf_counter()
            backend.run(x)
            backend.synchronize()
            end = time.perf_counter()
            latencies.append((end - begin) * 1000)
            done = stop(len(latencies), end - start)
            report(phase, done, force=False)
    return latencies, end - start


def _device_figures(backend: Backend, runs: int, batch: int) -> dict[str, LatencyStats]:
    """The backend's own figures of the last ``runs`` runs (the timed ones), summarised."""
    return {key: summarize(values[-runs:], batch)
            for key, values in backend.timings().items() if len(values) >= runs}


def _ratios(report: Report) -> None:
    for batch in report.options.batches:
        rows = [r for r in report.measured if r.batch == batch]
        if rows and rows[0].latency is not None:
            base = rows[0].latency.throughput
            for r in rows:
                assert r.latency is not None
                r.ratio = r.latency.throughput / base


# the environment -----------------------------------------------------------------------------


def environment(device: str) -> dict[str, Any]:
    """What the figures were measured on: CPU, threads, library versions; on a GPU its name,
    capability, driver and clocks."""
    env: dict[str, Any] = {"cpu": cpu_model(), "cpus": os.cpu_count(),
                           "torch_threads": torch.get_num_threads(),
                           "python": platform.python_version(), "platform": platform.platform(),
                           "versions": _versions()}
    if device == "cuda" and torch.cuda.is_available():
        env["gpu"] = gpu()
    return env


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions() -> dict[str, str]:
    found = {}
    for package in ("torch", "onnxruntime", "onnx", "tensorrt"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


#: what ``nvidia-smi --query-gpu`` is asked for
SMI_FIELDS = ("name", "driver_version", "clocks.sm", "clocks.mem", "clocks.max.sm",
              "clocks.max.mem", "power.limit", "temperature.gpu")


def gpu() -> dict[str, Any]:
    """The current CUDA device as torch sees it, with nvidia-smi's view when it is there."""
    props = torch.cuda.get_device_properties(torch.cuda.current_device())
    info: dict[str, Any] = {"name": props.name, "capability": f"{props.major}.{props.minor}",
                            "memory_gib": round(props.total_memory / 2**30, 1),
                            "multiprocessors": props.multi_processor_count,
                            "cuda": torch.version.cuda}
    smi = shutil.which("nvidia-smi")
    if smi:
        info["nvidia_smi"] = nvidia_smi(smi, torch.cuda.current_device())
    return info


def nvidia_smi(smi: str, index: int) -> dict[str, str]:
    """Driver, clocks, power limit and temperature of GPU ``index`` as nvidia-smi reports
    them (torch knows none of these); an ``error`` entry when it cannot answer."""
    try:
        text = subprocess.run([smi, f"--query-gpu={','.join(SMI_FIELDS)}",
                               "--format=csv,noheader", f"--id={index}"], capture_output=True,
                              text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return {"error": str(exc)}
    return dict(zip(SMI_FIELDS, (v.strip() for v in text.split(",")), strict=False))
