"""Execution backends of resgraph (installed as ``resgraph.backends``).

They depend on the core (``resgraph``), never the reverse. Each imports its own optional
dependencies and, when one is missing, raises :class:`resgraph.backends.base.MissingExtra`
naming the extra to install (``pip install 'resgraph[onnx]'``).

The Python faces of ``resgraph export`` and ``resgraph bench`` are here too:
``from resgraph.backends import export_onnx, bench``. They are looked up on first use, so
importing this package needs neither onnx nor torch.
"""

from __future__ import annotations

from typing import Any

#: re-exported name → the module of this package that defines it
_EXPORTS = {**dict.fromkeys(("export_onnx", "ExportInfo", "ExportError"), "onnx_export"),
            **dict.fromkeys(("bench", "bench_engine", "BenchOptions"), "harness")}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"resgraph.backends.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'resgraph.backends' has no attribute '{name}'")


__all__ = list(_EXPORTS)
