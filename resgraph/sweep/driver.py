"""The driver: check the whole sweep, open its folder, keep the engine's workers busy with
jobs, journal every record as its job comes back, and summarise.

A candidate is *screened* first (elaborated, analysed, hashed, constrained: milliseconds,
in batches); a kept one whose network was seen before is a ``duplicate``; with a costly
measure, the others are then *measured* one per job. A job whose worker died is sent again
(Ray sends it once itself); a batch that lost its worker twice is split into single
candidates, and a candidate that lost its worker twice is recorded as an ``error``.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resgraph.catalog import resolve
from resgraph.errors import Source, UsageError
from resgraph.parse import parse
from resgraph.sweep.engines import (
    MAX_WORKERS,
    Engine,
    Job,
    check_ray_address,
    make_engine,
    ray_module,
)
from resgraph.sweep.figures import known
from resgraph.sweep.file import is_sweep_file, load_sweep
from resgraph.sweep.journal import Journal, check_folder, iter_journal, open_folder
from resgraph.sweep.measures import Measure
from resgraph.sweep.measures import measure as parse_measure
from resgraph.sweep.space import Distribution, Space, declared_params, distribution, make_space
from resgraph.sweep.space import values as parse_values
from resgraph.sweep.summary import Objective, Summary, Tally, pareto_goals
from resgraph.sweep.where import where as parse_where
from resgraph.sweep.worker import Candidate, Context, params_key, record

#: how often a job may lose its worker before it is split or recorded as an error
MAX_DEATHS = 2
#: jobs handed to the engine per worker: one running, the others queued, so a worker that
#: finishes mostly finds one of its own lane (:class:`Lanes`) waiting
IN_FLIGHT = 3

Progress = Callable[[Mapping[str, int], int], None]


@dataclass(frozen=True)
class Plan:
    """A sweep checked whole, before anything runs or is written."""

    context: Context
    space: Space
    measure: Measure
    definition: dict[str, Any]
    pareto: tuple[Objective, Objective] | None
    #: stop drawing candidates once this many are accepted (ok or duplicate); not part of
    #: the definition, so a rerun with a larger number goes on with the same sweep
    accept: int | None = None


def plan(spec: str | Path | Source, *, grid: Mapping[str, Sequence[Any] | str] | None = None,
         sample: Mapping[str, Distribution | str] | None = None, samples: int | None = None,
         seed: int | None = None, where: str | None = None, measure: str | None = None,
         params: Mapping[str, Any] | None = None, input_shape: tuple[int, ...] | None = None,
         pareto: str | None = None, accept: int | None = None) -> Plan:
    """Check a sweep: the spec parses, every parameter is declared and typed right, every
    distribution, the constraint's figures, the measure and ``pareto``'s figures. A shipped
    variant's settings are defaults: a parameter the sweep grids or samples replaces its.

    ``spec`` may be a sweep file (``NAME.sweep.rg``, :mod:`resgraph.sweep.file`): what it
    sets is then the default of each keyword, and a parameter named here (grid, sample or
    params) replaces the file's setting of that parameter."""
    given: dict[str, Any] = {"grid": grid, "sample": sample, "samples": samples, "seed": seed, "where": where,
             "measure": measure, "params": params, "input_shape": input_shape, "pareto": pareto,
             "accept": accept}
    if is_sweep_file(spec):
        the_file = load_sweep(spec)
        spec, given = the_file.spec, the_file.merged(given)
    return _plan(spec, **given)


def _plan(spec: str | Path | Source, *, grid: Mapping[str, Sequence[Any] | str] | None,
          sample: Mapping[str, Distribution | str] | None, samples: int | None,
          seed: int | None, where: str | None, measure: str | None,
          params: Mapping[str, Any] | None, input_shape: tuple[int, ...] | None,
          pareto: str | None, accept: int | None) -> Plan:
    r = resolve(spec)
    declared = declared_params(parse(r.text, r.file))
    swept = set(grid or {}) | set(sample or {})
    space = make_space(
        declared, fixed={**{k: v for k, v in r.params.items() if k not in swept},
                         **(params or {})}, seed=seed or 0, samples=samples or 1,
        grid={k: parse_values(v, f"--grid {k}") if isinstance(v, str) else list(v)
              for k, v in (grid or {}).items()},
        sample={k: distribution(v, f"--sample {k}") if isinstance(v, str) else v
                for k, v in (sample or {}).items()})
    names = known(declared)
    if where:
        parse_where(where, names)
    measure = measure or "analyze"
    m = parse_measure(measure)
    goals = pareto_goals(pareto, m.kind)
    context = Context(r.text, r.file, tuple(sorted(space.fixed.items())), input_shape, where,
                      names, measure, _import_paths())
    definition = {"spec": {"file": r.file, "name": r.name, "text": r.text},
                  "space": space.to_json(), "where": where, "measure": measure,
                  "input": list(input_shape) if input_shape else None}
    if accept is not None and not 1 <= accept <= len(space):
        raise UsageError(f"--accept takes 1 to the sweep's {len(space):,} candidates, got {accept:,}")
    return Plan(context, space, m, definition, goals, accept)


def _import_paths() -> tuple[str, ...]:
    """The folders this process imports from, so a ``python:`` measure imports on a worker
    of this machine (or of a cluster sharing its file system) as it does here."""
    return tuple(os.path.abspath(p or ".") for p in sys.path if os.path.isdir(p or "."))


def sweep(spec: str | Path | Source, out: str | Path, *, engine: str = "local",
          workers: int | None = None, ray_address: str | None = None,
          progress: Progress | None = None, **definition: Any) -> Summary:
    """Run a sweep into the folder ``out`` (``resgraph sweep``), or resume the one there:
    only the candidates missing from its journal are run. ``definition``: the keywords of
    :func:`plan`. Ctrl-C stops it with every finished record kept."""
    from resgraph.sweep.engines import default_workers

    the_plan = plan(spec, **definition)
    folder = check_folder(out)
    workers = default_workers() if workers is None else workers
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers takes 1 to {MAX_WORKERS:,}, got {workers}")
    if engine == "ray":
        ray_module()
        check_ray_address(ray_address)
    journal = open_folder(folder, the_plan.definition, engine)
    state = Journalled(len(the_plan.space), the_plan.pareto)
    state.resume(iter_journal(journal, brief=True))
    lanes = not the_plan.measure.costly
    _run(the_plan, state, journal,
         make_engine(engine, the_plan.context, workers, ray_address, lanes), progress)
    return state.tally.summary(len(the_plan.space))


def _run(the_plan: Plan, state: Journalled, journal: Path, engine: Engine,
         progress: Progress | None) -> None:
    run = _Run(the_plan, state, engine, Journal(journal), progress)
    try:
        run.loop()
    except BaseException:
        engine.close(cancel=True)
        raise
    else:
        engine.close()
    finally:
        run.journal.close()


class Lanes:
    """Screening batches of the candidates, a lane per worker: candidates of equal
    parameters share a lane (by their key's CRC-32), and the local engine gives a lane's
    batches to its own worker only, so a parameter set drawn again goes to the worker that
    keeps its screening (:mod:`.worker`) and each is elaborated once in the whole sweep, not
    once per worker."""

    def __init__(self, todo: Iterator[Candidate], lanes: int, size: int) -> None:
        self.todo, self.size = todo, size
        self.waiting: list[list[Candidate]] = [[] for _ in range(lanes)]
        self.ready: list[deque[list[Candidate]]] = [deque() for _ in range(lanes)]

    def next(self, lane: int) -> Job | None:
        """A batch of ``lane``, drawing candidates until it is full (the other lanes' wait
        for theirs) or all are drawn; None when the lane has nothing left."""
        while not self.ready[lane]:
            candidate = next(self.todo, None)
            if candidate is None:
                return self._take(lane) if self.waiting[lane] else None
            k = zlib.crc32(params_key(candidate[1]).encode()) % len(self.waiting)
            self.waiting[k].append(candidate)
            if len(self.waiting[k]) >= self.size:
                self.ready[k].append(self._take(k).batch)
        return Job("screen", self.ready[lane].popleft(), lane=lane)

    def rest(self) -> Job | None:
        """A batch of the candidates drawn and waiting, of any lane (none: None)."""
        for lane, batches in enumerate(self.ready):
            if batches:
                return Job("screen", batches.popleft(), lane=lane)
        waiting = next((k for k, batch in enumerate(self.waiting) if batch), None)
        return None if waiting is None else self._take(waiting)

    def _take(self, lane: int) -> Job:
        batch, self.waiting[lane] = self.waiting[lane], []
        return Job("screen", batch, lane=lane)


class Indices(Collection[int]):
    """A set of candidate indices, one bit each: the driver of a sweep of ten million
    candidates holds 1.25 MB for which are done, not a set of ten million integers."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.bits = bytearray((size + 7) // 8)
        self.count = 0

    def add(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise UsageError(f"the journal holds candidate {index:,}, outside the sweep's "
                             f"{self.size:,}; it was changed by hand (move it away to start "
                             f"the sweep again)")
        byte, bit = divmod(index, 8)
        if not self.bits[byte] >> bit & 1:
            self.bits[byte] |= 1 << bit
            self.count += 1

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int) or not 0 <= index < self.size:
            return False
        byte, bit = divmod(index, 8)
        return bool(self.bits[byte] >> bit & 1)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[int]:
        return (i for i in range(self.size) if i in self)


class Journalled:
    """What the driver keeps of the records journalled, which does not grow with the sweep
    but with its distinct networks: the indices done (a bit each), the candidate each
    network was measured at (its hash), and the summary's tally. Records stream through it
    to the journal and are not kept."""

    def __init__(self, size: int, pareto: tuple[Objective, Objective] | None) -> None:
        self.done = Indices(size)
        #: graph hash → the index of the candidate measured for it
        self.seen: dict[str, int] = {}
        self.tally = Tally(pareto)

    def resume(self, records: Iterable[dict[str, Any]]) -> None:
        """Fold in the records a journal already holds, in its order."""
        for r in records:
            self.add(r)
            if r["graph"] and r["status"] in ("ok", "error"):
                self.seen[r["graph"]] = r["index"]

    def add(self, rec: dict[str, Any]) -> None:
        self.done.add(rec["index"])
        self.tally.add(rec)

    @property
    def counts(self) -> Counter[str]:
        return self.tally.counts


class _Run:
    """One run of a sweep: the driver's state between jobs."""

    def __init__(self, the_plan: Plan, state: Journalled, engine: Engine,
                 journal: Journal, progress: Progress | None):
        self.plan, self.engine, self.journal, self.progress = the_plan, engine, journal, progress
        self.state = state
        #: candidates that passed the constraint: ok or duplicate, or queued for the measure
        self.accepted = state.counts["ok"] + state.counts["duplicate"]
        left = len(the_plan.space) - len(state.done)
        if the_plan.accept is not None:  # stop near the number asked for, not a batch later
            left = min(left, the_plan.accept)
        batch = max(1, min(engine.max_batch, left // (engine.workers * 4)))
        self.lanes = Lanes(the_plan.space.candidates(skip=state.done), engine.workers, batch)
        self.queue: deque[Job] = deque()
        self.resources = {"num_cpus": 1.0}
        #: screening jobs in flight per lane (None: a candidate split from its batch)
        self.in_flight: Counter[int | None] = Counter()

    def loop(self) -> None:
        self._report()
        while True:
            self._fill()
            if not self.engine.pending():
                return
            for job in self.engine.wait(self.journal.due()):
                self._finished(job)
            if self.journal.due() == 0:
                self.journal.flush()
            self._report()

    def _fill(self) -> None:
        """Hand the engine the jobs to come back to (retries, measures), then keep each lane
        :data:`IN_FLIGHT` screening jobs deep; once enough are accepted, only what is drawn
        is screened, and nothing more is drawn."""
        limit = IN_FLIGHT * self.engine.workers
        while self.queue and self.engine.pending() < limit:
            self._submit(self.queue.popleft())
        if self.plan.accept is not None and self.accepted >= self.plan.accept:
            while (job := self.lanes.rest()) is not None:
                self._submit(job)
            return
        for lane in range(self.engine.workers):
            while self.in_flight[lane] < IN_FLIGHT and (job := self.lanes.next(lane)):
                self._submit(job)

    def _submit(self, job: Job) -> None:
        if job.phase == "screen":
            self.in_flight[job.lane] += 1
        resources = self.plan.measure.resources if job.phase == "measure" else self.resources
        self.engine.submit(job, resources)

    def _finished(self, job: Job) -> None:
        if job.phase == "screen":
            self.in_flight[job.lane] -= 1
        if job.lost:
            self._lost(job)
            return
        assert job.records is not None
        if job.phase == "measure":
            self._write(job.records)
            return
        self._write([r for r in map(self._screened, job.records) if r is not None])

    def _screened(self, rec: dict[str, Any]) -> dict[str, Any] | None:
        """A screened record to write, or None when its costly measure is queued."""
        if rec["status"] != "ok":
            return rec
        self.accepted += 1
        first = self.state.seen.setdefault(rec["graph"], rec["index"])
        if first != rec["index"]:
            rec.update(status="duplicate", duplicate_of=first, metrics=None)
            return rec
        if self.plan.measure.costly:
            self.queue.append(Job("measure", [(rec["index"], rec["params"])]))
            return None
        return rec

    def _lost(self, job: Job) -> None:
        job.deaths += self.engine.tries
        job.lost = False
        if job.deaths < MAX_DEATHS:
            self.queue.append(job)
        elif len(job.batch) > 1:
            self.queue.extend(Job(job.phase, [c]) for c in job.batch)
        else:
            index, params = job.batch[0]
            rec = record(index, params, "error")
            rec.update(error=f"its worker died {job.deaths} times running it (killed, or out "
                             f"of memory)", worker=None)
            self._write([rec])

    def _write(self, records: list[dict[str, Any]]) -> None:
        self.journal.append(records)
        for rec in records:
            self.state.add(rec)

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(dict(self.state.counts), len(self.plan.space))

