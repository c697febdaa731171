"""Backend names → classes, imported only when asked for, so a missing optional dependency
costs nothing until its backend is used."""

from __future__ import annotations

import difflib
import importlib
import inspect
from typing import Any

from resgraph.backends.base import Backend
from resgraph.errors import UsageError

#: name → "module:Class"; a backend joins by adding one line
BACKENDS: dict[str, str] = {
    "onnxruntime": "resgraph.backends.ort_backend:OnnxRuntimeBackend",
    "torch": "resgraph.backends.torch_backend:TorchBackend",
    "torch-compile": "resgraph.backends.torch_backend:TorchCompileBackend",
    "tensorrt": "resgraph.backends.trt.backend:TensorRTBackend",
}


class UnknownBackend(UsageError, ValueError):
    """A backend name that is not in :data:`BACKENDS`; the message suggests the closest."""

    def __init__(self, name: str):
        close = difflib.get_close_matches(name, BACKENDS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        super().__init__(f"unknown backend '{name}'{hint} (known: {', '.join(BACKENDS)})")


def backend_class(name: str) -> type[Backend]:
    """The class of backend ``name``; raises :class:`UnknownBackend`, or
    :class:`~resgraph.backends.base.MissingExtra` when its dependencies are not installed."""
    if name not in BACKENDS:
        raise UnknownBackend(name)
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


def get_backend(name: str, **options: Any) -> Backend:
    """A new backend ``name`` built with those of ``options`` its constructor takes, so that
    one command line (threads, channels_last, ...) configures every backend it names."""
    cls = backend_class(name)
    accepted = inspect.signature(cls).parameters
    return cls(**{k: v for k, v in options.items() if k in accepted})
