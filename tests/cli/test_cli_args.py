"""The shared arguments: one --batch grammar, bounded ASCII numbers, shapes, --set."""

from __future__ import annotations

import argparse

import pytest

from resgraph.cli.args import (
    MAX_BATCH,
    Batch,
    batch_type,
    int_in,
    parse_sets,
    parse_value,
    seconds,
    shape_type,
)
from resgraph.errors import UsageError


@pytest.mark.parametrize(("text", "forms", "batch"), [
    ("8", ("N",), Batch("8", sizes=(8,))),
    ("1,8,32", ("N", "N,N"), Batch("1,8,32", sizes=(1, 8, 32))),
    ("1:64", ("N", "MIN:MAX"), Batch("1:64", range=(1, 64))),
    ("1:32:256", ("MIN:OPT:MAX",), Batch("1:32:256", range=(1, 32, 256))),
    ("dynamic", ("dynamic",), Batch("dynamic", range=(1,))),
])
def test_batch_forms(text: str, forms: tuple[str, ...], batch: Batch) -> None:
    assert batch_type(*forms)(text) == batch


@pytest.mark.parametrize(("text", "forms"), [
    ("0", ("N",)), ("-1", ("N",)), ("1,8", ("N",)), ("1:8", ("N", "N,N")),
    ("8:1", ("MIN:MAX",)), ("1:64:32", ("MIN:OPT:MAX",)), ("1:2:3:4", ("MIN:OPT:MAX",)),
    ("１", ("N",)), ("٨", ("N",)), (str(MAX_BATCH + 1), ("N",)), ("", ("N",)),
    ("dynamic", ("N", "N,N")), ("1,,2", ("N,N",)), ("1e3", ("N",)),
])
def test_batch_refusals_name_the_forms(text: str, forms: tuple[str, ...]) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="takes N|takes MIN"):
        batch_type(*forms)(text)


@pytest.mark.parametrize("text", ["٣", "1_000", "+3", " ", "3.0", "99999999999999999999999"])
def test_whole_numbers_are_ascii_and_bounded(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="whole number from 1 to 1,000"):
        int_in(1, 1000)(text)


@pytest.mark.parametrize("text", ["inf", "nan", "-1", "1e9", "٣", "x"])
def test_seconds_are_finite_and_bounded(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="seconds from 0 to 3600"):
        seconds(3600)(text)


def test_seconds_and_numbers_in_range() -> None:
    assert seconds(3600)("0.25") == 0.25 and int_in(0, 5)("5") == 5


@pytest.mark.parametrize("text", ["3x224", "3x0x224", "3x224x٢", "3x70000x70000", "axbxc"])
def test_input_shapes(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="takes CxHxW"):
        shape_type(text)
    assert shape_type("3X160x160") == (3, 160, 160)


def test_set_values_are_typed() -> None:
    assert parse_sets(["depth=101", "shortcut=\"C\"", "s=3x3", "l=[1, 2]", "n=-2", "wm=2.3",
                       "eps=-1e-5"]) == {"depth": 101, "shortcut": "C", "s": (3, 3),
                                         "l": [1, 2], "n": -2, "wm": 2.3, "eps": -1e-5}
    assert parse_value("plain words") == "plain words"


@pytest.mark.parametrize("pair", ["depth", "=3", "1x=2", "dépth=2", "a b=1"])
def test_set_needs_name_equals_value(pair: str) -> None:
    with pytest.raises(UsageError, match="--set takes NAME=VALUE"):
        parse_sets([pair])


def test_set_numbers_past_the_languages_bound_are_refused() -> None:
    with pytest.raises(UsageError, match="--set value 9{30}: integer too large"):
        parse_sets(["n=" + "9" * 30])
