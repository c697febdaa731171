"""What every analysis pass shares: it records the parameters it ran with, and readers
:func:`ensure` it instead of calling it, so results are recomputed exactly when stale.

A pass writes its results under the keys of :mod:`resgraph.analysis.keys` (on nodes or on the
graph) and returns nothing; results are read from the keys, never from a return value, so a
reader that finds them current has nothing to recompute. After each run the pass stores, under
``graph.meta[keys.RAN_WITH][name]``, the graph's input shape and every parameter it takes
(defaults filled in): a cost annotation of batch 1 is then never mistaken for one of batch 8.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from resgraph.analysis import keys
from resgraph.ir import Graph


class Pass:
    """An analysis: ``run(graph, **params)`` writes its keys; calling the pass also records
    ``params`` (see the module's docstring)."""

    def __init__(self, name: str, run: Callable[..., None]) -> None:
        self.name = name
        self.run = run
        self.signature = inspect.signature(run)
        self.__doc__ = run.__doc__

    def __repr__(self) -> str:
        return f"<pass {self.name}>"

    def __call__(self, graph: Graph, **params: Any) -> None:
        ran_with = self.parameters(graph, params)
        self.run(graph, **params)
        graph.meta.setdefault(keys.RAN_WITH, {})[self.name] = ran_with

    def takes(self, param: str) -> bool:
        return param in self.signature.parameters

    def parameters(self, graph: Graph, params: dict[str, Any]) -> dict[str, Any]:
        """What a run with ``params`` depends on: the input shape and every parameter the pass
        takes, its default where ``params`` omits it."""
        bound = self.signature.bind(graph, **params)
        bound.apply_defaults()
        return {"input_shape": graph.input_shape,
                **{k: v for k, v in bound.arguments.items() if k != "graph"}}


def analysis_pass(name: str) -> Callable[[Callable[..., None]], Pass]:
    """Make a function ``(graph, **params) -> None`` the pass ``name``."""
    return lambda run: Pass(name, run)


def ensure(graph: Graph, analysis: Pass, **params: Any) -> None:
    """Make ``analysis``'s results on ``graph`` those of a run with ``params``: run it unless
    its last run had the same parameters. ``params`` the pass does not take are ignored, so a
    reader can pass what it knows (``batch``, ``dtype``) to every pass alike."""
    params = {k: v for k, v in params.items() if analysis.takes(k)}
    recorded = graph.meta.get(keys.RAN_WITH, {}).get(analysis.name)
    if recorded != analysis.parameters(graph, params):
        analysis(graph, **params)
