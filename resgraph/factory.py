"""A model named as ``--module`` names it: ``PKG.MODULE:FACTORY`` or ``PKG.MODULE:FACTORY(ARGS)``.

The command line and :func:`resgraph.api.decompile` take a model this way; the arguments are
read as Python literals, never evaluated, so naming a model runs no code but its factory.
"""

from __future__ import annotations

import ast
import importlib
from typing import Any

from resgraph.errors import MissingDependency, UsageError

#: the longest ``--module`` text taken
MAX_MODULE_CHARS = 1000


def load_module(target: str) -> Any:
    """Import ``pkg.module`` and call ``factory`` there, with the literal arguments written
    after it (``torchvision.models:resnet50(num_classes=10)``): read with :mod:`ast`, never
    evaluated, so the command line runs no code but the factory."""
    module_name, colon, call = target.partition(":")
    if not colon or not module_name or not call.strip() or len(target) > MAX_MODULE_CHARS:
        raise UsageError(f"--module takes PKG.MODULE:FACTORY or PKG.MODULE:FACTORY(ARGS), such "
                         f"as torchvision.models:resnet50, in at most {MAX_MODULE_CHARS:,} "
                         f"characters; got '{target[:80]}'")
    name, args, kwargs = factory_call(call)
    make: Any = _import(module_name)
    for part in name.split("."):
        make = getattr(make, part, None)
    if not callable(make):
        raise UsageError(f"--module: '{module_name}' has no callable '{name}'")
    try:
        return make(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - so may the user's factory
        shown = call.strip() if "(" in call else f"{call.strip()}()"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"--module: {shown} failed: {message}") from None


def _import(module_name: str) -> Any:
    """The module; a missing one is bad input (2), a dependency it lacks is to install (3)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and not (module_name + ".").startswith(missing + "."):
            raise MissingDependency(f"--module: '{module_name}' needs '{missing}', which is not "
                                    f"installed (pip install {missing.split('.')[0]})") from None
        raise UsageError(f"--module: cannot import '{module_name}': {exc}") from None
    except Exception as exc:  # noqa: BLE001 - the user's module may raise anything on import
        raise UsageError(f"--module: cannot import '{module_name}': {exc}") from None


def factory_call(text: str) -> tuple[str, list[Any], dict[str, Any]]:
    """``resnet50(num_classes=10)`` → ``("resnet50", [], {"num_classes": 10})``; arguments
    are Python literals (numbers, strings, booleans, None, tuples, lists, dicts)."""
    try:
        expr = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise UsageError(f"--module: '{text}' is not FACTORY or FACTORY(ARGS)") from None
    call = expr if isinstance(expr, ast.Call) else None
    name = _dotted(call.func if call else expr)
    if name is None:
        raise UsageError(f"--module: '{text}' is not FACTORY or FACTORY(ARGS)")
    if call is None:
        return name, [], {}
    try:
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
    except (ValueError, TypeError, SyntaxError, RecursionError):
        raise UsageError(f"--module: the arguments of '{text}' must be literals (numbers, "
                         "strings, True/False/None, tuples, lists, dicts)") from None
    if len(kwargs) != len(call.keywords):
        raise UsageError(f"--module: '{text}': **arguments are not taken; name each one")
    return name, args, kwargs


def _dotted(expr: ast.expr) -> str | None:
    """``a.b.c`` as text, or None for anything but names and attributes."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = _dotted(expr.value)
        return None if base is None else f"{base}.{expr.attr}"
    return None
