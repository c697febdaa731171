"""parse: keywords end at a word boundary and name nothing; nesting, integers and text size
are bounded, each with a positioned error and never a Python exception."""

import pytest

from resgraph.errors import SpecError, did_you_mean
from resgraph.files import MAX_SPEC_BYTES
from resgraph.format import format_module
from resgraph.parse import KEYWORDS, MAX_INT, MAX_NESTING, parse


def parse_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        parse(text)
    return info.value


# keywords ----------------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "paramn = 2", "networkfoo", "letx = 1", "network t\ninput3x32x32",
    "let a = 1 inx", "let a = true andx",
    "stage l: basic(16) xn", "stage l: basic(16) x 2 stride2",
])
def test_a_keyword_glued_to_a_name_is_no_keyword(line):
    err = parse_error(f"resgraph 1\n{line}\n")
    assert err.message.startswith("unexpected")


def test_a_glued_keyword_is_pointed_out():
    err = parse_error("resgraph 1\nparamn = 2\n")
    assert (err.span.line, err.span.column, err.span.end_column) == (2, 1, 7)
    assert err.hint == "put a space after the keyword: 'param n'"


def test_a_misspelt_keyword_gets_the_one_suggestion():
    err = parse_error("resgraph 1\nnetwrk bad\n")
    items = ["block", "for", "head", "input", "let", "network", "output", "param", "require", "stage", "use",
             "variant"]
    assert err.hint == did_you_mean("netwrk", items)


@pytest.mark.parametrize("text,word", [
    ("param if = 1", "if"),
    ("let stem = 1", "stem"),
    ("block head() {\n  relu\n}", "head"),
    ("block b(use = 1) {\n  relu\n}", "use"),
    ("network let", "let"),
    ("variant resgraph(n=1)", "resgraph"),
    ("stage input: basic(16) x 1", "input"),
    ("block b() {\n  network = relu\n}", "network"),
    ("block b() {\n  stem: relu\n}", "stem"),
    ("let a = conv(3, 8, else=1)", "else"),
])
def test_a_keyword_names_nothing(text, word):
    err = parse_error(f"resgraph 1\n{text}\n")
    assert err.message == f"'{word}' is a keyword, not a name"
    assert err.span.end_column - err.span.column == len(word)


def test_x_and_stride_are_keywords_only_on_a_stage_line():
    text = ("resgraph 1\nlet x = 2\nlet stride = 2\nblock b(stride = 1) {\n  x: relu\n}\n"
            "stage s: b(stride=stride) x x stride stride\n")
    stage = parse(text).items[-1]
    assert (stage.depth.id, stage.stride.id) == ("x", "stride")
    assert {"x", "stride", "in", "input"} <= KEYWORDS


NAMES = ["paramn", "networkfoo", "input3", "xn", "stride2", "iffy", "notable", "order",
         "android", "truely", "inner", "lethal", "stemcell", "headroom", "x", "stride",
         "in_channels", "blocky", "useful", "elsewhere", "returned"]


@pytest.mark.parametrize("name", NAMES)
def test_names_that_begin_with_keywords_round_trip_through_fmt(name):
    text = (f"resgraph 1\nparam {name} = 1\nlet {name}_b = {name} in [{name}] and not false\n"
            f"block {name}_blk({name} = 2) {{\n  {name}: conv(3, {name}) -> relu\n"
            f"  if {name} > 1 {{\n    {name}_t = relu\n  }}\n}}\n"
            f"network {name}_net\ninput 3x8x8\nstage s: {name}_blk({name}={name}) x {name}\n")
    module = parse(text)
    out = format_module(module)
    assert parse(out) == module
    assert format_module(parse(out)) == out


# nesting -----------------------------------------------------------------------------------

def nest(kind: str, n: int) -> str:
    """A let (or a block, for 'if') nested ``n`` levels deep."""
    if kind == "if":
        body = "relu"
        for _ in range(n - 1):  # the block's own body is a level too
            body = f"if true {{\n{body}\n}}"
        return f"resgraph 1\nblock b() {{\n{body}\n}}\n"
    expr = {"-": lambda: "-" * n + "1", "not": lambda: "not " * n + "true",
            "[": lambda: "[" * n + "]" * n, "+": lambda: " + ".join(["1"] * (n + 1)),
            "call": lambda: "f(" * n + ")" * n, "table": lambda: "{1: " * n + "1" + "}" * n,
            "index": lambda: "a" + "[0]" * n}[kind]()
    return f"resgraph 1\nlet a = {expr}\n"


KINDS = ["-", "not", "[", "+", "call", "table", "index", "if"]


@pytest.mark.parametrize("kind", KINDS)
def test_nesting_up_to_the_bound_parses_and_formats(kind):
    module = parse(nest(kind, MAX_NESTING))
    assert parse(format_module(module)) == module


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extra", [1, 5000])
def test_nesting_past_the_bound_is_an_error_where_it_is_crossed(kind, extra):
    err = parse_error(nest(kind, MAX_NESTING + extra))
    assert err.message == f"nested more than {MAX_NESTING} levels deep"
    if kind == "-":
        assert (err.span.line, err.span.column) == (2, len("let a = ") + MAX_NESTING + 1)
    if kind == "if":
        assert err.span.line == 2 + MAX_NESTING


def test_brackets_and_flat_lists_nest_no_level():
    module = parse("resgraph 1\nlet a = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
                   "let b = [" + ", ".join(["1"] * 20000) + "]\n")
    assert len(module.items[1].value.items) == 20000


# integers and size ------------------------------------------------------------------------

@pytest.mark.parametrize("literal", [str(MAX_INT), "0" * 40 + "7", f"2x{MAX_INT}"])
def test_integers_up_to_the_bound_parse(literal):
    parse(f"resgraph 1\nlet a = {literal}\n")


@pytest.mark.parametrize("text", [
    f"let a = {MAX_INT + 1}", "let a = " + "9" * 5000, "let a = 3x" + "9" * 30,
    "stage s: b x 3 {\n  0.." + "9" * 5000 + ": se=4\n}", "block b() {\n  " + "1" * 30 + ": relu\n}",
])
def test_an_integer_past_the_bound_is_an_error_at_its_literal(text):
    err = parse_error(f"resgraph 1\n{text}\n")
    assert err.message == "integer too large"
    assert err.span.line >= 2


def test_spec_text_is_bounded():
    err = parse_error("resgraph 1\n" + "#" * MAX_SPEC_BYTES)
    assert "over the limit of 1 MiB" in err.message
