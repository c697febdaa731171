"""format: canonical text that parses back to the same tree, idempotent, comments kept."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import resgraph
from resgraph import syntax as s
from resgraph.errors import Span
from resgraph.format import format_expr, format_module
from resgraph.parse import RESERVED, parse

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.rg")) + [ROOT / "resgraph" / "prelude.rg"]
SP = Span("<gen>", 1, 1, 1, 2)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_shipped_specs_are_canonical_and_round_trip(path):
    text = path.read_text()
    module = parse(text, path.name)
    formatted = format_module(module)
    assert parse(formatted, "again") == module
    assert format_module(parse(formatted, "again")) == formatted
    assert formatted == text, f"{path.name} is not in canonical form: run resgraph fmt --write"


def test_comments_are_kept():
    text = ("resgraph 1\n# about\n\nparam n = 3  # blocks per stage\n\nnetwork t\ninput 3x8x8\n\n"
            "stem {\n  # the stem\n  conv(3, 4)\n}\n")
    out = format_module(parse(text))
    assert "# about" in out and "# blocks per stage" in out and "# the stem" in out
    assert format_module(parse(out)) == out


# names that begin with keywords ('paramn', 'x2') are names like any other
names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda n: n not in RESERVED)
ints = st.integers(min_value=0, max_value=999)
strings = st.from_regex(r"[A-Za-z0-9 _.]{0,8}", fullmatch=True)
floats = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
# the text between an f-string's parts: braces doubled when printed
fs_texts = st.from_regex(r"[A-Za-z0-9 _.{}-]{1,6}", fullmatch=True)


def fstrings(children):
    """f-strings whose parts are names, integers or any expression without a string."""
    part = st.one_of(names.map(lambda v: s.Name(SP, v)), ints.map(lambda v: s.Int(SP, v)),
                     children.filter(lambda e: '"' not in format_expr(e)))
    pieces = st.lists(st.tuples(fs_texts, part), max_size=2)
    return st.builds(lambda ps, tail: s.FString(SP, [x for p in ps for x in p] + tail),
                     pieces, st.lists(fs_texts, max_size=1))


def exprs():
    leaves = st.one_of(
        ints.map(lambda v: s.Int(SP, v)),
        strings.map(lambda v: s.Str(SP, v)),
        st.booleans().map(lambda v: s.Bool(SP, v)),
        names.map(lambda v: s.Name(SP, v)),
        st.lists(st.integers(1, 64), min_size=2, max_size=3).map(lambda d: s.ShapeLit(SP, tuple(d))),
        floats.map(lambda v: s.Float(SP, v)),
    )

    def extend(children):
        kwarg = st.builds(lambda n, v: s.Kwarg(SP, n, v), names, children)
        return st.one_of(
            st.builds(lambda op, a, b: s.BinOp(SP, op, a, b), st.sampled_from(["+", "-", "*", "/", "//", "%", "**"]), children, children),
            st.builds(lambda e, v, i, c: s.Comp(SP, e, v, i, c), children, names, children, st.none() | children),
            fstrings(children),
            st.builds(lambda op, a, b: s.Compare(SP, op, a, b), st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in"]), children, children),
            st.builds(lambda op, a, b: s.Logic(SP, op, a, b), st.sampled_from(["and", "or"]), children, children),
            st.builds(lambda a: s.Not(SP, a), children),
            st.builds(lambda a: s.Neg(SP, a), children),
            st.builds(lambda a, b, c: s.Cond(SP, a, b, c), children, children, children),
            st.builds(lambda a, k: s.Index(SP, a, k), children, children),
            st.builds(lambda f, a, k: s.Call(SP, f, a, k), names, st.lists(children, max_size=3), st.lists(kwarg, max_size=2)),
            st.lists(children, max_size=3).map(lambda i: s.ListLit(SP, i)),
            st.lists(st.tuples(children, children), max_size=2).map(lambda e: s.DictLit(SP, e)),
        )

    return st.recursive(leaves, extend, max_leaves=5)


def flows():
    paths = st.lists(names | ints.map(str), min_size=1, max_size=3).map(lambda ps: ".".join(ps))
    step = st.builds(lambda lab, e: s.Step(SP, lab, e), st.none() | names | ints.map(str)
                     | st.builds(lambda a, b: f"{a}.{b}", names, paths), exprs())
    return st.lists(step, min_size=1, max_size=4).map(lambda steps: s.Flow(SP, steps))


def bodies(depth=2):
    simple = st.one_of(
        st.builds(lambda n, e: s.Let(SP, n, e), names, exprs()),
        st.builds(lambda e, m: s.Require(SP, e, m), exprs(), strings),
        st.builds(lambda n, f: s.Assign(SP, n, f), names, flows()),
        flows().map(lambda f: s.FlowStmt(SP, f)),
        flows().map(lambda f: s.Return(SP, f)),
    )
    if depth:
        inner = bodies(depth - 1)
        simple = simple | st.builds(lambda br, orelse: s.If(SP, br, orelse),
                                    st.lists(st.tuples(exprs(), inner), min_size=1, max_size=2),
                                    st.none() | inner)
        simple = simple | st.builds(lambda n, e, b: s.Loop(SP, n, e, b), names, exprs(), inner)
    return st.lists(simple, max_size=4).map(lambda stmts: s.Body(SP, stmts))


items = st.one_of(
    st.builds(lambda n, e: s.Param(SP, n, e), names, exprs()),
    st.builds(lambda n, e: s.Let(SP, n, e), names, exprs()),
    st.builds(lambda p: s.Use(SP, p), strings),
    st.builds(lambda n, k, d: s.Variant(SP, n, k, d), names,
              st.lists(st.builds(lambda n, v: s.Kwarg(SP, n, s.Int(SP, v)), names, ints), max_size=2),
              st.none() | strings),
    st.builds(lambda n, d: s.Network(SP, n, d), names, st.none() | strings),
    exprs().map(lambda e: s.Input(SP, e)),
    bodies().map(lambda b: s.Stem(SP, b)),
    bodies().map(lambda b: s.Head(SP, b)),
    st.builds(lambda n, b, d, sd, ov, at: s.Stage(SP, n, b, d, sd, ov, at), names, exprs(), exprs(),
              st.none() | exprs(),
              st.lists(st.builds(lambda r, k: s.Override(SP, r, k),
                                 st.lists(st.tuples(ints, ints).map(sorted).map(tuple), min_size=1, max_size=2),
                                 st.lists(st.builds(lambda n, v: s.Kwarg(SP, n, v), names, exprs()), min_size=1, max_size=2)),
                       max_size=2), st.none() | exprs()),
    st.builds(lambda v, e, ns: s.For(SP, v, e, [s.Stage(SP, f'f"s{{{v}}}"', s.Name(SP, "b"), s.Int(SP, 1), None, [], None, s.FString(SP, ["s", s.Name(SP, v)]))] * ns),
              names, exprs(), st.integers(0, 2)),
    st.builds(lambda n, ps, d, b: s.BlockDef(SP, n, ps, d, b), names,
              st.lists(st.builds(lambda n, e: s.ParamDecl(SP, n, e), names, st.none() | exprs()), max_size=3),
              st.none() | strings, bodies()),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(items, max_size=5))
def test_any_tree_round_trips_through_text(items_):
    module = s.Module(SP, 1, items_)
    text = format_module(module)
    again = parse(text, "gen")
    assert again == module, text
    assert format_module(again) == text


def test_an_fstring_holding_a_table_and_an_fstring_label_round_trip():
    text = 'resgraph 1\n\nlet a = f"x{ {1: 2}[1]}y"\n\nblock b(n = 1) {\n  f"block.{n}.0": relu\n}\n'
    assert format_module(parse(text, "t.rg")) == text
    assert resgraph.load(resgraph.Source(text + "network t\ninput 3x4x4\nstage s: b(2) x 1\n")
                         ).nodes["s.0.block.2.0"].op == "relu"
