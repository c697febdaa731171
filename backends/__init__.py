"""Execution backends of resgraph (installed as ``resgraph.backends``).

They depend on the core (``resgraph``), never the reverse. Each imports its own optional
dependencies and, when one is missing, raises :class:`resgraph.backends.base.MissingExtra`
naming the extra to install (``pip install 'resgraph[onnx]'``).

The public entries are :mod:`resgraph.backends.api`'s, re-exported here:
``from resgraph.backends import export_onnx, bench, build``. Every name is looked up on first
use, so importing this package imports neither torch nor onnx nor TensorRT; the names and
bounds a command line needs to build its parser are in :mod:`resgraph.backends.options`,
which is as cheap.
"""

from __future__ import annotations

from typing import Any

#: re-exported name → the module of this package that defines it
_EXPORTS = {
    **dict.fromkeys(("export_onnx", "bench", "bench_engine", "plan_build", "build", "profile",
                     "Profile"), "api"),
    **dict.fromkeys(("BenchOptions", "BenchError"), "options"),
    **dict.fromkeys(("BuildOptions", "BatchRange", "PlanError"), "trt.plan"),
    **dict.fromkeys(("ExportInfo", "ExportError"), "onnx_export"),
    **dict.fromkeys(("Report",), "harness"),
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"resgraph.backends.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'resgraph.backends' has no attribute '{name}'")


__all__ = list(_EXPORTS)
