"""The figures of a candidate: the scalar numbers a sweep filters on (``--where``), sorts by
(best per figure) and plots (``--pareto``), taken from the analysis of ``resgraph analyze
--json`` and from what a measure returns. Each analysis figure below names where it is read
from, so a figure means the same as the report's field it comes from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: analysis figure → (what it is, how it is read from ``resgraph analyze --json``)
ANALYSIS: dict[str, tuple[str, Callable[[Mapping[str, Any]], float]]] = {
    "macs": ("multiply-accumulates of conv and linear layers", lambda r: r["macs"]),
    "flops": ("every floating-point operation once", lambda r: r["flops"]),
    "params": ("trainable parameters", lambda r: r["params"]),
    "buffers": ("buffer elements (batch-norm statistics)", lambda r: r["buffers"]),
    "param_bytes": ("bytes of the parameters", lambda r: r["memory"]["param_bytes"]),
    "activations": ("bytes of every activation tensor, summed",
                    lambda r: r["memory"]["activation_bytes"]),
    "activation_peak": ("bytes of the peak live set of activations",
                        lambda r: r["memory"]["peak_bytes"]),
    "depth": ("weighted layers on the longest path", lambda r: r["paths"]["nominal_depth"]),
    "path_mean": ("mean gradient-path length (Veit et al.)",
                  lambda r: r["paths"]["lengths"]["mean"]),
    "path_median": ("median gradient-path length", lambda r: r["paths"]["lengths"]["median"]),
    "path_shortest": ("shortest gradient path", lambda r: r["paths"]["lengths"]["shortest"]),
    "path_longest": ("longest gradient path", lambda r: r["paths"]["lengths"]["longest"]),
    "branches_mean": ("mean residual branches taken by a path",
                      lambda r: r["paths"]["branches"]["mean"]),
    "receptive_field": ("receptive field of the last stage's output, input pixels",
                        lambda r: _last_field(r, "size")),
    "output_stride": ("stride of the last stage's output", lambda r: _last_field(r, "stride")),
}


def known(declared: Iterable[str]) -> tuple[str, ...]:
    """The names a constraint may read: the analysis figures, the spec's parameters, and
    ``index``, the candidate's place in the space (a parameter of that name hides it)."""
    names = tuple(ANALYSIS) + tuple(n for n in declared if n not in ANALYSIS)
    return names if "index" in names else (*names, "index")


def _last_field(report: Mapping[str, Any], key: str) -> float:
    fields = report["receptive_fields"]
    return max(fields[-1][key]) if fields else 0


def analysis_figures(report: Mapping[str, Any]) -> dict[str, float]:
    """Every figure of :data:`ANALYSIS`, read from an analysis report's JSON."""
    return {name: read(report) for name, (_, read) in ANALYSIS.items()}


def numbers(data: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """The scalar numbers of a measure's answer, nested keys joined by ``.``
    (``{"acc": {"top1": 0.7}}`` → ``acc.top1``); booleans and text are left out."""
    out: dict[str, float] = {}
    for key, v in data.items():
        if isinstance(v, Mapping):
            out.update(numbers(v, f"{prefix}{key}."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[f"{prefix}{key}"] = v
    return out
