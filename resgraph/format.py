"""format: syntax tree → canonical spec text (``resgraph fmt``), keeping comments.

Formatting is idempotent and round-trips: parsing the output gives an equal tree.
"""

from __future__ import annotations

import re
from collections import deque

from resgraph import syntax as s
from resgraph.parse import KEYWORDS

INDENT = "  "
WIDTH = 96

# binding strength of each operator, loosest first; atoms bind tightest
_PREC = {"?": 1, "or": 2, "and": 3, "not": 4, "cmp": 5, "+": 6, "-": 6, "*": 7, "/": 7,
         "//": 7, "%": 7, "neg": 8, "**": 9}
_ATOM = 10
# items of one group are printed without blank lines between them
_GROUPS = {"Require": "Let", "Input": "Network", "Stem": "Network", "Stage": "Network",
           "Head": "Network", "Output": "Network"}


def format_module(module: s.Module) -> str:
    return _Printer(module.comments).module(module)


def format_expr(e: s.Expr) -> str:
    return _expr(e)[0]


def _expr(e: s.Expr) -> tuple[str, int]:
    """Text and precedence of an expression."""
    if isinstance(e, s.Int):
        return str(e.value), _ATOM
    if isinstance(e, s.Float):
        return _float(e.value), _ATOM
    if isinstance(e, s.Str):
        return f'"{e.value}"', _ATOM
    if isinstance(e, s.FString):
        return _fstring(e), _ATOM
    if isinstance(e, s.Comp):
        test = f" if {format_expr(e.test)}" if e.test is not None else ""
        return f"[{format_expr(e.expr)} for {e.var} in {format_expr(e.items)}{test}]", _ATOM
    if isinstance(e, s.Bool):
        return ("true" if e.value else "false"), _ATOM
    if isinstance(e, s.ShapeLit):
        return "x".join(str(d) for d in e.dims), _ATOM
    if isinstance(e, s.Name):
        return e.id, _ATOM
    if isinstance(e, s.ListLit):
        return "[" + ", ".join(format_expr(i) for i in e.items) + "]", _ATOM
    if isinstance(e, s.DictLit):
        return "{" + ", ".join(f"{format_expr(k)}: {format_expr(v)}" for k, v in e.entries) + "}", _ATOM
    if isinstance(e, s.Index):
        return f"{_wrap(e.target, _ATOM)}[{format_expr(e.key)}]", _ATOM
    if isinstance(e, s.Call):
        args = [format_expr(a) for a in e.args] + [f"{k.name}={format_expr(k.value)}" for k in e.kwargs]
        return f"{e.func}({', '.join(args)})", _ATOM
    if isinstance(e, s.BinOp) and e.op == "**":  # right-associative, its right side a unary
        return f"{_wrap(e.left, _ATOM)} ** {_wrap(e.right, _PREC['neg'])}", _PREC["**"]
    if isinstance(e, s.BinOp):
        p = _PREC[e.op]
        return f"{_wrap(e.left, p)} {e.op} {_wrap(e.right, p + 1)}", p
    if isinstance(e, s.Compare):
        p = _PREC["cmp"]
        return f"{_wrap(e.left, p + 1)} {e.op} {_wrap(e.right, p + 1)}", p
    if isinstance(e, s.Logic):
        p = _PREC[e.op]
        return f"{_wrap(e.left, p)} {e.op} {_wrap(e.right, p + 1)}", p
    if isinstance(e, s.Not):
        return f"not {_wrap(e.operand, _PREC['not'])}", _PREC["not"]
    if isinstance(e, s.Neg):
        return f"-{_wrap(e.operand, _PREC['neg'])}", _PREC["neg"]
    if isinstance(e, s.Cond):
        p = _PREC["?"]
        return f"{_wrap(e.test, p + 1)} ? {_wrap(e.then, p)} : {_wrap(e.orelse, p)}", p
    raise TypeError(f"cannot format {type(e).__name__}")


def _fstring(e: s.FString) -> str:
    parts = [p.replace("{", "{{").replace("}", "}}") if isinstance(p, str)
             else "{" + _spaced(format_expr(p)) + "}" for p in e.parts]
    return 'f"' + "".join(parts) + '"'


def _spaced(text: str) -> str:
    """An f-string's expression that opens with a brace (a table) is set off by a space, so
    that its '{' is not read as '{{', a brace of the text."""
    return " " + text if text.startswith("{") else text


def _wrap(e: s.Expr, min_prec: int) -> str:
    text, prec = _expr(e)
    return text if prec >= min_prec else f"({text})"


def _kwargs(kwargs: list[s.Kwarg]) -> str:
    return ", ".join(f"{k.name}={format_expr(k.value)}" for k in kwargs)


def _float(v: float) -> str:
    """The shortest text that reads back as the value, its exponent as written (``1e-6``,
    not Python's ``1e-06``)."""
    text = repr(v)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def _head(head: s.Head) -> str:
    """``head``, ``head aux`` or ``head aux on layer3``: what opens a head's body."""
    name = f" {head.name}" if head.name is not None else ""
    return f"head{name}" + (f" on {_wrap(head.on, _ATOM - 1)}" if head.on is not None else "")


def _output(out: s.Output) -> str:
    word = "output training " if out.training else "output "
    if out.form == "tuple":
        return word + ", ".join(o.result for o in out.names)
    return word + "{ " + ", ".join(f"{_key(o.key)}: {o.result}" for o in out.names) + " }"


def _key(key: str) -> str:
    """An output's key as written: bare where it is a name, else a string (FPN's "0", or a
    keyword)."""
    bare = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) and key not in KEYWORDS
    return key if bare else f'"{key}"'


def _step(step: s.Step) -> str:
    if step.label is None:
        return format_expr(step.expr)
    label = step.label if isinstance(step.label, str) else format_expr(step.label)
    return f"{label}: {format_expr(step.expr)}"


class _Printer:
    def __init__(self, comments: list[s.Comment]):
        self.comments = deque(sorted(comments, key=lambda c: c.line))
        self.lines: list[str] = []

    def flush(self, before_line: int, indent: str) -> None:
        while self.comments and self.comments[0].line < before_line:
            self.lines.append(indent + self.comments.popleft().text)

    def attached(self, line: int) -> int:
        """The first line of the run of comment lines just above ``line``: they belong to
        the item there and stay with it, after the blank line that opens its group."""
        lines = {c.line for c in self.comments}
        while line - 1 in lines:
            line -= 1
        return line

    def trailing(self, line: int) -> str:
        if self.comments and self.comments[0].line == line:
            return "  " + self.comments.popleft().text
        return ""

    def emit(self, text: str, node: s.Node, indent: str) -> None:
        self.flush(node.span.line, indent)
        self.lines.append(indent + text + self.trailing(node.span.end_line))

    def module(self, m: s.Module) -> str:
        self.lines.append(f"resgraph {m.version}" + self.trailing(1))
        prev: str | None = None
        for item in m.items:
            group = _GROUPS.get(type(item).__name__, type(item).__name__)
            if group != prev or group == "BlockDef":
                self.flush(self.attached(item.span.line), "")
                self.lines.append("")
            prev = group
            self.item(item, "")
        self.flush(10**9, "")
        return "\n".join(self.lines) + "\n"

    def item(self, it: s.Stmt, ind: str) -> None:
        if isinstance(it, s.Use):
            self.emit(f'use "{it.path}"', it, ind)
        elif isinstance(it, s.Param):
            self.emit(f"param {it.name} = {format_expr(it.value)}", it, ind)
        elif isinstance(it, s.Variant):
            summary = f' "{it.summary}"' if it.summary is not None else ""
            self.emit(f"variant {it.name}({_kwargs(it.kwargs)}){summary}", it, ind)
        elif isinstance(it, s.Network):
            summary = f' "{it.summary}"' if it.summary is not None else ""
            self.emit(f"network {it.name}{summary}", it, ind)
        elif isinstance(it, s.Input):
            self.emit(f"input {format_expr(it.shape)}", it, ind)
        elif isinstance(it, s.Stem):
            self.body("stem", it.body, it, ind)
        elif isinstance(it, s.Head):
            self.body(_head(it), it.body, it, ind)
        elif isinstance(it, s.Output):
            self.emit(_output(it), it, ind)
        elif isinstance(it, s.Stage):
            self.stage(it, ind)
        elif isinstance(it, s.For):
            self.for_(it, ind)
        elif isinstance(it, s.BlockDef):
            params = ", ".join(p.name if p.default is None else f"{p.name} = {format_expr(p.default)}"
                               for p in it.params)
            doc = f' "{it.doc}"' if it.doc is not None else ""
            self.body(f"block {it.name}({params}){doc}", it.body, it, ind)
        else:
            self.stmt(it, ind)

    def stage(self, st: s.Stage, ind: str) -> None:
        name = _fstring(st.name_fmt) if st.name_fmt is not None else st.name
        head = f"stage {name}: {format_expr(st.block)} x {_wrap(st.depth, _ATOM - 1)}"
        if st.stride is not None:
            head += f" stride {_wrap(st.stride, _ATOM - 1)}"
        if st.at is not None:
            head += f" at {_wrap(st.at, _ATOM - 1)}"
        if st.on is not None:
            head += f" on {_wrap(st.on, _ATOM - 1)}"
        if not st.overrides:
            self.emit(head, st, ind)
            return
        self.flush(st.span.line, ind)
        self.lines.append(f"{ind}{head} {{" + self.trailing(st.span.line))
        for ov in st.overrides:
            ranges = ", ".join(str(lo) if lo == hi else f"{lo}..{hi}" for lo, hi in ov.ranges)
            self.emit(f"{ranges}: {_kwargs(ov.kwargs)}", ov, ind + INDENT)
        self.flush(st.span.end_line, ind + INDENT)
        self.lines.append(ind + "}")

    def for_(self, st: s.For, ind: str) -> None:
        self.flush(st.span.line, ind)
        self.lines.append(f"{ind}for {st.var} in {format_expr(st.items)} {{"
                          + self.trailing(st.span.line))
        for item in st.body:
            self.item(item, ind + INDENT)
        self.flush(st.span.end_line, ind + INDENT)
        self.lines.append(ind + "}")

    def body(self, head: str, body: s.Body, owner: s.Node, ind: str) -> None:
        self.flush(owner.span.line, ind)
        self.lines.append(f"{ind}{head} {{" + self.trailing(owner.span.line))
        for st in body.stmts:
            self.stmt(st, ind + INDENT)
        self.flush(body.span.end_line, ind + INDENT)
        self.lines.append(ind + "}")

    def stmt(self, st: s.Stmt, ind: str) -> None:
        if isinstance(st, s.Let):
            self.emit(f"let {st.name} = {format_expr(st.value)}", st, ind)
        elif isinstance(st, s.Require):
            self.emit(f'require {format_expr(st.test)}, "{st.message}"', st, ind)
        elif isinstance(st, s.Assign):
            self.flow(f"{st.name} = ", st.flow, st, ind)
        elif isinstance(st, s.FlowStmt):
            self.flow("", st.flow, st, ind)
        elif isinstance(st, s.Return):
            self.flow("return ", st.flow, st, ind)
        elif isinstance(st, s.If):
            self.if_(st, ind)
        elif isinstance(st, s.Loop):
            self.loop(st, ind)
        else:
            self.item(st, ind)

    def flow(self, prefix: str, flow: s.Flow, owner: s.Node, ind: str) -> None:
        steps = [_step(p) for p in flow.steps]
        one = ind + prefix + " -> ".join(steps)
        if len(one) <= WIDTH or len(steps) == 1:
            self.emit(prefix + " -> ".join(steps), owner, ind)
            return
        self.flush(owner.span.line, ind)
        line = ind + prefix + steps[0]
        for step in steps[1:]:
            if len(line) + 4 + len(step) > WIDTH:
                self.lines.append(line)
                line = ind + INDENT + "-> " + step
            else:
                line += " -> " + step
        self.lines.append(line + self.trailing(owner.span.end_line))

    def loop(self, st: s.Loop, ind: str) -> None:
        self.flush(st.span.line, ind)
        self.lines.append(f"{ind}for {st.var} in {format_expr(st.items)} {{")
        for inner in st.body.stmts:
            self.stmt(inner, ind + INDENT)
        self.flush(st.span.end_line, ind + INDENT)
        self.lines.append(ind + "}")

    def if_(self, st: s.If, ind: str) -> None:
        self.flush(st.span.line, ind)
        for i, (test, body) in enumerate(st.branches):
            opener = f"if {format_expr(test)} {{" if i == 0 else f"}} elif {format_expr(test)} {{"
            self.lines.append(ind + opener)
            for inner in body.stmts:
                self.stmt(inner, ind + INDENT)
        if st.orelse is not None:
            self.lines.append(ind + "} else {")
            for inner in st.orelse.stmts:
                self.stmt(inner, ind + INDENT)
        self.flush(st.span.end_line, ind + INDENT)
        self.lines.append(ind + "}")
