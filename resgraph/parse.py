"""parse: spec text → :class:`resgraph.syntax.Module`, with lark (LALR) and readable errors."""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterator
from importlib import resources

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from resgraph import syntax as s
from resgraph.errors import Source, Span, SpecError

#: The language versions this release reads (the ``resgraph N`` line that opens a file).
SUPPORTED_VERSIONS = (1,)

_VALUE_TOKENS = {"NAME", "INT", "STRING", "SHAPE", "COMMENT"}
# After these, a '{' opens a dictionary literal rather than a body.
_EXPR_CONTEXT = {"=", "(", "[", ",", ":", "?", "->", "+", "-", "*", "/", "//", "%", "==", "!=",
                 "<", "<=", ">", ">=", "in", "or", "and", "not"}
# A newline right after these continues the statement.
_CONTINUES = {"->", ",", "{"}


class _Newlines:
    """Postlexer: newlines end statements except inside brackets and after a continuation.

    It cannot look ahead (lark's contextual lexer lexes for the parser's current state), so a
    newline before ``else``, ``elif`` or a leading ``->`` is dropped by the grammar instead.
    """

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        stack: list[str] = []
        prev: Token | None = None
        for tok in stream:
            punct = tok.value if tok.type not in _VALUE_TOKENS else None
            if tok.type == "_NL":
                inside = bool(stack) and stack[-1] != "body"
                after_cont = prev is None or prev.type == "_NL" or (
                    prev.type not in _VALUE_TOKENS and prev.value in _CONTINUES)
                if not inside and not after_cont:
                    yield tok
                    prev = tok
                continue
            if punct in ("(", "["):
                stack.append(punct)
            elif punct == "{":
                is_dict = prev is not None and prev.type not in _VALUE_TOKENS and prev.value in _EXPR_CONTEXT
                stack.append("dict" if is_dict else "body")
            elif punct in (")", "]", "}") and stack:
                stack.pop()
            yield tok
            prev = tok


class _ThreadParser(threading.local):
    """One lark parser per thread, with the list its lexer collects comments into, so that
    parses in several threads at once never share state."""

    def __init__(self) -> None:
        self.comments: list[Token] = []
        grammar = resources.files("resgraph").joinpath("grammar.lark").read_text()
        self.lark = Lark(grammar, parser="lalr", propagate_positions=True,
                         postlex=_Newlines(), lexer_callbacks={"COMMENT": self.comments.append},
                         maybe_placeholders=True)


_local = _ThreadParser()


def _parser() -> Lark:
    return _local.lark


def parse(text: str, file: str = "<spec>") -> s.Module:
    """Parse spec text into a Module; raise :class:`SpecError` at the offending place."""
    source = Source(text, file)
    comments = _local.comments
    comments.clear()
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _wrap_lark_error(exc, source) from None
    try:
        module = _ToAst(source).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, SpecError):
            raise exc.orig_exc from None
        raise
    module.comments = [s.Comment(t.line or 0, str(t.value)) for t in comments]
    comments.clear()
    if module.version not in SUPPORTED_VERSIONS:
        raise SpecError(f"this resgraph reads language version {SUPPORTED_VERSIONS[-1]}, "
                        f"not {module.version}", module.span,
                        hint="upgrade resgraph, or write 'resgraph 1' at the top of the file")
    return module


# Error messages ------------------------------------------------------------------------------

_WORDS = {"NAME": "a name", "INT": "an integer", "STRING": "a string in double quotes",
          "SHAPE": "a shape such as 3x224x224", "_NL": "a new line", "$END": "the end of the file",
          "COMP_OP": "a comparison", "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/', '//' or '%'",
          "_STRIDE": "'stride'"}
_KEYWORDS = ("use", "param", "let", "require", "block", "variant", "network", "input", "stem",
             "stage", "head", "return", "if", "elif", "else")


def _describe(terminal: str) -> str:
    if terminal in _WORDS:
        return _WORDS[terminal]
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal.lower()
    return f"'{pattern.value}'"


def _wrap_lark_error(exc: UnexpectedInput, source: Source) -> SpecError:
    def at(line: int, column: int, end_line: int | None = None,
           end_column: int | None = None) -> Span:
        return Span(source.file, line, column, end_line or line, end_column or column + 1,
                    source)

    line, column = exc.line, exc.column
    if isinstance(exc, UnexpectedCharacters):
        return SpecError(f"unexpected character {exc.char!r}", at(line, column))
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        expected = sorted({_describe(t) for t in exc.accepts or exc.expected})
        shown = ", ".join(expected[:6]) + (", …" if len(expected) > 6 else "")
        if tok.type == "$END":
            end_line = max(1, line if line and line > 0 else 1)
            return SpecError(f"unexpected end of file; expected {shown}",
                             at(end_line, max(1, column)))
        what = "end of line" if tok.type == "_NL" else repr(str(tok.value))
        span = at(tok.line, tok.column, tok.end_line, tok.end_column)
        hint = None
        if tok.type == "NAME":
            close = difflib.get_close_matches(str(tok.value), _KEYWORDS, n=1, cutoff=0.7)
            wanted = {e.strip("'") for e in expected}
            if close and close[0] in wanted:
                hint = f"did you mean '{close[0]}'?"
        return SpecError(f"unexpected {what}; expected {shown}", span, hint=hint)
    return SpecError(str(exc).splitlines()[0], at(line, column))


# Tree → AST ------------------------------------------------------------------------------------


def _string(tok: Token) -> str:
    return str(tok)[1:-1]


@v_args(meta=True, inline=True)
class _ToAst(Transformer):
    def __init__(self, source: Source):
        super().__init__()
        self.source = source

    def _span(self, meta) -> Span:
        if getattr(meta, "empty", False):
            return Span(self.source.file, 1, 1, 1, 2, self.source)
        return Span(self.source.file, meta.line, meta.column, meta.end_line, meta.end_column,
                     self.source)

    # top level
    def start(self, meta, version, *items):
        return s.Module(self._span(meta), version, [i for i in items if i is not None])

    def version(self, meta, n):
        return int(n)

    def use(self, meta, path):
        return s.Use(self._span(meta), _string(path))

    def param(self, meta, name, value):
        return s.Param(self._span(meta), str(name), value)

    def let(self, meta, name, value):
        return s.Let(self._span(meta), str(name), value)

    def require(self, meta, test, message):
        return s.Require(self._span(meta), test, _string(message))

    def variant(self, meta, name, kwargs, summary):
        return s.Variant(self._span(meta), str(name), kwargs or [],
                         _string(summary) if summary else None)

    def network(self, meta, name, summary):
        return s.Network(self._span(meta), str(name), _string(summary) if summary else None)

    def input(self, meta, shape):
        return s.Input(self._span(meta), shape)

    def stem(self, meta, body):
        return s.Stem(self._span(meta), body)

    def head(self, meta, body):
        return s.Head(self._span(meta), body)

    def stage(self, meta, name, block, depth, stride, overrides):
        return s.Stage(self._span(meta), str(name), block, depth, stride, overrides or [])

    def block_def(self, meta, name, params, doc, body):
        return s.BlockDef(self._span(meta), str(name), params or [],
                          _string(doc) if doc else None, body)

    def params(self, meta, *decls):
        return list(decls)

    def param_decl(self, meta, name, default):
        return s.ParamDecl(self._span(meta), str(name), default)

    def overrides(self, meta, *items):
        return [i for i in items if i is not None]

    def override(self, meta, ranges, kwargs):
        return s.Override(self._span(meta), ranges, kwargs)

    def index_set(self, meta, *ranges):
        return list(ranges)

    def index_range(self, meta, lo, hi):
        return (int(lo), int(hi if hi is not None else lo))

    # statements
    def body(self, meta, *stmts):
        return s.Body(self._span(meta), [st for st in stmts if st is not None])

    def assign(self, meta, name, flow):
        return s.Assign(self._span(meta), str(name), flow)

    def flow_stmt(self, meta, flow):
        return s.FlowStmt(self._span(meta), flow)

    def return_stmt(self, meta, flow):
        return s.Return(self._span(meta), flow)

    def if_stmt(self, meta, *parts):
        parts = list(parts)
        orelse = parts.pop() if len(parts) % 2 == 1 else None
        branches = [(parts[i], parts[i + 1]) for i in range(0, len(parts), 2)]
        return s.If(self._span(meta), branches, orelse)

    def flow(self, meta, *steps):
        return s.Flow(self._span(meta), list(steps))

    def labelled(self, meta, label, expr):
        return s.Step(self._span(meta), label, expr)

    def unlabelled(self, meta, expr):
        return s.Step(self._span(meta), None, expr)

    def label(self, meta, tok):
        return str(tok)

    def kwargs(self, meta, *items):
        return list(items)

    def kwarg(self, meta, name, value):
        return s.Kwarg(self._span(meta), str(name), value)

    # expressions
    def cond(self, meta, test, then, orelse):
        return s.Cond(self._span(meta), test, then, orelse)

    def or_(self, meta, left, right):
        return s.Logic(self._span(meta), "or", left, right)

    def and_(self, meta, left, right):
        return s.Logic(self._span(meta), "and", left, right)

    def not_(self, meta, operand):
        return s.Not(self._span(meta), operand)

    def compare(self, meta, left, op, right):
        return s.Compare(self._span(meta), str(op), left, right)

    def binop(self, meta, left, op, right):
        return s.BinOp(self._span(meta), str(op), left, right)

    def neg(self, meta, operand):
        return s.Neg(self._span(meta), operand)

    def index(self, meta, target, key):
        return s.Index(self._span(meta), target, key)

    def call(self, meta, name, args):
        items = args.children if args is not None else []
        positional = [a for a in items if not isinstance(a, s.Kwarg)]
        keywords = [a for a in items if isinstance(a, s.Kwarg)]
        if any(isinstance(a, s.Kwarg) for a in items[: len(positional)]):
            first = next(a for a in items if isinstance(a, s.Kwarg))
            raise SpecError("positional argument after a keyword argument", first.span)
        return s.Call(self._span(meta), str(name), positional, keywords)

    def int_(self, meta, tok):
        return s.Int(self._span(meta), int(tok))

    def str_(self, meta, tok):
        return s.Str(self._span(meta), _string(tok))

    def shape(self, meta, tok):
        return s.ShapeLit(self._span(meta), tuple(int(d) for d in str(tok).split("x")))

    def true(self, meta):
        return s.Bool(self._span(meta), True)

    def false(self, meta):
        return s.Bool(self._span(meta), False)

    def name(self, meta, tok):
        return s.Name(self._span(meta), str(tok))

    def list_(self, meta, *items):
        return s.ListLit(self._span(meta), [i for i in items if i is not None])

    def dict_(self, meta, *entries):
        return s.DictLit(self._span(meta), [e for e in entries if e is not None])

    def entry(self, meta, key, value):
        return (key, value)
