"""elaborate: bad values, bad files and runaway specs end in a positioned SpecError, soon.

Op arguments out of range, files that cannot be used, blocks that use themselves, integers
past the bound, 'in' and indexing on the wrong types, stages and networks past their sizes,
nesting past the bound, and work past the step budget.
"""

import os
from unittest import mock

import pytest

import resgraph
from resgraph.catalog import catalog
from resgraph.elaborate import MAX_ITEMS, MAX_OPS, MAX_STAGE_DEPTH, MAX_STRING, limits
from resgraph.errors import SpecError, SpecErrors
from resgraph.parse import MAX_INT, MAX_NESTING


def stem(line: str) -> str:
    return f"resgraph 1\nnetwork t\ninput 3x32x32\nstem {{\n  {line}\n}}\n"


def error(text: str, **params) -> SpecError:
    with pytest.raises(SpecError) as info:
        resgraph.load(resgraph.Source(text), **params)
    return info.value


# op arguments --------------------------------------------------------------------------------

@pytest.mark.parametrize("line,at,message", [
    ("conv(3, 0)", "0", "'conv' argument 'out' must be at least 1, got 0"),
    ("conv(0, 16)", "0", "'conv' argument 'kernel' must be at least 1, got 0"),
    ("conv(3x0, 16)", "3x0", "'conv' argument 'kernel' must be at least 1, got 0"),
    ("conv(3, 16, stride=0)", "stride=0", "'conv' argument 'stride' must be at least 1, got 0"),
    ("conv(3, 16, groups=0)", "groups=0", "'conv' argument 'groups' must be at least 1, got 0"),
    ("conv(3, 16, dilation=0)", "dilation=0",
     "'conv' argument 'dilation' must be at least 1, got 0"),
    ("conv(3, 16, pad=-1)", "pad=-1", "'conv' argument 'pad' must be at least 0, got -1"),
    ("conv(3, 2097152)", "2097152", "'conv' argument 'out' must be at most 1048576, got 2097152"),
    ("conv(70000, 8)", "70000", "'conv' argument 'kernel' must be at most 65536, got 70000"),
    ("maxpool(0)", "0", "'maxpool' argument 'kernel' must be at least 1, got 0"),
    ("maxpool(3, stride=0)", "stride=0", "'maxpool' argument 'stride' must be at least 1, got 0"),
    ("avgpool(2, stride=-2)", "stride=-2",
     "'avgpool' argument 'stride' must be at least 1, got -2"),
    ("avgpool(2, pad=-1)", "pad=-1", "'avgpool' argument 'pad' must be at least 0, got -1"),
    ("pad_channels(0)", "0", "'pad_channels' argument 'out' must be at least 1, got 0"),
    ("pad_channels(8, stride=0)", "stride=0",
     "'pad_channels' argument 'stride' must be at least 1, got 0"),
    ("global_avgpool -> flatten -> linear(0)", "0",
     "'linear' argument 'out' must be at least 1, got 0"),
    ("conv(3, 30, groups=4)", "conv(3, 30, groups=4)",
     "conv1: conv with groups=4 needs input and output channels divisible by 4, got 3 in and 30 out"),
    ("conv", "conv", "'conv' needs 'kernel'"),
    ("relu -> maxpool", "maxpool", "'maxpool' needs 'kernel'"),
])
def test_an_op_argument_error_is_at_the_argument(line, at, message):
    err = error(stem(line))
    assert err.message == message
    assert (err.span.line, err.span.column) == (5, 3 + line.rindex(at))


def test_an_op_argument_error_inside_a_built_in_block_is_at_the_stage():
    err = error(stem("conv(3, 16)") + "stage layer1: basic(16, stride=0) x 2\n")
    assert err.message == "'conv' argument 'stride' must be at least 1, got 0"
    assert err.span.line == 7
    assert err.notes[0].startswith("in block 'basic' (layer1.0)")


# files brought in with 'use' ------------------------------------------------------------------

@pytest.mark.parametrize("name,content,message", [
    ("binary.rg", b"resgraph 1\n\0\0", "file 'binary.rg' is a binary file, not spec text"),
    ("latin1.rg", b"resgraph 1\n# caf\xe9\n", "file 'latin1.rg' is not UTF-8 text"),
    ("folder.rg", None, "file 'folder.rg' is a directory, not a file"),
    ("missing.rg", ..., "cannot find 'missing.rg'"),
    ("pipe.rg", "fifo", "'pipe.rg' is not a file (a device or a pipe)"),
])
def test_a_file_that_cannot_be_used_is_an_error_at_the_use(tmp_path, monkeypatch, name,
                                                            content, message):
    monkeypatch.chdir(tmp_path)
    if content is None:
        (tmp_path / name).mkdir()
    elif content == "fifo":
        os.mkfifo(tmp_path / name)
    elif content is not ...:
        (tmp_path / name).write_bytes(content)
    (tmp_path / "net.rg").write_text(f'resgraph 1\nuse "{name}"\n')
    with pytest.raises(SpecError) as info:
        resgraph.load("net.rg")
    assert info.value.message.startswith(message)
    assert (info.value.span.file, info.value.span.line) == ("net.rg", 2)


# blocks that use themselves ------------------------------------------------------------------

@pytest.mark.parametrize("blocks,used,chain", [
    ("block a() {\n  relu -> a\n}", "a", "a → a"),
    ("block a() {\n  relu -> b\n}\nblock b() {\n  c\n}\nblock c() {\n  a\n}", "a",
     "a → b → c → a"),
    ("block a(w = 4) {\n  let again = a(w)\n  conv(1, w) -> again\n}", "a(8)", "a → a"),
])
def test_a_block_that_uses_itself_is_an_error_naming_the_cycle(blocks, used, chain):
    err = error(f"resgraph 1\n{blocks}\n" + stem(used).removeprefix("resgraph 1\n"))
    assert err.message == f"block 'a' uses itself: {chain}"
    assert err.span.line > 1


def test_a_block_used_twice_in_a_row_is_no_cycle():
    g = resgraph.load(resgraph.Source(
        "resgraph 1\nblock a() {\n  relu\n}\nblock b() {\n  a -> a\n}\n" + stem("b -> b")
        .removeprefix("resgraph 1\n")))
    assert [n.op for n in g][1:] == ["relu"] * 4


# integers and other values -------------------------------------------------------------------

def test_repeated_squaring_stops_at_the_integer_bound():
    text = "resgraph 1\nlet a = 3\n" + "let a = a * a\n" * 200
    err = error(text)
    assert err.message == "integer too large"
    assert err.span.line == 2 + 6  # 3**64 is the first past 2**63


@pytest.mark.parametrize("expr", [f"{MAX_INT} + 1", f"-{MAX_INT} - 1", f"{MAX_INT} * 2",
                                  f"make_divisible({MAX_INT}, 1000)"])
def test_arithmetic_past_the_bound_is_an_error_at_the_expression(expr):
    err = error(f"resgraph 1\nlet a = {expr}\n")
    assert (err.message, err.span.column) == ("integer too large", 9)


@pytest.mark.parametrize("default", ["3", '"A"'])
def test_a_parameter_past_the_bound_is_an_error_at_its_line(default):
    err = error(f"resgraph 1\nparam n = {default}\n", n=10**5000)
    assert (err.message, err.span.line) == ("integer too large", 2)


@pytest.mark.parametrize("expr,message", [
    ("3 in 4", "'in' needs a list, shape, table or string, got an integer 4"),
    ('3 in "abc"', "'in' a string looks for a string, got an integer 3"),
    ("[1] in {1: 2}", "table keys are integers or strings, got a list [1]"),
    ("5[0]", "cannot index an integer (5); only lists, shapes and tables can be indexed"),
    ("[1][true]", "an index must be an integer, got a boolean true"),
    ('[1]["0"]', 'an index must be an integer, got a string "0"'),
    ("[1][1]", "index 1 is out of range for [1] (1 items)"),
    ("{1: 2}[3]", "no entry for 3 in this table"),
    ("{1: 2}[[1]]", "table keys are integers or strings, got a list [1]"),
    ("{[1]: 2}", "table keys are integers or strings, got a list [1]"),
    ("len(3)", "len(): takes a list, table, string or shape, got an integer"),
    ("min()", "min(): takes numbers, or a list of them"),
    ("max(1, true)", "max(): takes numbers, or a list of them"),
    ("make_divisible(\"a\", 8)", "make_divisible(): takes a number, an integer divisor and a number round_limit"),
    ("make_divisible(8)", "make_divisible(): missing a required argument: 'divisor'"),
    ("channels(3)", "channels(): takes a tensor, got an integer"),
])
def test_values_of_the_wrong_type_are_errors_at_their_place(expr, message):
    err = error(f"resgraph 1\nlet a = {expr}\n")
    assert err.message == message
    assert err.span.line == 2 and err.span.column >= 9


@pytest.mark.parametrize("expr,value", [
    ("1 in [true]", False), ("true in [1]", False), ("2 in 1x2", True), ('"b" in "abc"', True),
    ('"a" in {"a": 1}', True), ("[1] == [1]", True), ("1 == true", False),
])
def test_in_and_equality_compare_within_a_type(expr, value):
    g = resgraph.load(resgraph.Source(f"resgraph 1\nparam a = {expr}\nnetwork t\ninput 3x8x8\n"))
    assert g.params["a"] is value


@pytest.mark.parametrize("lines,message", [
    (["let a = [1]", *["let a = [a, a]"] * 20], f"over the limit of {MAX_ITEMS} values"),
    (["let a = [1]", *["let a = [a]"] * (MAX_NESTING + 5)],
     f"nested more than {MAX_NESTING} levels deep"),
    (['let s = "ab"', *["let s = s + s"] * 20], f"over the limit of {MAX_STRING} characters"),
])
def test_values_built_up_line_by_line_are_bounded(lines, message):
    err = error("resgraph 1\n" + "\n".join(lines) + "\n")
    assert message in err.message
    assert err.span.line > 2


# sizes ------------------------------------------------------------------------------------

def test_a_stage_past_its_depth_is_an_error_at_the_stage_line():
    with pytest.raises(SpecErrors) as info:
        resgraph.load("cifar_resnet20", n=10**9)
    first = info.value.errors[0]
    assert first.message == (f"stage layer1: depth 1000000000 is over the limit of "
                             f"{MAX_STAGE_DEPTH} blocks")
    assert first.span.line == first.span.source.text.splitlines().index(
        "stage layer1: unit(16) x n") + 1


@pytest.mark.parametrize("shape,message", [
    ("3x100000x8", "input height must be from 1 to 65536, got 100000"),
    ("3x8x0", "input width must be from 1 to 65536, got 0"),
    ("2000000x8x8", "input channels must be from 1 to 1048576, got 2000000"),
])
def test_input_sizes_are_bounded(shape, message):
    err = error(f"resgraph 1\nnetwork t\ninput {shape}\n")
    assert (err.message, err.span.line, err.span.column) == (message, 3, 7)


def test_an_input_shape_given_from_outside_is_bounded_too():
    with pytest.raises(SpecError, match="input height must be from 1 to 65536"):
        resgraph.load("resnet18", input_shape=(3, 10**6, 10**6))


def blocks_of_blocks(levels: int, fanout: int, leaf: str) -> str:
    """Block i uses block i-1 ``fanout`` times: ``fanout ** levels`` leaves from a short text."""
    lines = ["resgraph 1", f"block b0() {{\n  {leaf}\n}}"]
    lines += [f"block b{i}() {{\n  " + " -> ".join([f"b{i - 1}"] * fanout) + "\n}"
              for i in range(1, levels)]
    return "\n".join(lines) + "\n" + stem(f"b{levels - 1}").removeprefix("resgraph 1\n")


def test_a_network_past_the_op_limit_is_an_error_soon():
    err = error(blocks_of_blocks(30, 10, "relu"))  # 10**29 ops, at the real limit
    assert err.message.endswith(f"the network is over the limit of {MAX_OPS} ops")
    assert err.span.line == err.span.source.text.count("\n") - 1  # the stem's line


def test_a_deep_stage_past_the_op_limit_is_an_error_at_the_stage_line():
    with mock.patch.object(limits, "MAX_OPS", 100), pytest.raises(SpecError) as info:
        resgraph.load("cifar_resnet110")
    assert info.value.message == "layer1.13.relu2: the network is over the limit of 100 ops"
    assert info.value.span.source.line(info.value.span.line).startswith("stage layer1:")


def test_work_without_ops_is_bounded_by_the_step_budget():
    with mock.patch.object(limits, "MAX_STEPS", 50_000):
        err = error(blocks_of_blocks(30, 10, "input"))
    assert err.message == "elaboration is over its limit of 50000 steps"


def test_comparing_large_values_is_paid_for():
    text = "resgraph 1\nlet a = [1]\n" + "let a = [a, a]\n" * 11 + "let c = a == a\n" * 100
    with mock.patch.object(limits, "MAX_STEPS", 100_000):
        err = error(text)
    assert err.message == "elaboration is over its limit of 100000 steps"
    assert err.span.line < 2 + 11 + 20  # each comparison pays for 2 x 4095 values


def chain(levels: int, expr_depth: int = 0) -> str:
    """Block i uses block i-1; the innermost evaluates an expression ``expr_depth`` deep."""
    lines = ["resgraph 1", f"block b0() {{\n  let v = {'-' * expr_depth}1\n  relu\n}}"]
    lines += [f"block b{i}() {{\n  b{i - 1}\n}}" for i in range(1, levels)]
    return "\n".join(lines) + "\n" + stem(f"b{levels - 1}").removeprefix("resgraph 1\n")


def test_blocks_nested_past_the_bound_are_an_error():
    err = error(chain(MAX_NESTING + 1))
    assert err.message == f"blocks, 'if's and 'use's nested more than {MAX_NESTING} levels deep"


def test_the_deepest_nesting_leaves_room_on_the_stack():
    def deeper(frames: int):
        return deeper(frames - 1) if frames else resgraph.load(resgraph.Source(
            chain(MAX_NESTING - 1, MAX_NESTING - 1)))

    assert len(deeper(300)) == 2  # 300 frames of a caller's own, and still no RecursionError


def test_shipped_networks_stay_far_inside_the_limits():
    for name in catalog():
        g = resgraph.load(name)
        assert len(g) < MAX_OPS / 20, name
        assert all(s.depth < MAX_STAGE_DEPTH / 20 for s in g.stages), name


@pytest.mark.parametrize("line,message", [
    ("let b = b(1)", "'conv' takes at most 7 arguments, got 8"),
    ("let b = b(se=1)", "'conv' has no argument 'se'"),
])
def test_calls_of_calls_cannot_pile_up_arguments(line, message):
    err = error("resgraph 1\nlet b = conv\n" + f"{line}\n" * 10_000)
    assert err.message == message
    assert err.span.line == (2 + 8 if "(1)" in line else 3)
