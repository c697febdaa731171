"""The summary: counts, the best per figure, and the Pareto front against brute force, all
read one record at a time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resgraph.errors import UsageError
from resgraph.sweep.summary import Objective, Tally, objectives, pareto_front, summarise


def rec(i: int, status: str = "ok", **figures: float) -> dict:
    return {"index": i, "params": {"i": i}, "status": status, "figures": figures}


@settings(max_examples=80, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), max_size=40),
       st.booleans())
def test_the_front_is_exactly_the_undominated(points: list, maximise_b: bool) -> None:
    records = [rec(i, a=a, b=b) for i, (a, b) in enumerate(points)]
    goals = (Objective("a"), Objective("b", maximise_b))
    front = pareto_front(records, goals)

    def dominated(r: dict) -> bool:
        return any(goals[0].key(o) <= goals[0].key(r) and goals[1].key(o) <= goals[1].key(r)
                   and (goals[0].key(o), goals[1].key(o)) != (goals[0].key(r), goals[1].key(r))
                   for o in records)

    undominated = {(goals[0].key(r), goals[1].key(r)) for r in records if not dominated(r)}
    assert {(goals[0].key(r), goals[1].key(r)) for r in front} == undominated
    assert len(front) == len(undominated)  # one record per point of the front


def test_counts_and_best_read_only_ok_records() -> None:
    records = [rec(0, macs=5), rec(1, "rejected", macs=1), rec(2, macs=3),
               rec(3, "duplicate", macs=3), {**rec(4, "error"), "figures": {}}]
    s = summarise(records, 10, objectives("macs,max:macs"))
    assert s.counts == {"ok": 2, "rejected": 1, "duplicate": 1, "error": 1}
    assert s.best["macs"]["index"] == 2
    assert s.to_json()["pareto"]["figures"] == ["macs", "max:macs"]


@pytest.mark.parametrize("text", ["macs", "macs,params,flops", "macs,max:"])
def test_pareto_takes_two_figures(text: str) -> None:
    with pytest.raises(UsageError, match="two figures"):
        objectives(text)


def test_of_equal_records_the_first_is_the_best_and_on_the_front() -> None:
    records = [rec(0, a=2, b=2), rec(1, a=1, b=3), rec(2, a=1, b=3), rec(3, a=2, b=2),
               rec(4, a=3, b=1), rec(5, a=1, b=2)]
    assert [r["index"] for r in pareto_front(records, objectives("a,b"))] == [5, 4]
    assert [r["index"] for r in pareto_front(records[:5], objectives("a,b"))] == [1, 0, 4]
    s = summarise(records, 6, objectives("a,b"), figures=("a", "b"))
    assert {k: v["index"] for k, v in s.best.items()} == {"a": 1, "b": 4}


def test_a_tally_fed_in_parts_is_the_summary_of_the_whole() -> None:
    records = [rec(i, "ok" if i % 3 else "duplicate", macs=(i * 7) % 11, params=(i * 5) % 13)
               for i in range(40)]
    tally = Tally(objectives("macs,params"))
    for start in range(0, 40, 7):
        tally.extend(records[start:start + 7])
    assert tally.summary(50) == summarise(records, 50, objectives("macs,params"))
    assert tally.summary(50).counts["duplicate"] == 14
