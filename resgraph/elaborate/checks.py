"""The elaborator's state, its errors at the user's own words, and the checks that bound its
work: steps, nesting, integers, numbers and the size of values; notes and roundings.

Every part of the elaborator (expressions, nodes, bodies, blocks, stages, the network) is a
class over this one, each in its own module, joined in
:class:`resgraph.elaborate.network.Elaborator`."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from resgraph import syntax as s
from resgraph.elaborate import limits
from resgraph.elaborate.values import HOLDERS, inner_values
from resgraph.errors import Span, SpecError
from resgraph.ir import Graph
from resgraph.parse import MAX_INT, MAX_NESTING, int_error

PRELUDE = "<prelude>"


class Checks:
    """The state all parts share, and the checks; the parts' methods read and write it."""

    def __init__(self, file: str):
        self.file = file
        self.graph: Graph | None = None
        self.scope = ""
        self.stage = "stem"
        self.block: str | None = None
        self.frames: list[tuple[Span, str]] = []
        self.labels: dict[str, Counter[str]] = {}
        #: (span, what) → the distinct roundings made there, in order (see note_rounding)
        self.roundings: dict[tuple[Span, str], dict[str, str]] = {}
        #: the blocks being applied, outermost first (a block may not use itself)
        self.open_blocks: list[s.BlockDef] = []
        #: blocks, 'if' bodies and 'use's entered and not yet left (see MAX_NESTING)
        self.depth = 0
        self.steps = 0
        #: notes and roundings made so far: a block's run that made one is not kept for reuse
        self.noted = 0
        #: the network's results not made yet, by name (:mod:`resgraph.elaborate.dataflow`)
        self.planned: dict[str, Any] = {}
        #: the result each result's node is, by node (an error names where tensors come from)
        self.result_nodes: dict[str, str] = {}
        #: the input node of each block being run, outermost first
        self.block_inputs: list[str] = []

    # errors ---------------------------------------------------------------------------------

    def fail(self, message: str, span: Span | None, hint: str | None = None) -> NoReturn:
        self.throw(SpecError(message, span, hint))

    def throw(self, err: SpecError) -> NoReturn:
        """Raise ``err`` at the user's own words: an error inside a built-in block moves to
        the line that used the block; one inside a user's block notes where it was used."""
        span = err.span
        if span is not None and span.file == PRELUDE:
            inner = span
            for frame_span, what in reversed(self.frames):
                if frame_span.file != PRELUDE:
                    err.span = frame_span
                    err.notes.append(f"in {what}, at line {inner.line} of the built-in blocks")
                    break
        elif self.frames and span is not None and self.frames[-1][0] != span:
            frame_span, what = self.frames[-1]
            err.notes.append(f"in {what}, used at {frame_span}")
        raise err

    # limits ---------------------------------------------------------------------------------

    def spend(self, steps: int, span: Span) -> None:
        """Count elaboration work against :data:`limits.MAX_STEPS`."""
        self.steps += steps
        if self.steps > limits.MAX_STEPS:
            self.fail(f"elaboration is over its limit of {limits.MAX_STEPS} steps", span,
                      hint="blocks that use blocks many times over multiply the work; "
                           "make the network smaller")

    @contextmanager
    def nested(self, span: Span) -> Iterator[None]:
        """One level more of blocks, 'if' bodies or 'use's: elaboration recurses along them,
        so they share one bound, :data:`MAX_NESTING`."""
        if self.depth >= MAX_NESTING:
            self.fail(f"blocks, 'if's and 'use's nested more than {MAX_NESTING} levels deep",
                      span)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def checked_int(self, value: int, span: Span) -> int:
        if not -MAX_INT <= value <= MAX_INT:
            self.throw(int_error(span))
        return value

    def checked_number(self, value: float, span: Span) -> float:
        """An integer or a number within the integers' bound (so never infinite or NaN)."""
        if isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_INT):
            self.fail("number too large" if not math.isnan(value) else "not a number", span,
                      hint=f"numbers stay within -{MAX_INT} to {MAX_INT} (2**63 - 1)")
        return self.checked_int(value, span) if isinstance(value, int) else value

    def checked_value(self, value: Any, span: Span) -> Any:
        """``value`` unless it is a list or table past :data:`limits.MAX_ITEMS` values or nested past
        :data:`MAX_NESTING`; an explicit walk, paid in steps, as printing and comparing such
        values recurse and take time."""
        stack, count = [(value, 0)], 0
        while stack:
            v, depth = stack.pop()
            inner = inner_values(v)
            if inner is None:
                continue
            count += len(inner)
            if depth >= MAX_NESTING:
                self.fail(f"lists and tables nested more than {MAX_NESTING} levels deep", span)
            if count > limits.MAX_ITEMS:
                self.fail(f"a list or table over the limit of {limits.MAX_ITEMS} values "
                          "(counting those inside it)", span)
            stack.extend((x, depth + 1) for x in inner if isinstance(x, HOLDERS))
        self.spend(count, span)
        return value

    # notes ----------------------------------------------------------------------------------

    def note(self, text: str, span: Span, where: str | None = None) -> None:
        assert self.graph is not None
        self.noted += 1
        where = where or self.scope or "network"
        self.graph.notes.append(f"{where}: {text} ({'built-in block' if span.file == PRELUDE else span})")

    def note_rounding(self, what: str, text: str, span: Span) -> None:
        """A rounding that changed a value. One place in a spec can round many values (a
        comprehension's, a block's in every instance): each place is reported once, with
        the first rounding and how many distinct ones it made (:meth:`report_roundings`)."""
        self.noted += 1
        self.roundings.setdefault((span, what), {}).setdefault(text, self.scope or "network")

    def report_roundings(self) -> None:
        for (span, what), made in self.roundings.items():
            (first, where), = list(made.items())[:1]
            extra = len(made) - 1
            more = f"; {what} rounded {extra} more value{'s' * (extra > 1)} here" if extra else ""
            self.note(first + more, span, where)
