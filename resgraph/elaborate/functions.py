"""The language's built-in functions (``min``, ``round``, ``make_divisible``, ...) and its
arithmetic; ``Expressions.call_builtin`` reports their TypeError and ValueError at the call."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from resgraph.elaborate import limits
from resgraph.elaborate.values import Tensor, described, is_int, is_number, show, type_name
from resgraph.ops import OPS


def _numbers(values: tuple[Any, ...]) -> list[float]:
    """The numbers of ``min(a, b, …)`` or ``min([a, b, …])``."""
    items = values[0] if len(values) == 1 and isinstance(values[0], list) else list(values)
    if not items or not all(map(is_number, items)):
        raise TypeError("takes numbers, or a list of them")
    return items


def _min(*values: Any) -> float:
    return min(_numbers(values))


def _max(*values: Any) -> float:
    return max(_numbers(values))


def _sum(values: Any) -> float:
    if not isinstance(values, list) or not all(map(is_number, values)):
        raise TypeError("takes a list of numbers")
    return sum(values)


def _number(v: Any) -> float:
    if not is_number(v):
        raise TypeError(f"takes a number, got {described(v)}")
    return v


def _log(v: Any, base: Any = math.e) -> float:
    """The natural logarithm, or to a base: ``log(w / w0, wm)``."""
    if _number(v) <= 0 or _number(base) <= 0 or base == 1:
        raise ValueError(f"log needs a positive number and a positive base other than 1, "
                         f"got {show(v)} and {show(base)}")
    return math.log(v) / math.log(base) if base != math.e else math.log(v)


def _sqrt(v: Any) -> float:
    if _number(v) < 0:
        raise ValueError(f"sqrt of a negative number, {show(v)}")
    return math.sqrt(v)


def _round(v: Any) -> int:
    """To the nearest integer, halves to the even one: Python's, numpy's and torch's
    rounding."""
    return round(_number(v))


def _floor(v: Any) -> int:
    return math.floor(_number(v))


def _ceil(v: Any) -> int:
    return math.ceil(_number(v))


def _float(v: Any) -> float:
    return float(_number(v))


def _str(v: Any) -> str:
    if not (is_number(v) or isinstance(v, str)):
        raise TypeError(f"takes an integer, number or string, got {type_name(v)}")
    return v if isinstance(v, str) else show(v)


def _range(*bounds: Any) -> list[int]:
    """``range(n)``, ``range(a, b)``, ``range(a, b, step)``: integers, as in Python."""
    if not bounds or len(bounds) > 3 or not all(map(is_int, bounds)):
        raise TypeError("takes one to three integers")
    if len(bounds) == 3 and bounds[2] == 0:
        raise ValueError("the step must not be 0")
    span = range(*bounds)
    if len(span) > limits.MAX_ITEMS:
        raise ValueError(f"{len(span)} values, over the limit of {limits.MAX_ITEMS}")
    return list(span)


def _len(v: Any) -> int:
    if not isinstance(v, (list, dict, str, tuple)):
        raise TypeError(f"takes a list, table, string or shape, got {type_name(v)}")
    return len(v)


def _make_divisible(v: Any, divisor: Any, round_limit: Any = 0.0) -> int:
    """Round ``v`` to the nearest multiple of ``divisor``, never below it, as timm's
    ``make_divisible`` does; with ``round_limit`` 0.9 never more than 10% below ``v`` either,
    as torchvision's ``_make_divisible`` for MobileNet and EfficientNet (Sandler et al. 2018)."""
    if not (is_number(v) and is_int(divisor) and is_number(round_limit)):
        raise TypeError("takes a number, an integer divisor and a number round_limit")
    if divisor <= 0:
        raise ValueError("the divisor must be positive")
    nearest = v + divisor // 2 if is_int(v) else int(v + divisor / 2)
    out = max(divisor, nearest // divisor * divisor)
    return out + divisor if out < round_limit * v else out


def _channels(t: Any) -> int:
    if not isinstance(t, Tensor):
        raise TypeError(f"takes a tensor, got {type_name(t)}")
    return t.shape[0]


def _shape(t: Any) -> tuple[int, ...]:
    """A tensor's per-sample shape (``shape(input)[1]``: the tokens of an NxC input)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"takes a tensor, got {type_name(t)}")
    return t.shape


ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b, "%": lambda a, b: a % b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}

BUILTINS: dict[str, Any] = {
    **OPS, "min": _min, "max": _max, "sum": _sum, "len": _len, "range": _range,
    "channels": _channels, "shape": _shape, "make_divisible": _make_divisible, "log": _log, "sqrt": _sqrt,
    "round": _round, "floor": _floor, "ceil": _ceil, "float": _float, "str": _str}
#: the functions whose name is also an op's (``sum([1, 2])``, ``sum(dims=[0])``): called
#: with keywords, the name is the op
OVERLOADED = frozenset(name for name in BUILTINS if name in OPS and callable(BUILTINS[name])
                       and BUILTINS[name] is not OPS[name])
#: the functions that round: each reports a value it changes
ROUNDINGS = frozenset({_make_divisible, _round, _floor, _ceil})
