"""``--where``: a constraint over a candidate's analysis figures and parameters, such as
``macs <= 4e9 and params <= 30e6``, checked before the sweep starts and evaluated on each
candidate right after its analysis, so a rejected one costs milliseconds.

The language is Python's expression syntax cut down to what a constraint needs: numbers,
quoted strings (``shortcut == "B"``), names, ``+ - * / // %``, comparisons (chained too),
``in`` and ``not in`` a list (``depth in (18, 34)``), ``and``, ``or``, ``not`` and
parentheses. Names are the analysis figures, the spec's parameters and ``index``, the
candidate's place in the space (``index in (3, 17)`` measures chosen candidates of a space
screened before). Nothing is ever passed to ``eval``: the tree is walked here.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from resgraph.errors import UsageError, unknown
from resgraph.sweep.space import TextError, expression, node_offsets

#: the longest constraint text
MAX_WHERE = 2_000

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}


class WhereError(Exception):
    """A constraint that cannot be evaluated on one candidate (a division by zero)."""


@dataclass(frozen=True)
class Where:
    """A checked constraint; ``names`` are the figures and parameters it reads."""

    text: str
    tree: ast.expr
    names: frozenset[str]

    def __call__(self, values: Mapping[str, Any]) -> bool:
        """Whether a candidate with these figures and parameters is kept."""
        return bool(_eval(self.tree, values))

    def rejects_early(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` alone (a candidate's parameters and index, before its
        elaboration) already say no: a term of a top-level ``and`` that reads nothing else is
        false. Such a candidate costs no elaboration and no analysis."""
        terms = self.tree.values if isinstance(self.tree, ast.BoolOp) and isinstance(
            self.tree.op, ast.And) else [self.tree]
        return any(_reads_only(term, values) and not _eval(term, values) for term in terms)


def where(text: str, known: Collection[str], what: str = "--where") -> Where:
    """``text`` parsed and checked: its syntax, and every name one of ``known``; an error
    names ``what`` and, where it is about one part, places it (:class:`TextError`)."""
    if len(text) > MAX_WHERE:
        raise UsageError(f"{what}: longer than {MAX_WHERE:,} characters")
    try:
        tree = expression(text)
    except SyntaxError as exc:
        raise UsageError(f"{what}: cannot read '{text}' ({exc.msg}): write "
                         f"comparisons joined by and/or, such as 'macs <= 4e9 and "
                         f"params <= 30e6'") from None
    names = set()
    for node in ast.walk(tree):
        _allowed(node, text, what)
        if isinstance(node, ast.Name):
            if node.id not in known:
                raise TextError(f"{what}: " + unknown("figure", node.id, known),
                                *node_offsets(text, node))
            names.add(node.id)
    return Where(text, tree, frozenset(names))


def _reads_only(node: ast.expr, values: Mapping[str, Any]) -> bool:
    return all(n.id in values for n in ast.walk(node) if isinstance(n, ast.Name))


_NODES = (ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.BinOp,
          ast.Compare, ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List, *_BINARY,
          *_COMPARE)


def _allowed(node: ast.AST, text: str, what: str) -> None:
    if not isinstance(node, _NODES):
        shown = ast.unparse(node) if isinstance(node, ast.expr) else text
        message = (f"{what}: '{shown}' is not allowed; use numbers, figures, + - * / // %, "
                   f"comparisons, and, or, not")
        if isinstance(node, ast.expr):
            raise TextError(message, *node_offsets(text, node))
        raise UsageError(message)
    if isinstance(node, ast.Constant) and (isinstance(node.value, bool)
                                           or not isinstance(node.value, (int, float, str))):
        raise TextError(f"{what}: {node.value!r} is neither a number nor a string",
                        *node_offsets(text, node))


def _eval(node: ast.expr, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_eval(e, values) for e in node.elts)
    if isinstance(node, ast.BoolOp):
        parts = (_eval(v, values) for v in node.values)
        return all(parts) if isinstance(node.op, ast.And) else any(parts)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values)
        return not v if isinstance(node.op, ast.Not) else (-v if isinstance(node.op, ast.USub)
                                                            else +v)
    if isinstance(node, ast.BinOp):
        try:
            return _BINARY[type(node.op)](_eval(node.left, values), _eval(node.right, values))
        except (ZeroDivisionError, TypeError) as exc:
            raise WhereError(f"--where: cannot compute '{ast.unparse(node)}': {exc}") from None
    assert isinstance(node, ast.Compare)
    left = _eval(node.left, values)
    for op, right_node in zip(node.ops, node.comparators):
        right = _eval(right_node, values)
        try:
            if not _COMPARE[type(op)](left, right):
                return False
        except TypeError:
            raise WhereError(f"--where: cannot compare {left!r} with {right!r} in "
                             f"'{ast.unparse(node)}'") from None
        left = right
    return True
