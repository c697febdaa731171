"""The light module of names, bounds and checks that the API objects and a command line share."""

import math
import os

import pytest

from resgraph.backends import options as o
from resgraph.backends.registry import BACKENDS
from resgraph.errors import UsageError


def test_the_names_a_command_line_offers():
    assert o.BACKENDS is BACKENDS and set(o.DEFAULT_BACKENDS) <= set(BACKENDS)
    assert o.PRECISIONS == ("fp32", "fp16", "bf16")
    assert o.BUILD_PRECISIONS == ("fp32", "tf32", "fp16", "bf16", "int8")
    assert o.DEFAULT_BUILD_PRECISION in o.BUILD_PRECISIONS and o.DEVICES == ("cpu", "cuda")


@pytest.mark.parametrize("value", [0, 11, -1, True, 2.0, "3", None])
def test_whole_numbers_within_bounds_only(value):
    with pytest.raises(UsageError, match=r"n must be a whole number from 1 to 10, got"):
        o.whole(value, 1, 10, "n")


@pytest.mark.parametrize("value, positive", [
    (math.inf, False), (math.nan, False), (-0.5, False), (61, False), (0, True), ("1", False),
    (True, False), (-math.inf, False),
])
def test_seconds_are_finite_and_bounded(value, positive):
    with pytest.raises(UsageError, match="s must be .* to 60 seconds"):
        o.seconds(value, 60, "s", positive=positive)


def test_huge_and_long_values_are_quoted_short():
    with pytest.raises(UsageError, match="got a 16610-bit number$"):
        o.whole(10**5000, 1, 10, "n")
    with pytest.raises(UsageError, match="got a 16610-bit number$"):
        o.seconds(-(10**5000), 60, "s")
    with pytest.raises(UsageError, match=r"got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\.\.\.$"):
        o.seconds("x" * 100, 60, "s")


def test_valid_values_come_back():
    assert o.whole(10, 1, 10, "n") == 10 and o.seconds(0, 60, "s") == 0.0
    assert o.seconds(60, 60, "s", positive=True) == 60.0 and o.choice("fp16", o.PRECISIONS, "p")


def test_choice_suggests_in_the_one_wording():
    with pytest.raises(UsageError, match="unknown device 'cdua'; did you mean 'cuda'"):
        o.choice("cdua", o.DEVICES, "device")


def test_an_error_class_of_ones_own():
    class Mine(UsageError):
        pass

    with pytest.raises(Mine):
        o.whole(0, 1, 2, "n", Mine)


def test_existing_file(tmp_path):
    f = tmp_path / "f.bin"
    f.write_bytes(b"x")
    assert o.existing_file(f) == f
    with pytest.raises(UsageError, match="no such file: .*g.bin"):
        o.existing_file(tmp_path / "g.bin")
    with pytest.raises(UsageError, match="engine '.*' is a directory, not a file"):
        o.existing_file(tmp_path, "engine")
    if os.geteuid() != 0:  # root reads anything
        f.chmod(0)
        with pytest.raises(UsageError, match="cannot read file"):
            o.existing_file(f)
