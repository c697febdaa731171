"""Engines: they run jobs (a phase on a batch of candidates, :func:`worker.run_phase`) on
workers and hand back each job as it finishes. They schedule nothing themselves beyond
that: ``local`` is a fixed set of worker processes, one job each at a time (so a death is
charged to the one job that caused it), ``ray`` is Ray core tasks, or an actor per lane
where every job is a screen (``ray.wait`` streams them back, Ray retries a job whose worker
died once). A job whose worker died (after the engine's own retry) comes back ``lost``; the
driver decides.
"""

from __future__ import annotations

import os
import signal
import socket
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass, field
from multiprocessing import connection
from multiprocessing.connection import Connection
from typing import Any

from resgraph.errors import MissingDependency, UsageError, unknown
from resgraph.sweep.worker import Candidate, Context, run_phase

ENGINES = ("local", "ray")
#: the most workers ``--workers`` may ask for
MAX_WORKERS = 1024
RAY_HINT = "pip install 'resgraph[ray]'"


@dataclass
class Job:
    """A phase on a batch of candidates, and how often a worker died running it."""

    phase: str
    batch: list[Candidate]
    deaths: int = 0
    records: list[dict[str, Any]] | None = field(default=None, repr=False)
    lost: bool = False
    #: the worker it is meant for, by number (the driver's :class:`~.driver.Lanes`), or
    #: None: any (the local engine keeps lanes; Ray schedules tasks itself)
    lane: int | None = None


class Engine(ABC):
    #: how often one submission is tried before it comes back lost
    tries = 1
    #: the most candidates one screening job takes: a job of ResNet-50s is then ~0.1 s
    #: where nothing is reused, so a worker's death loses little and progress moves
    max_batch = 16

    def __init__(self, context: Context, workers: int):
        self.context = context
        self.workers = workers

    @abstractmethod
    def submit(self, job: Job, resources: dict[str, float]) -> None:
        """Start ``job`` on a worker holding ``resources``."""

    @abstractmethod
    def wait(self, timeout: float | None = None) -> list[Job]:
        """Block until at least one job finishes, or ``timeout`` seconds pass (None: no
        limit); the finished ones, records or lost (none when the time ran out)."""

    @abstractmethod
    def pending(self) -> int:
        """How many jobs are running or queued."""

    @abstractmethod
    def close(self, cancel: bool = False) -> None:
        """Release the workers (``cancel``: drop what has not finished)."""


# local --------------------------------------------------------------------------------------------


def _serve(context: Context, conn: Connection) -> None:
    """A local worker: jobs in, records out, until told to stop (None). Ctrl-C is the
    driver's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while (message := conn.recv()) is not None:
        conn.send(run_phase(context, *message))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: Job | None = None


class LocalEngine(Engine):
    """Worker processes on this machine, each running one job at a time, so a worker that
    dies loses only its own job; it is replaced by a fresh one."""

    def __init__(self, context: Context, workers: int):
        super().__init__(context, workers)
        import multiprocessing

        # spawn: the driver may hold threads (rich's progress), which fork does not copy
        self.mp = multiprocessing.get_context("spawn")
        self.pool = [self._start() for _ in range(workers)]
        self.queue: deque[Job] = deque()

    def _start(self) -> _Worker:
        parent, child = self.mp.Pipe()
        process = self.mp.Process(target=_serve, args=(self.context, child), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def submit(self, job: Job, resources: dict[str, float]) -> None:
        self.queue.append(job)
        self._dispatch()

    def _dispatch(self) -> None:
        for number, worker in enumerate(self.pool):
            if worker.job is None and (job := self._take(number)) is not None:
                worker.job = job
                worker.conn.send((job.phase, job.batch))

    def _take(self, number: int) -> Job | None:
        """The first queued job of worker ``number``'s lane or of none; another lane's waits
        for its own worker, which keeps the screenings of its parameter sets."""
        for job in self.queue:
            if job.lane is None or job.lane % self.workers == number:
                self.queue.remove(job)
                return job
        return None

    def wait(self, timeout: float | None = None) -> list[Job]:
        busy = [w for w in self.pool if w.job is not None]
        ready = set(connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                                    timeout))
        finished = []
        for i, worker in enumerate(self.pool):
            if worker.job is None or not {worker.conn, worker.process.sentinel} & ready:
                continue
            job, worker.job = worker.job, None
            try:
                job.records = worker.conn.recv()
            except (EOFError, OSError):
                job.lost = True
                worker.conn.close()
                self.pool[i] = self._start()
            finished.append(job)
        self._dispatch()
        return finished

    def pending(self) -> int:
        return len(self.queue) + sum(w.job is not None for w in self.pool)

    def close(self, cancel: bool = False) -> None:
        for worker in self.pool:
            if cancel:
                worker.process.kill()
            else:
                worker.conn.send(None)
        for worker in self.pool:
            worker.process.join()
            worker.conn.close()


# ray ----------------------------------------------------------------------------------------------


def ray_module() -> Any:
    """Ray, imported; a :class:`MissingDependency` with the install hint without it."""
    try:
        import ray
    except ImportError:
        raise MissingDependency(f"the ray engine needs Ray: {RAY_HINT}") from None
    return ray


def check_ray_address(address: str | None) -> None:
    """An existing cluster's address answers, or a one-line error (Ray itself would wait
    for minutes on an address nothing listens at)."""
    if address is None or address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--ray-address takes HOST:PORT (or ray://HOST:PORT, or auto), got "
                         f"'{address}'")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise UsageError(f"--ray-address {address}: cannot reach the cluster "
                         f"({exc.strerror or exc})") from None


class _Lane:
    """A Ray actor that screens one lane's batches, so it keeps the screenings of the
    lane's parameter sets as a local worker does (a task may land on any worker)."""

    def run(self, context: Context, phase: str, batch: list[Candidate]) -> list[dict[str, Any]]:
        return run_phase(context, phase, batch)


class RayEngine(Engine):
    """Ray core tasks: one per job, its resources the measure's, retried once by Ray when
    its worker dies, gathered with ``ray.wait`` as each completes. With ``lanes`` (every
    job a screen: an analyze-only sweep) a lane's jobs go to its own actor instead, one per
    worker, each holding a CPU for the sweep: on a cluster of two CPUs, tasks elaborated
    each parameter set twice (174 elaborations for 87 sets at 8,000 candidates), lanes
    once. With a costly measure the CPUs stay free between jobs, for the measures' tasks."""

    tries = 2
    #: a task's round trip (scheduling, the records' serialisation) costs about a
    #: millisecond, as much as 100 candidates whose screens are reused: larger jobs
    max_batch = 256

    def __init__(self, context: Context, workers: int, address: str | None = None,
                 lanes: bool = False):
        super().__init__(context, workers)
        self.ray = ray_module()
        self.owned = not self.ray.is_initialized()
        if self.owned:
            self._init(address)
        self.context_ref = self.ray.put(context)
        self.task = self.ray.remote(max_retries=1, retry_exceptions=False)(run_phase)
        self.lane = (self.ray.remote(num_cpus=1, max_restarts=1, max_task_retries=1)(_Lane)
                     if lanes else None)
        #: lane → its actor, started on the lane's first job
        self.actors: dict[int, Any] = {}
        self.running: dict[Any, tuple[Job, int | None]] = {}

    def _init(self, address: str | None) -> None:
        kwargs: dict[str, Any] = {"address": address, "include_dashboard": False,
                                  "logging_level": "ERROR", "log_to_driver": False}
        if address is None:
            kwargs["num_cpus"] = self.workers
        try:
            self.ray.init(**kwargs)
        except (ConnectionError, RuntimeError) as exc:
            raise UsageError(f"--ray-address {address}: cannot join the cluster: "
                             f"{str(exc).splitlines()[0]}") from None

    def submit(self, job: Job, resources: dict[str, float]) -> None:
        lane = None
        if self.lane is None or job.lane is None:
            ref = self.task.options(**resources).remote(self.context_ref, job.phase, job.batch)
        else:
            lane = job.lane % self.workers
            if lane not in self.actors:
                self.actors[lane] = self.lane.remote()
            ref = self.actors[lane].run.remote(self.context_ref, job.phase, job.batch)
        self.running[ref] = (job, lane)

    def wait(self, timeout: float | None = None) -> list[Job]:
        done, _ = self.ray.wait(list(self.running), num_returns=1, timeout=timeout)
        finished = []
        for ref in done:
            job, lane = self.running.pop(ref)
            try:
                job.records = self.ray.get(ref)
            except self.ray.exceptions.RayError as exc:
                job.lost = True  # the worker died on both of Ray's tries
                if lane is not None and isinstance(exc, self.ray.exceptions.RayActorError):
                    self.actors.pop(lane, None)  # its restart is spent: a fresh one
            finished.append(job)
        return finished

    def pending(self) -> int:
        return len(self.running)

    def close(self, cancel: bool = False) -> None:
        if cancel:  # an actor's jobs end with it (Ray cannot force-cancel one)
            for ref, (_, lane) in self.running.items():
                if lane is None:
                    self.ray.cancel(ref, force=True)
        self.running.clear()
        for actor in self.actors.values():
            self.ray.kill(actor)
        self.actors.clear()
        if self.owned:
            self.ray.shutdown()


def make_engine(name: str, context: Context, workers: int, address: str | None,
                lanes: bool = False) -> Engine:
    """The engine ``--engine`` names, started (Ray is imported only here, when chosen);
    ``lanes``: every job will be a screen, which Ray then keeps to a worker per lane."""
    if name not in ENGINES:
        raise UsageError("--engine: " + unknown("engine", name, ENGINES))
    if name == "local":
        return LocalEngine(context, workers)
    return RayEngine(context, workers, address, lanes)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


__all__ = ["ENGINES", "MAX_WORKERS", "Engine", "Job", "LocalEngine", "RayEngine",
           "check_ray_address", "default_workers", "make_engine", "ray_module"]
