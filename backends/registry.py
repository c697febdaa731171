"""Backend names → classes, imported only when asked for, so a missing optional dependency
costs nothing until its backend is used. The names themselves live in
:mod:`resgraph.backends.options`, which a command line imports without torch."""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any

from resgraph.backends.options import BACKENDS
from resgraph.errors import UsageError, unknown

if TYPE_CHECKING:
    from resgraph.backends.base import Backend


class UnknownBackend(UsageError, ValueError):
    """A backend name that is not in :data:`BACKENDS`; the message suggests the closest."""

    def __init__(self, name: str):
        super().__init__(unknown("backend", name, BACKENDS))


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


__all__ = ["BACKENDS", "UnknownBackend", "backend_class", "get_backend"]
