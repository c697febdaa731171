"""Design-space sweeps: many networks from one spec, on this machine or a Ray cluster.

A sweep is a space of parameter assignments over a spec's declared ``param``\\ s (a grid, and
seeded random draws: :mod:`.space`), a constraint on analysis figures (:mod:`.where`), a
measure (:mod:`.measures`) and a folder. :func:`sweep` runs it (``resgraph sweep``) with an
engine (:mod:`.engines`: ``local``, a process pool, or ``ray``); everything but the ``ray``
engine is free of Ray, which is imported only when that engine is chosen.

The folder
----------
``DIR/sweep.json``: ``{"format": 1, "definition": {"spec": {"file", "name", "text"},
"space": {"grid", "sample", "samples", "seed", "set"}, "where", "measure", "input"},
"created", "engine", "versions": {"python", "resgraph", "torch", ...}, "machine": {"host",
"platform", "cpu", "cpus", "python"}}``. A rerun with the same ``--out`` must define the same
sweep; it resumes it.

``DIR/results.jsonl``: the journal, append-only, one JSON object per line and per candidate,
each candidate exactly once (whole lines, written and synced a fifth of a second's records
at a time, :mod:`.journal`; a resume runs only the indices missing). The record, format 1:

- ``index`` (int): the candidate's place in the space; ``params`` (object): its whole
  assignment (``--set`` values included), the same for the same index on every run;
- ``status``: ``"ok"`` (measured), ``"rejected"`` (``--where`` said no; ``figures`` hold
  the analysis it was judged on, or are empty when a term of the constraint that reads only
  parameters and ``index`` said no before elaboration), ``"duplicate"`` (its network, by graph hash, is that of
  candidate ``duplicate_of``, measured once there), ``"error"`` (``error`` says why);
- ``graph`` (str or null): the SHA-256 of the network's IR text without its name (the
  same network from other parameters has the same hash); null when elaboration failed;
- ``figures`` (object): scalar figures: the analysis's (``macs``, ``flops``, ``params``,
  ``buffers``, ``param_bytes``, ``activations``, ``activation_peak``, ``depth``,
  ``path_mean``, ``path_median``, ``path_shortest``, ``path_longest``, ``branches_mean``,
  ``receptive_field``, ``output_stride``: :data:`.figures.ANALYSIS` says what each is) and,
  when ``ok``, the measure's (bench: ``latency_ms`` (median), ``latency_p90_ms``,
  ``latency_min_ms``, ``throughput``; python: every number the function returned, nested
  keys joined by ``.``);
- ``metrics`` (object or null, for ``ok``): the measure's whole answer: for ``analyze``
  exactly what ``resgraph analyze --json`` prints; for ``bench`` the bench report
  (``resgraph bench --json``); for ``python`` the returned dict;
- ``error`` (str or null): for ``error``, the message; a spec error keeps its position,
  ``file:line:col: error: ...`` with the excerpt;
- ``duplicate_of`` (int or null); ``worker`` (``host:pid``, or null when the worker died);
- ``timings`` (object, seconds): ``elaborate_s``, ``analyze_s`` (when this candidate paid
  them: not when its worker had screened the same parameters before and reused that),
  ``screen_s`` and, for a costly measure, ``measure_s``.
"""

from __future__ import annotations

from resgraph.sweep.driver import Plan, plan, sweep
from resgraph.sweep.engines import ENGINES, MAX_WORKERS
from resgraph.sweep.figures import ANALYSIS as ANALYSIS_FIGURES
from resgraph.sweep.file import SweepFile, is_sweep_file, load_sweep
from resgraph.sweep.journal import read_journal
from resgraph.sweep.space import DISTRIBUTIONS, MAX_CANDIDATES, MAX_SEED
from resgraph.sweep.summary import Summary

__all__ = ["ANALYSIS_FIGURES", "DISTRIBUTIONS", "ENGINES", "MAX_CANDIDATES", "MAX_SEED",
           "MAX_WORKERS", "Plan", "Summary", "SweepFile", "is_sweep_file", "load_sweep", "plan",
           "read_journal", "sweep"]
