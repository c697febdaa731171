"""The space a sweep walks: a grid (cartesian product) and seeded random draws over a spec's
declared ``param``\\ s, checked against the spec before anything runs.

Candidate ``i`` of ``grid_size * samples`` is grid point ``i % grid_size`` with draw
``i // grid_size`` of the sampled parameters (Ray Tune's order: every draw repeats the grid).
Each candidate's draw is seeded by ``(seed, i)`` alone, so candidate ``i`` is the same
whichever worker makes it, in whatever order, and after a resume.

The distributions are pycls's (``pycls/sweep/random.py``), each over ``[low, high]``
quantized to ``q``, the value having ``q``'s type (an integer ``q`` gives integers):
``int(low, high[, q])`` and ``uniform(low, high[, q])`` uniform, ``log_uniform`` uniform in
log space, ``power2`` a power of two with a uniform exponent; ``choice(a, b, ...)`` one of
its values. ``low`` and ``high`` must be multiples of ``q``, as pycls asserts.
"""

from __future__ import annotations

import ast
import hashlib
import math
import random
import warnings
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from resgraph import syntax as s
from resgraph.errors import UsageError, unknown

#: the most candidates one sweep may hold (grid size times samples)
MAX_CANDIDATES = 10_000_000
#: the most values one ``--grid`` or ``choice`` may list
MAX_VALUES = 10_000
#: the longest text of one grid, distribution or constraint
MAX_TEXT = 10_000
#: the largest seed (a seed of pycls's and Ray Tune's size)
MAX_SEED = 2**32 - 1
DISTRIBUTIONS = ("choice", "int", "uniform", "log_uniform", "power2")


class TextError(UsageError):
    """Bad text of a grid, distribution or constraint, with the offsets of the part at fault
    (``start``, ``end``: characters into the text as given), so a sweep file can point at
    that part; on the command line it is a one-line :class:`UsageError` like any other."""

    def __init__(self, message: str, start: int, end: int):
        super().__init__(message)
        self.start, self.end = start, end


def expression(text: str) -> ast.expr:
    """``text`` as a Python expression tree (never evaluated); Python's warnings about odd
    literals (``16x``) are silenced, as the caller says in one line what is wrong."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(text.strip(), mode="eval").body


def node_offsets(text: str, node: ast.expr) -> tuple[int, int]:
    """Where ``node`` of ``ast.parse(text.strip())`` lies in ``text``, in characters (the
    tree counts UTF-8 bytes)."""
    lead = len(text) - len(text.lstrip())
    code = text.strip().encode()
    start = len(code[:node.col_offset].decode(errors="ignore"))
    end = len(code[:node.end_col_offset or node.col_offset].decode(errors="ignore"))
    return lead + start, lead + end


# values ----------------------------------------------------------------------------------------


def split_top(text: str) -> list[str]:
    """``a,[1,2],"x,y"`` → ``['a', '[1,2]', '"x,y"']``: commas outside brackets and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return parts + [text[start:].strip()]


def value(text: str) -> Any:
    """A value as a sweep reads it: a number (``18``, ``1.5``, ``4e9``), ``true``/``false``,
    a quoted string, a list ``[1, 2]``, or else the bare text (``B``, ``1x1``)."""
    try:
        return _literal(expression(text))
    except (SyntaxError, ValueError):
        return text.strip()


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    if isinstance(node, ast.Name):
        return {"true": True, "false": False}.get(node.id.lower(), node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(e) for e in node.elts]
    raise ValueError("not a literal")


def values(text: str, what: str) -> list[Any]:
    """The values of a comma-separated list, at most :data:`MAX_VALUES`."""
    _bounded(text, what)
    parts = split_top(text)
    if len(parts) > MAX_VALUES:
        raise UsageError(f"{what}: more than {MAX_VALUES:,} values")
    if any(not p for p in parts):
        raise UsageError(f"{what}: an empty value in '{text}'")
    return [value(p) for p in parts]


def _bounded(text: str, what: str) -> None:
    if len(text) > MAX_TEXT:
        raise UsageError(f"{what}: longer than {MAX_TEXT:,} characters")


# distributions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """A sampler: ``kind`` (one of :data:`DISTRIBUTIONS`) and its arguments."""

    kind: str
    args: tuple[Any, ...]

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(map(repr, self.args))})"

    def draw(self, rng: random.Random) -> Any:
        """One value, from ``rng`` alone."""
        if self.kind == "choice":
            return self.args[rng.randrange(len(self.args))]
        low, high, q = self.args
        if self.kind in ("int", "uniform"):
            return _quantize(rng.uniform(low, high + q), q, math.floor)
        if self.kind == "log_uniform":
            f = math.exp(-rng.uniform(-math.log(high), -math.log(low - min(q, low / 2))))
            return _quantize(f, q, math.ceil)
        exponent = math.floor(rng.uniform(math.log2(low), math.log2(high) + 1))
        return _quantize(2.0 ** exponent, q, math.floor)

    @property
    def types(self) -> set[type]:
        """The types of the values it draws."""
        return {type(a) for a in self.args} if self.kind == "choice" else {type(self.args[2])}


def _quantize(f: float, q: float, op: Any) -> float:
    """``f`` made a multiple of ``q`` by ``op``, with ``q``'s type (exact in decimal, so
    1.5 and 0.001 give 1.5, not 1.5000000000000002)."""
    return type(q)(Decimal(int(op(f / q))) * Decimal(str(q)))


def distribution(text: str, what: str) -> Distribution:
    """``log_uniform(1.5, 3.0, 0.001)`` → a checked :class:`Distribution`."""
    _bounded(text, what)
    try:
        call = expression(text)
    except SyntaxError:
        call = None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and not call.keywords):
        raise UsageError(f"{what}: takes a distribution such as log_uniform(1.5, 3.0, 0.001) "
                         f"or choice(1, 2, 4) ({', '.join(DISTRIBUTIONS)}), got '{text}'")
    kind = call.func.id
    if kind not in DISTRIBUTIONS:
        raise TextError(f"{what}: " + unknown("distribution", kind, DISTRIBUTIONS),
                        *node_offsets(text, call.func))
    try:
        args = tuple(_literal(a) for a in call.args)
    except ValueError:
        raise UsageError(f"{what}: {kind}(...) takes plain values, got '{text}'") from None
    return Distribution(kind, args) if kind == "choice" and _choices(args, what) else \
        Distribution(kind, _range(kind, args, what))


def _choices(args: tuple[Any, ...], what: str) -> bool:
    if not 1 <= len(args) <= MAX_VALUES:
        raise UsageError(f"{what}: choice(...) takes 1 to {MAX_VALUES:,} values")
    return True


def _range(kind: str, args: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    """``(low, high, q)`` checked as pycls's ``validate_rand`` does, ``q`` defaulting to 1
    where low and high are integers."""
    shown = f"{what}: {kind}{tuple(args)}"
    if len(args) == 2 and all(_whole(a) for a in args):
        args = (*args, 1)
    if len(args) != 3 or not all(_number(a) for a in args):
        raise UsageError(f"{shown} takes (low, high, q): numbers, q the quantum (optional "
                         f"only when low and high are integers)")
    low, high, q = args
    if kind == "int" and not _whole(q):
        raise UsageError(f"{shown}: int's quantum must be an integer")
    if not (q > 0 and low <= high):
        raise UsageError(f"{shown}: needs q > 0 and low <= high")
    if kind in ("log_uniform", "power2") and low <= 0:
        raise UsageError(f"{shown}: needs low > 0")
    if max(abs(low), abs(high)) / q > 2**53:
        raise UsageError(f"{shown}: more than 2^53 steps of q; use a larger quantum")
    if any(Decimal(str(v)) % Decimal(str(q)) for v in (low, high)):
        raise UsageError(f"{shown}: low and high must be multiples of q")
    if kind == "power2" and not all(math.log2(v).is_integer() for v in args):
        raise UsageError(f"{shown}: low, high and q must be powers of two")
    return (low, high, q)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# the space ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Space:
    """What a sweep enumerates: ``fixed`` parameters (``--set``), a ``grid`` of value lists,
    ``sample`` distributions drawn ``samples`` times, and the ``seed`` of every draw."""

    grid: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    sample: Mapping[str, Distribution] = field(default_factory=dict)
    samples: int = 1
    seed: int = 0
    fixed: Mapping[str, Any] = field(default_factory=dict)

    @property
    def grid_size(self) -> int:
        return math.prod(len(v) for v in self.grid.values())

    def __len__(self) -> int:
        return self.grid_size * self.samples

    def candidate(self, index: int) -> dict[str, Any]:
        """The parameters of candidate ``index`` (see the module's docstring)."""
        point = index % self.grid_size
        params = dict(self.fixed)
        for name, options in reversed(list(self.grid.items())):
            point, i = divmod(point, len(options))
            params[name] = options[i]
        if self.sample:
            rng = random.Random(_seed(self.seed, index))
            params.update({n: d.draw(rng) for n, d in sorted(self.sample.items())})
        return dict(sorted(params.items()))

    def candidates(self, skip: Collection[int] = ()) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(index, params)`` of every candidate not in ``skip``, lazily."""
        return ((i, self.candidate(i)) for i in range(len(self)) if i not in skip)

    def to_json(self) -> dict[str, Any]:
        return {"grid": {k: list(v) for k, v in self.grid.items()},
                "sample": {k: str(d) for k, d in self.sample.items()},
                "samples": self.samples, "seed": self.seed, "set": dict(self.fixed)}


def _seed(seed: int, index: int) -> int:
    """A 64-bit seed of its own for each candidate (``random.Random`` of a tuple is not
    stable across Python versions; this is)."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{index}".encode()).digest()[:8], "big")


def make_space(declared: Mapping[str, type | None], *, grid: Mapping[str, Sequence[Any]],
               sample: Mapping[str, Distribution], samples: int, seed: int,
               fixed: Mapping[str, Any]) -> Space:
    """A :class:`Space` checked against the spec's declared parameters (name → the type of
    its default, None when the default is an expression): every name is declared, named
    once, and every value it can take has the declared type."""
    named = list(grid) + list(sample) + list(fixed)
    for name in named:
        check_declared(name, declared)
    twice = sorted({n for n in named if named.count(n) > 1})
    if twice:
        raise UsageError(f"parameter '{twice[0]}' is given more than once (--grid, --sample, "
                         f"--set)")
    for name, options in grid.items():
        if not options:
            raise UsageError(f"--grid {name}: no values")
        check_types(name, {type(v) for v in options}, declared[name], "--grid")
    for name, dist in sample.items():
        check_types(name, dist.types, declared[name], f"--sample {name}={dist}:")
    for name, v in fixed.items():
        check_types(name, {type(v)}, declared[name], "--set")
    if sample and samples < 1:
        raise UsageError("--samples must be at least 1")
    space = Space(dict(grid), dict(sample), samples if sample else 1, seed, dict(fixed))
    if len(space) > MAX_CANDIDATES:
        raise UsageError(f"the sweep holds {len(space):,} candidates, over the limit of "
                         f"{MAX_CANDIDATES:,}; split it")
    return space


def check_declared(name: str, declared: Collection[str]) -> None:
    """``name`` is one of the spec's ``param``\\ s, or a one-line error naming the closest."""
    if name not in declared:
        raise UsageError(unknown("parameter", name, declared) if declared else
                         f"unknown parameter '{name}': the spec declares no parameters")


_TYPE_NAMES = {int: "an integer", float: "a fraction", str: "a string", bool: "a boolean",
               list: "a list", tuple: "a list"}


def check_types(name: str, types: set[type], want: type | None, what: str) -> None:
    """Values of ``types`` fit a parameter whose default has type ``want``."""
    if want is None:
        return  # the default is an expression: elaboration checks each candidate
    wrong = sorted(_TYPE_NAMES.get(t, t.__name__) for t in types if not _fits(t, want))
    if wrong:
        raise UsageError(f"{what} parameter '{name}' takes {_TYPE_NAMES[want]} (its default's "
                         f"type), got {', '.join(dict.fromkeys(wrong))}")


def _fits(t: type, want: type) -> bool:
    """A value of type ``t`` fits a parameter whose default is a ``want``: the same type, a
    list for a list, or a whole number for a fraction (as elaboration takes it)."""
    return t is want or {t, want} == {list, tuple} or (want is float and t is int)


def declared_params(module: s.Module) -> dict[str, type | None]:
    """A parsed spec's ``param``\\ s → the type of each default (None for an expression)."""
    return {i.name: _default_type(i.value) for i in module.items if isinstance(i, s.Param)}


def _default_type(expr: s.Expr) -> type | None:
    if isinstance(expr, s.Neg):
        return _default_type(expr.operand)
    if isinstance(expr, s.Int):
        return int
    if isinstance(expr, s.Float):
        return float
    if isinstance(expr, s.Str):
        return str
    if isinstance(expr, s.Bool):
        return bool
    if isinstance(expr, (s.ListLit, s.ShapeLit)):
        return list
    return None


def parse_assignment(text: str, what: str) -> tuple[str, str]:
    """``NAME=REST`` → (NAME, REST), or a one-line error naming ``what``."""
    name, eq, rest = text.partition("=")
    if not eq or not name.strip().isidentifier() or not name.strip().isascii():
        raise UsageError(f"{what} takes NAME=..., got '{text}'")
    return name.strip(), rest.strip()


__all__ = ["DISTRIBUTIONS", "MAX_CANDIDATES", "MAX_SEED", "Distribution", "Space", "TextError",
           "check_declared", "check_types", "declared_params", "distribution", "expression",
           "make_space", "node_offsets", "parse_assignment", "split_top", "value", "values"]
