"""elaborate: numbers, math, comprehensions, 'for' over stages, f-strings and scopes from 'at'."""

import pytest

import resgraph

NET = """resgraph 1
param wm = 2.5
param d = 6
let ws = [round(24 * wm ** round(log((36.0 * j + 24) / 24, wm)) / 8) * 8 for j in range(d)]
let firsts = [j for j in range(d) if j == 0 or ws[j] != ws[j - 1]]
let widths = [ws[j] for j in firsts]
let depths = [len([w for w in ws if w == v]) for v in widths]
network t
input 3x32x32
stem {
  stem.0: conv(3, 8, stride=2) -> stem.1: bn -> stem.2: relu
}
for k in range(len(widths)) {
  stage f"s{k + 1}": basic(widths[k]) x depths[k] stride 2 at f"trunk.block{k + 1}.block{k + 1}-{i}"
}
head {
  global_avgpool -> flatten
  fc: linear(10)
}
"""


def load(text: str, **params):
    return resgraph.load(resgraph.Source(text), **params)


def error(text: str) -> resgraph.SpecError:
    with pytest.raises(resgraph.SpecError) as info:
        load(text)
    return info.value


def test_stages_from_lists_take_their_names_and_scopes_from_the_for():
    g = load(NET)
    # widths 24·2.5^round(log_2.5((36j + 24)/24)) rounded to multiples of 8, by hand:
    # j = 0: 24; j = 1: 60 -> 64 (7.5 -> 8, half to even); j = 2..5: 150 -> 152 (18.75 -> 19)
    assert [(st.name, st.depth) for st in g.stages] == [("s1", 1), ("s2", 1), ("s3", 4)]
    assert g.stages[2].blocks[:2] == ["trunk.block3.block3-0", "trunk.block3.block3-1"]
    assert g.blocks["trunk.block3.block3-3"].stage == "s3"
    assert g.nodes["trunk.block2.block2-0.conv1"].attrs["out"] == 64
    assert "stem.2" in g.nodes


def test_every_rounding_that_changes_a_value_is_reported_at_its_place():
    """...once per place, however many values it rounds (a comprehension rounds one per
    element): the first rounding and the count of the others."""
    notes = load(NET).notes
    assert "network: round rounded 7.5 to 8; round rounded 1 more value here (<spec>:4:11)" \
        in notes
    assert not any("rounded 3.0" in n for n in notes)  # round(3.0) changes nothing


def test_a_float_parameter_takes_an_integer_and_an_integer_refuses_a_float():
    assert load(NET, wm=3).params["wm"] == 3.0
    with pytest.raises(resgraph.SpecError, match="takes an integer .* got a number 2.5"):
        load(NET, d=2.5)


@pytest.mark.parametrize("expr,value", [
    ("2 ** 10", 1024), ("-2 ** 2", -4), ("2 ** -1", 0.5), ("2 ** 3 ** 2", 512),
    ("7 / 2.0", 3.5), ("floor(7 / 2.0)", 3), ("ceil(3.5)", 4), ("round(2.5)", 2),
    ("sum([1, 2.5])", 3.5), ("min(1.5, 2)", 1.5), ("log(8, 2)", 3.0), ("sqrt(16)", 4.0),
    ("float(3)", 3.0), ("1 == 1.0", True), ("str(1.5) + str(2)", "1.5" + "2"),
    ("range(1, 7, 2)", [1, 3, 5]), ('f"a{1 + 1}{{b}}"', "a2{b}"),
    ("make_divisible(19, 8)", 16), ("make_divisible(19, 8, 0.9)", 24),
    ("make_divisible(32 * 0.75, 8, 0.9)", 24)])
def test_values(expr, value):
    load(f"resgraph 1\nlet got = {expr}\nrequire got == {literal(value)}, \"no\"\ninput 3x8x8\n")


def literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


@pytest.mark.parametrize("expr,message,column", [
    ("7.0 // 2", "'//' works on integers, got 7.0 and 2", 11),
    ("7 / 2", "7 / 2 is not a whole number", 11),
    ("2 ** 100", "integer too large", 11),
    ("2 ** 1000000000000", "integer too large", 11),
    ("10.0 ** 400", "number too large", 11),
    ("log(0)", "log(): log needs a positive number", 11),
    ("range(100000)", "range(): 100000 values, over the limit of 10000", 11),
    ("[1 for j in 3]", "'for' goes over a list or shape, got an integer 3", 23),
    ('f"{[1]}"', "an f-string shows integers, numbers and strings, got a list [1]", 14),
    ("[1][1.0]", "an index must be an integer, got a number 1.0", 15),
])
def test_bad_values_are_errors_at_their_place(expr, message, column):
    err = error(f"resgraph 1\nlet got = {expr}\n")
    assert err.message.startswith(message)
    assert (err.span.line, err.span.column) == (2, column)


def test_a_channel_count_must_be_rounded_explicitly():
    err = error(NET.replace("conv(3, 8, stride=2)", "conv(3, 8 * 1.5, stride=2)"))
    assert "'conv' argument 'out' takes an integer, got a number 12.0" in err.message


def test_an_fstring_part_that_does_not_parse_is_shown_in_its_line():
    err = error('resgraph 1\nlet s = f"block{k + }"\n')
    assert err.message.startswith("unexpected '}'")
    assert (err.span.line, err.span.column) == (2, 19)  # at the "+" left without a right side


def test_a_scope_from_at_must_be_a_path():
    err = error(NET.replace('at f"trunk.block', 'at f"trunk..block'))
    assert "a block's scope is words" in err.message
    assert err.span.line == 14


def test_a_for_holds_stages_lets_and_requires_only():
    err = error(NET.replace("for k in range(len(widths)) {\n",
                            "for k in range(len(widths)) {\n  param z = 1\n"))
    assert err.message.startswith("'param' cannot appear in a 'for'")


def test_a_stages_block_arguments_see_the_blocks_index_i():
    text = """resgraph 1
block scaled(rate = 0.0) {
  conv(1, 4) -> sd: stochastic_depth(rate)
}
network t
input 4x8x8
stage s: scaled(0.5 * i / 3.0) x 4
"""
    g = resgraph.load(resgraph.Source(text))
    assert [n.attrs["p"] for n in g if n.op == "stochastic_depth"] == [0.0, 0.5 / 3, 1 / 3, 0.5]
