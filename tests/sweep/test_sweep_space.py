"""The space: values as typed, pycls's distributions (range, quantum, type), seeded
reproducible candidates, and every check made before anything runs."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resgraph.errors import UsageError
from resgraph.sweep.space import (
    MAX_CANDIDATES,
    distribution,
    make_space,
    split_top,
    values,
)

DECLARED = {"depth": int, "width": int, "shortcut": str, "se": bool, "layers": list,
            "image": None, "ratio": float}


def space(**kw):  # type: ignore[no-untyped-def]
    kw.setdefault("grid", {})
    kw.setdefault("sample", {})
    return make_space(DECLARED, samples=kw.pop("samples", 1), seed=kw.pop("seed", 0),
                      fixed=kw.pop("fixed", {}), **kw)


def test_values_are_read_as_typed() -> None:
    assert values('18, 34, B, "a,b", true, [1, 2], 1x1, 1.5, 4e9', "--grid x") == [
        18, 34, "B", "a,b", True, [1, 2], "1x1", 1.5, 4e9]
    assert split_top("a,(b,c),[d,e]") == ["a", "(b,c)", "[d,e]"]
    with pytest.raises(UsageError, match="empty value"):
        values("1,,2", "--grid x")


@settings(max_examples=60, derandomize=True, deadline=None)
@given(kind=st.sampled_from(["int", "uniform", "log_uniform"]), q=st.sampled_from([1, 2, 4]),
       low=st.integers(1, 50), span=st.integers(0, 50), seed=st.integers(0, 2**32))
def test_draws_stay_in_range_quantized_with_qs_type(kind: str, q: int, low: int, span: int,
                                                     seed: int) -> None:
    d = distribution(f"{kind}({low * q}, {(low + span) * q}, {q})", "x")
    rng = random.Random(seed)
    for _ in range(20):
        v = d.draw(rng)
        assert type(v) is int and low * q <= v <= (low + span) * q and v % q == 0


def test_fractional_quanta_give_exact_decimals() -> None:
    d = distribution("log_uniform(1.5, 3.0, 0.001)", "x")
    rng = random.Random(0)
    for _ in range(200):
        v = d.draw(rng)
        assert isinstance(v, float) and 1.5 <= v <= 3.0
        assert Decimal(repr(v)) % Decimal("0.001") == 0


def test_power2_and_choice_draw_every_value_and_only_those() -> None:
    rng = random.Random(1)
    assert {distribution("power2(8, 256)", "x").draw(rng) for _ in range(400)} == {
        8, 16, 32, 64, 128, 256}
    assert {distribution("choice(B, C, 'D')", "x").draw(rng) for _ in range(100)} == {
        "B", "C", "D"}


def test_uniform_is_uniform_over_its_quanta() -> None:
    """pycls's draw in [low, high + q) floored: each of the 5 values 1/5 of the time (the
    bound is 5 sigma of a binomial count of 10,000 at p = 0.2: 5 * 40 = 200)."""
    rng = random.Random(2)
    d = distribution("int(0, 8, 2)", "x")
    draws = [d.draw(rng) for _ in range(10_000)]
    for v in (0, 2, 4, 6, 8):
        assert abs(draws.count(v) - 2000) < 200


@pytest.mark.parametrize(("text", "says"), [
    ("log_uniform(1.5, 3.0", "takes a distribution"),
    ("gauss(1, 2)", "unknown distribution 'gauss'"),
    ("uniform(0.5, 2.0)", "takes \\(low, high, q\\)"),
    ("uniform(3, 1, 1)", "low <= high"),
    ("log_uniform(0, 4, 1)", "low > 0"),
    ("int(1, 10, 4)", "multiples of q"),
    ("int(1.0, 2.0, 0.5)", "quantum must be an integer"),
    ("power2(3, 8, 1)", "powers of two"),
    ("choice()", "1 to"),
    ("uniform(0, 1e300, 1e-300)", "2\\^53"),
])
def test_malformed_distributions_are_one_line(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as info:
        distribution(text, "--sample w")
    assert "\n" not in str(info.value)


def test_candidates_cross_the_grid_in_every_draw_and_are_reproducible() -> None:
    s = space(grid={"depth": [18, 34], "shortcut": ["B", "C"]},
              sample={"width": distribution("int(8, 64, 8)", "x")}, samples=3, seed=7)
    cands = list(s.candidates())
    assert len(cands) == len(s) == 12
    assert [(p["depth"], p["shortcut"]) for _, p in cands[:4]] == [
        (18, "B"), (18, "C"), (34, "B"), (34, "C")]
    again = space(grid={"depth": [18, 34], "shortcut": ["B", "C"]},
                  sample={"width": distribution("int(8, 64, 8)", "x")}, samples=3, seed=7)
    assert [again.candidate(i) for i in reversed(range(12))] == [p for _, p in cands][::-1]
    other = space(grid={"depth": [18, 34], "shortcut": ["B", "C"]},
                  sample={"width": distribution("int(8, 64, 8)", "x")}, samples=3, seed=8)
    assert [p["width"] for _, p in other.candidates()] != [p["width"] for _, p in cands]
    assert dict(s.candidates(skip={0, 1, 2})).keys() == set(range(3, 12))


@pytest.mark.parametrize(("kw", "says"), [
    ({"grid": {"dpth": [1]}}, "unknown parameter 'dpth'; did you mean 'depth'"),
    ({"grid": {"depth": [18, "x"]}}, "'depth' takes an integer .* got a string"),
    ({"grid": {"se": [1]}}, "'se' takes a boolean"),
    ({"sample": {"depth": distribution("log_uniform(1.5, 3.0, 0.001)", "x")}},
     "'depth' takes an integer .* got a fraction"),
    ({"grid": {"depth": [18]}, "fixed": {"depth": 50}}, "'depth' is given more than once"),
    ({"grid": {"depth": []}}, "no values"),
    ({"fixed": {"shortcut": 3}}, "--set parameter 'shortcut' takes a string"),
    ({"fixed": {"ratio": "x"}}, "--set parameter 'ratio' takes a fraction .* got a string"),
    ({"grid": {"ratio": [0.25, True]}}, "'ratio' takes a fraction .* got a boolean"),
    ({"grid": {"depth": list(range(5000)), "width": list(range(5000))}},
     f"over the limit of {MAX_CANDIDATES:,}"),
])
def test_bad_spaces_are_refused_before_anything_runs(kw: dict, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        space(**kw)


def test_a_default_that_is_an_expression_leaves_typing_to_elaboration() -> None:
    assert len(space(grid={"image": [224, "big"], "layers": [[1, 2], (3, 4)]})) == 4


def test_a_fraction_takes_whole_numbers_as_elaboration_does() -> None:
    assert len(space(grid={"ratio": [0, 0.25, 1]})) == 3


def test_declared_types_follow_the_defaults_written() -> None:
    from resgraph.parse import parse
    from resgraph.sweep.space import declared_params

    text = ("resgraph 1\nparam a = 2\nparam b = -0.5\nparam c = 0.25\nparam d = \"x\"\n"
            "param e = 2 * 3\n")
    assert declared_params(parse(text, "<t>")) == {"a": int, "b": float, "c": float,
                                                    "d": str, "e": None}
