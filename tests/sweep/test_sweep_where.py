"""``--where``: what it evaluates, what it refuses, and that it never reaches ``eval``."""

from __future__ import annotations

import warnings

import pytest

from resgraph.errors import UsageError
from resgraph.sweep.where import WhereError, where

KNOWN = {"macs", "params", "depth", "shortcut"}


@pytest.mark.parametrize(("text", "values", "kept"), [
    ("macs <= 4e9 and params <= 30e6", {"macs": 4e9, "params": 1}, True),
    ("macs <= 4e9 and params <= 30e6", {"macs": 4e9 + 1, "params": 1}, False),
    ("not (depth < 50 or macs > 1e9)", {"depth": 50, "macs": 1e9}, True),
    ("1e9 < macs <= 2e9", {"macs": 2e9}, True),
    ("1e9 < macs <= 2e9", {"macs": 1e9}, False),
    ("macs / params >= 100 and depth % 2 == 0", {"macs": 1000, "params": 10, "depth": 50}, True),
    ('shortcut == "B"', {"shortcut": "C"}, False),
    ("-macs // 2 < -1", {"macs": 4}, True),
    ("depth in (18, 34) and shortcut not in ['A']", {"depth": 34, "shortcut": "B"}, True),
    ("depth in [18, 34]", {"depth": 50}, False),
])
def test_constraints_evaluate(text: str, values: dict, kept: bool) -> None:
    assert where(text, KNOWN)(values) is kept


@pytest.mark.parametrize(("text", "says"), [
    ("mcas < 1", "unknown figure 'mcas'; did you mean 'macs'"),
    ("macs <", "cannot read"),
    ("__import__('os').system('true')", "is not allowed"),
    ("macs ** 2 < 1", "is not allowed"),
    ("macs < True", "neither a number nor a string"),
    ("[macs][0] < 1", "is not allowed"),
    ("x" * 3000, "longer than"),
])
def test_bad_constraints_are_one_line_errors(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as info:
        where(text, KNOWN)
    assert "\n" not in str(info.value)


def test_what_cannot_be_computed_on_a_candidate_is_its_error() -> None:
    with pytest.raises(WhereError, match="division by zero"):
        where("macs / params < 1", KNOWN)({"macs": 1, "params": 0})
    with pytest.raises(WhereError, match="cannot compare"):
        where("shortcut < 1", KNOWN)({"shortcut": "B"})


def test_odd_literals_are_one_error_without_python_s_warning_line() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(UsageError, match="cannot read"):
            where("depth in (1, 2) and 1in (1, 2) < 1e7x", KNOWN)
    assert not seen
