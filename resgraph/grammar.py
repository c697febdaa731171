"""The grammar: lark's LALR parser of ``grammar.lark`` and the transformer of its trees into
the AST (:mod:`resgraph.syntax`), with lark's errors put in words a person knows.

:mod:`resgraph.parse` imports this module only for a text whose tree it does not keep, so
that a command on a spec read before neither imports lark nor builds its parser.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from lark import Lark, Token, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive

from resgraph import cache
from resgraph import syntax as s
from resgraph.errors import Source, Span, SpecError, closest, did_you_mean
from resgraph.parse import (
    GRAMMAR,
    MAX_INT,
    MAX_NESTING,
    NESTING_RULES,
    RESERVED,
    WORD_TERMINALS,
    int_error,
)
from resgraph.parse import span as _span


def parse_module(source: Source) -> s.Module:
    """The module of a spec's text, its comments kept; a :class:`SpecError` where it is not
    the language."""
    comments = _local.comments
    comments.clear()
    try:
        tree = _parser().parse(source.text, start="start")
    except UnexpectedInput as exc:
        raise _wrap_lark_error(exc, source) from None
    _check_nesting(tree, lambda *where: _span(source, *where))
    module = _transform(_ToAst(source), tree)
    module.comments = [s.Comment(t.line or 0, str(t.value)) for t in comments]
    comments.clear()
    return module


def parse_sweep_file(source: Source) -> tuple[int, s.Sweep]:
    """The language version and the sweep of a sweep file's text."""
    try:
        tree = _sweep_parser().parse(source.text)
    except UnexpectedInput as exc:
        raise _wrap_lark_error(exc, source) from None
    version, sweep = _transform(_SweepToAst(source), tree).children
    return version, sweep


_VALUE_TOKENS = {"NAME", "INT", "FLOAT", "STRING", "FSTRING", "SHAPE", "COMMENT", "REST"}
# After these, a '{' opens a dictionary literal rather than a body.
_EXPR_CONTEXT = {"=", "(", "[", ",", ":", "?", "->", "+", "-", "*", "/", "//", "%", "==", "!=",
                 "<", "<=", ">", ">=", "in", "or", "and", "not", "**"}
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


#: held while lark builds a parser: building reads the grammar's literals with Python's ``ast``
#: module, whose C-level constructor is not safe in several threads at once on CPython 3.11
#: ("SystemError: AST constructor recursion depth mismatch", seen here under load)
_BUILDING = threading.Lock()


def _build(start: str | list[str], **options: Any) -> Lark:
    """A parser of the grammar from ``start``. Analysing the grammar takes about 75 ms, a
    sixth of a command's start-up, so lark keeps the result in the user's cache folder
    (:func:`_cache_file`); the file is keyed by the grammar, the options, lark's and Python's
    versions, and one missing, stale or unreadable costs only the build."""
    with _BUILDING:
        return Lark(GRAMMAR, parser="lalr", propagate_positions=True, postlex=_Newlines(),
                    maybe_placeholders=True, start=start, cache=_cache_file(start), **options)


def _cache_file(start: str | list[str]) -> str | bool:
    """Where lark keeps the parser of ``start`` (in :func:`resgraph.cache.folder`, whose rules
    make it safe to unpickle), or False (no cache) where there is no such folder."""
    folder = cache.folder()
    if folder is None:
        return False
    key = hashlib.sha256(f"{GRAMMAR}{start}".encode()).hexdigest()[:16]
    return str(folder / f"parser-{key}.lark")


class _ThreadParser(threading.local):
    """One lark parser per thread, with the list its lexer collects comments into, so that
    parses in several threads at once never share state."""

    def __init__(self) -> None:
        self.comments: list[Token] = []
        self.lark = _build(["start", "expr"],
                           lexer_callbacks={"COMMENT": self.comments.append})


_local = _ThreadParser()


def _parser() -> Lark:
    return _local.lark




@functools.cache
def _sweep_parser() -> Lark:
    """The parser of sweep files, built on first use (a spec never needs it); lark's LALR
    parser keeps no state between parses, so threads share it."""
    return _build("sweep_file")


def _transform(to_ast: _ToAst, tree: Tree):
    """``tree`` made an AST; a :class:`SpecError` raised on the way comes out as itself."""
    try:
        return to_ast.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, SpecError):
            raise exc.orig_exc from None
        raise


def _check_nesting(tree: Tree, at: Callable[[int, int, int, int], Span]) -> None:
    """Refuse a tree nested past :data:`MAX_NESTING`, at the first node past it; an explicit
    walk, so that no depth of text reaches Python's recursion limit."""
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        depth += node.data in NESTING_RULES
        if depth > MAX_NESTING:
            m = node.meta
            raise SpecError(f"nested more than {MAX_NESTING} levels deep",
                            at(m.line, m.column, m.end_line, m.end_column),
                            hint="operators, calls, lists, tables and bodies each nest a level; "
                                 "give inner parts names with 'let', or split them into blocks")
        stack.extend((c, depth) for c in reversed(node.children) if isinstance(c, Tree))


# Error messages ------------------------------------------------------------------------------

_WORDS = {"NAME": "a name", "INT": "an integer", "STRING": "a string in double quotes",
          "SHAPE": "a shape such as 3x224x224", "_NL": "a new line", "$END": "the end of the file",
          "COMP_OP": "a comparison", "FLOAT": "a number such as 2.5",
          "FSTRING": 'an f-string such as f"block{k}"', "POW_OP": "'**'", "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/', '//' or '%'",
          "REST": "a value", **{name: f"'{word}'" for name, word in WORD_TERMINALS.items()}}


def _describe(terminal: str) -> str:
    if terminal in _WORDS:
        return _WORDS[terminal]
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal.lower()
    return f"'{pattern.value}'"


def _keyword_hint(word: str, expected: set[str]) -> str | None:
    """A word where a keyword belongs: the keyword it starts with ('paramn'), or the one
    :func:`closest` finds close to it ('netwrk'); nothing when none is close, as the
    message already lists what was expected."""
    keywords = {WORD_TERMINALS[t] for t in expected if t in WORD_TERMINALS}
    glued = [k for k in keywords if word.startswith(k)]
    if glued:
        keyword = max(glued, key=len)
        return f"put a space after the keyword: '{keyword} {word[len(keyword):]}'"
    return did_you_mean(word, keywords) if closest(word, keywords) else None


def _wrap_lark_error(exc: UnexpectedInput, source: Source,
                     origin: tuple[int, int] = (1, 1)) -> SpecError:
    """The error lark raised, in words; ``origin`` places the text of an f-string's part."""
    def at(line: int, column: int, end_line: int | None = None,
           end_column: int | None = None) -> Span:
        if origin != (1, 1):
            row, shift = origin[0], origin[1] - 1
            return _span(source, row, column + shift, row, (end_column or column + 1) + shift)
        return _span(source, line, column, end_line or line, end_column or column + 1)

    line, column = exc.line, exc.column
    if isinstance(exc, UnexpectedCharacters):
        return SpecError(f"unexpected character {exc.char!r}", at(line, column))
    if isinstance(exc, UnexpectedToken):
        tok: Any = _first_word(exc.token) if exc.token.type == "REST" else exc.token
        expected = sorted({_describe(t) for t in exc.accepts or exc.expected})
        shown = ", ".join(expected[:6]) + (", …" if len(expected) > 6 else "")
        if tok.type == "$END":
            end_line = max(1, line if line and line > 0 else 1)
            end = "end of file" if origin == (1, 1) else "'}'"
            return SpecError(f"unexpected {end}; expected {shown}",
                             at(end_line, max(1, column)))
        what = "end of line" if tok.type == "_NL" else repr(str(tok.value))
        span = at(tok.line, tok.column, tok.end_line, tok.end_column)
        hint = _keyword_hint(str(tok.value), exc.accepts or exc.expected) if (
            tok.type == "NAME") else None
        return SpecError(f"unexpected {what}; expected {shown}", span, hint=hint)
    return SpecError(str(exc).splitlines()[0], at(line, column))


def _first_word(tok: Token) -> Token:
    """A sweep setting's text where none belongs (lark's fallback lexer reads the rest of
    the line as one): its first word, which is what the error is about."""
    word = re.match(r"[A-Za-z_]\w*|\S", str(tok))
    text = word.group() if word else str(tok)
    return Token("NAME" if text[0].isalpha() or text[0] == "_" else "REST", text,
                 line=tok.line, column=tok.column, end_line=tok.line,
                 end_column=(tok.column or 1) + len(text))


def _fstring_pieces(text: str, span: Span) -> Iterator[tuple[str, int, bool]]:
    """The pieces of an f-string's text: (text, its offset, whether it is an expression)."""
    i, n = 0, len(text)
    while i < n:
        if text.startswith(("{{", "}}"), i):
            yield text[i], i, False
            i += 2
        elif text[i] == "{":
            end = _closing_brace(text, i, span)
            if not text[i + 1:end].strip():
                raise SpecError("empty '{}' in an f-string", span, hint="write {{ for a brace")
            yield text[i + 1:end], i + 1, True
            i = end + 1
        elif text[i] == "}":
            raise SpecError("a '}' in an f-string closes nothing", span, hint="write }} for a brace")
        else:
            j = min((k for k in (text.find("{", i), text.find("}", i)) if k >= 0), default=n)
            yield text[i:j], i, False
            i = j


def _closing_brace(text: str, start: int, span: Span) -> int:
    depth = 0
    for k in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        if depth == 0:
            return k
    raise SpecError("a '{' in an f-string is never closed", span, hint="write {{ for a brace")


# Tree → AST ------------------------------------------------------------------------------------


def _string(tok: Token) -> str:
    return str(tok)[1:-1]


@v_args(meta=True, inline=True)
class _ToAst(Transformer_NonRecursive):
    """Tree → AST without recursion (a tree is as deep as :data:`MAX_NESTING` allows, and
    more than that for the structure around it)."""

    def __init__(self, source: Source, origin: tuple[int, int] = (1, 1)):
        super().__init__()
        self.source = source
        self.origin = origin

    def _span(self, meta) -> Span:
        if getattr(meta, "empty", False):
            return _span(self.source, *self.origin, self.origin[0], self.origin[1] + 1)
        return self._at(meta.line, meta.column, meta.end_line, meta.end_column)

    def _token_span(self, tok: Token) -> Span:
        return self._at(tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 2)

    def _at(self, line: int, column: int, end_line: int, end_column: int) -> Span:
        """A span in the file; in an f-string's part, parsed alone as one line, the part's
        place in the file is added (``origin``)."""
        row, col = self.origin
        if (row, col) == (1, 1):
            return _span(self.source, line, column, end_line, end_column)
        return _span(self.source, row, column + col - 1, row, end_column + col - 1)

    def _name(self, tok: Token) -> str:
        """A name being defined; a keyword cannot be one, or ``fmt`` would print a file
        that no longer parses."""
        name = str(tok)
        if name in RESERVED:
            raise SpecError(f"'{name}' is a keyword, not a name", self._token_span(tok),
                            hint="choose another name")
        return name

    def _int(self, text: str, tok: Token) -> int:
        """An integer literal, refused past :data:`MAX_INT` before Python converts it (a
        string of thousands of digits is slow to convert, and past 4300 refused)."""
        digits = text.lstrip("0")
        if len(digits) > len(str(MAX_INT)) or int(digits or "0") > MAX_INT:
            raise int_error(self._token_span(tok))
        return int(text)

    # top level
    def start(self, meta, version, *items):
        return s.Module(self._span(meta), version, [i for i in items if i is not None])

    def version(self, meta, n):
        return self._int(str(n), n)

    def use(self, meta, path):
        return s.Use(self._span(meta), _string(path))

    def param(self, meta, name, value):
        return s.Param(self._span(meta), self._name(name), value)

    def let(self, meta, name, value):
        return s.Let(self._span(meta), self._name(name), value)

    def require(self, meta, test, message):
        return s.Require(self._span(meta), test, _string(message))

    def variant(self, meta, name, kwargs, summary):
        return s.Variant(self._span(meta), self._name(name), kwargs or [],
                         _string(summary) if summary else None)

    def network(self, meta, name, summary):
        return s.Network(self._span(meta), self._name(name), _string(summary) if summary else None)

    def input(self, meta, shape):
        return s.Input(self._span(meta), shape)

    def stem(self, meta, body):
        return s.Stem(self._span(meta), body)

    def head(self, meta, name, on, body):
        return s.Head(self._span(meta), body, self._name(name) if name else None, on)

    def stage(self, meta, name, block, depth, stride, at, on, overrides):
        text, fmt = name
        return s.Stage(self._span(meta), text, block, depth, stride, overrides or [], at, fmt, on)

    def output_tuple(self, meta, *names):
        return s.Output(self._span(meta), list(names), "tuple")

    def output_dict(self, meta, *entries):
        return s.Output(self._span(meta), [e for e in entries if e is not None], "dict")

    def training_tuple(self, meta, *names):
        return s.Output(self._span(meta), list(names), "tuple", training=True)

    def training_dict(self, meta, *entries):
        return s.Output(self._span(meta), [e for e in entries if e is not None], "dict",
                        training=True)

    def output_name(self, meta, name):
        return s.OutputName(self._span(meta), self._name(name), self._name(name))

    def output_entry(self, meta, key, name):
        text = _string(key) if key.type == "STRING" else self._name(key)
        return s.OutputName(self._span(meta), text, self._name(name))

    def stage_name(self, meta, tok):
        if tok.type == "FSTRING":
            return str(tok), self.fstring(meta, tok)
        return self._name(tok), None

    def for_items(self, meta, var, _in, items, *body):
        return s.For(self._span(meta), self._name(var), items, [i for i in body if i is not None])

    def block_def(self, meta, name, params, doc, body):
        return s.BlockDef(self._span(meta), self._name(name), params or [],
                          _string(doc) if doc else None, body)

    def params(self, meta, *decls):
        return list(decls)

    def param_decl(self, meta, name, default):
        return s.ParamDecl(self._span(meta), self._name(name), default)

    def overrides(self, meta, *items):
        return [i for i in items if i is not None]

    def override(self, meta, ranges, kwargs):
        return s.Override(self._span(meta), ranges, kwargs)

    def index_set(self, meta, *ranges):
        return list(ranges)

    def index_range(self, meta, lo, hi):
        first = self._int(str(lo), lo)
        return (first, self._int(str(hi), hi) if hi is not None else first)

    # statements
    def body(self, meta, *stmts):
        return s.Body(self._span(meta), [st for st in stmts if st is not None])

    def assign(self, meta, name, flow):
        return s.Assign(self._span(meta), self._name(name), flow)

    def flow_stmt(self, meta, flow):
        return s.FlowStmt(self._span(meta), flow)

    def return_stmt(self, meta, flow):
        return s.Return(self._span(meta), flow)

    def if_stmt(self, meta, *parts):
        parts = list(parts)
        orelse = parts.pop() if len(parts) % 2 == 1 else None
        branches = [(parts[i], parts[i + 1]) for i in range(0, len(parts), 2)]
        return s.If(self._span(meta), branches, orelse)

    def loop(self, meta, var, _in, items, body):
        return s.Loop(self._span(meta), self._name(var), items, body)

    def flow(self, meta, *steps):
        return s.Flow(self._span(meta), list(steps))

    def labelled(self, meta, label, expr):
        return s.Step(self._span(meta), label, expr)

    def unlabelled(self, meta, expr):
        return s.Step(self._span(meta), None, expr)

    def label(self, meta, *toks):
        """A label, or a path of them (``block.0``, ``conv.0.0``), torchvision's nested
        scopes; a part of a path may be a word such as ``block``, as the dots show it is a
        label (one that opens a line, ``if.0``, still cannot be parsed). An f-string label
        (``f"block.{n}.0"``) is computed where the block runs."""
        if len(toks) == 1 and toks[0].type == "FSTRING":
            return self.fstring(meta, toks[0])
        if len(toks) == 1 and toks[0].type == "NAME":
            return self._name(toks[0])
        return ".".join(str(t) if t.type == "NAME" else str(self._int(str(t), t)) for t in toks)

    def kwargs(self, meta, *items):
        return list(items)

    def kwarg(self, meta, name, value):
        return s.Kwarg(self._span(meta), self._name(name), value)

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
        return s.Int(self._span(meta), self._int(str(tok), tok))

    def float_(self, meta, tok):
        value = float(str(tok))
        if not math.isfinite(value) or abs(value) > MAX_INT:
            raise SpecError("number too large", self._token_span(tok),
                            hint=f"numbers stay within -{MAX_INT} to {MAX_INT} (2**63 - 1)")
        return s.Float(self._span(meta), value)

    def str_(self, meta, tok):
        return s.Str(self._span(meta), _string(tok))

    def fstring(self, meta, tok):
        """``f"a{x}b"``: each part in braces parsed as an expression, at its place in the
        line; ``{{`` and ``}}`` are braces themselves."""
        parts: list[str | s.Expr] = []
        text, start = str(tok)[2:-1], (tok.column or 1) + 2
        for piece, offset, is_expr in _fstring_pieces(text, self._token_span(tok)):
            if is_expr:
                parts.append(self._fragment(piece, (tok.line or 1, start + offset)))
            elif parts and isinstance(parts[-1], str):
                parts[-1] += piece
            else:
                parts.append(piece)
        return s.FString(self._span(meta), parts)

    def _fragment(self, text: str, origin: tuple[int, int]) -> s.Expr:
        kept = len(_local.comments)
        try:
            tree = _parser().parse(text, start="expr")
        except UnexpectedInput as exc:
            raise _wrap_lark_error(exc, self.source, origin) from None
        finally:
            del _local.comments[kept:]
        _check_nesting(tree, _ToAst(self.source, origin)._at)
        return _ToAst(self.source, origin).transform(tree)

    def comp(self, meta, expr, var, _in, items, test):
        return s.Comp(self._span(meta), expr, self._name(var), items, test)

    def shape(self, meta, tok):
        return s.ShapeLit(self._span(meta), tuple(self._int(d, tok) for d in str(tok).split("x")))

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


@v_args(meta=True, inline=True)
class _SweepToAst(_ToAst):
    """A sweep file's tree → :class:`resgraph.syntax.Sweep`."""

    def sweep_def(self, meta, name, spec, *settings):
        return s.Sweep(self._span(meta), self._name(name), _string(spec) if spec.type == "STRING"
                       else str(spec), spec.type == "STRING", self._token_span(spec),
                       [i for i in settings if i is not None])

    def _param(self, key: str, meta, name: Token, text: Token) -> s.SweepSetting:
        return s.SweepSetting(self._span(meta), key, str(name), self._token_span(name),
                              str(text).rstrip(), self._text_span(text))

    def _text(self, key: str, meta, tok: Token) -> s.SweepSetting:
        return s.SweepSetting(self._span(meta), key, None, None, str(tok).rstrip(),
                              self._text_span(tok))

    def _text_span(self, tok: Token) -> Span:
        """The span of a setting's text, trailing blanks left out (they end the line)."""
        span = self._token_span(tok)
        end = span.column + len(str(tok).rstrip())
        return _span(self.source, span.line, span.column, span.line, end)

    def sweep_set(self, meta, name, text):
        return self._param("set", meta, name, text)

    def sweep_grid(self, meta, name, text):
        return self._param("grid", meta, name, text)

    def sweep_sample(self, meta, name, text):
        return self._param("sample", meta, name, text)

    def sweep_samples(self, meta, tok):
        return self._text("samples", meta, tok)

    def sweep_accept(self, meta, tok):
        return self._text("accept", meta, tok)

    def sweep_seed(self, meta, tok):
        return self._text("seed", meta, tok)

    def sweep_where(self, meta, tok):
        return self._text("where", meta, tok)

    def sweep_measure(self, meta, tok):
        return self._text("measure", meta, tok)

    def sweep_pareto(self, meta, tok):
        return self._text("pareto", meta, tok)

    def sweep_input(self, meta, tok):
        return self._text("input", meta, tok)
