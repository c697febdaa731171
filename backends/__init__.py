"""Execution backends of resgraph (installed as ``resgraph.backends``).

They depend on the core (``resgraph``), never the reverse. Each imports its own optional
dependencies and, when one is missing, raises :class:`resgraph.backends.base.MissingExtra`
naming the extra to install (``pip install 'resgraph[onnx]'``).

``from resgraph.backends import export_onnx`` gives the ONNX export; it is looked up on first
use, so importing this package needs neither onnx nor torch.
"""

from __future__ import annotations

from typing import Any

#: names re-exported from :mod:`resgraph.backends.onnx_export`
_ONNX_EXPORT = ("export_onnx", "ExportInfo", "ExportError")


def __getattr__(name: str) -> Any:
    if name in _ONNX_EXPORT:
        from resgraph.backends import onnx_export

        return getattr(onnx_export, name)
    raise AttributeError(f"module 'resgraph.backends' has no attribute '{name}'")


__all__ = list(_ONNX_EXPORT)
