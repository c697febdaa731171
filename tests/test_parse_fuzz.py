"""Fuzzing: mutated spec text gives a Graph or a ResgraphError, never another exception, and
whatever parses formats to text that parses back to the same tree.

The mutations start from the shipped specs (and the prelude, as a spec of its own): characters
and tokens deleted, duplicated and replaced, numbers and words swapped for others (zero,
negative, huge; keywords), random unicode and words of the language inserted, deep nesting
opened. The network limits are lowered while fuzzing, so that a
mutation that multiplies a stage's depth ends in its error quickly; that the real limits end
in the same errors is tested in test_elaborate_limits.py.
"""

import re
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resgraph.elaborate import elaborate, limits
from resgraph.errors import ResgraphError
from resgraph.format import format_module
from resgraph.parse import parse

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "specs").glob("*.rg")) + [ROOT / "resgraph" / "prelude.rg"]
TEXTS = [p.read_text() for p in SEEDS]
WORDS = ["resgraph", "use", "param", "let", "require", "block", "variant", "network", "input",
         "stem", "stage", "head", "return", "if", "elif", "else", "true", "false", "and", "or",
         "not", "in", "x", "stride", "->", ":", ",", ";", "\n", "{", "}", "(", ")", "[", "]",
         "=", "==", "?", "+", "-", "*", "/", "//", "%", "..", '"', "#", "0", "-1", "3x3",
         "9" * 30, "input", "conv(3, 0)", "basic(16)", "x 100000", "in_channels", "\\\n"]


NUMBERS = ["0", "1", "2", "7", "64", "-1", "100000", str(2**63), "3x0", "1x1x1"]


def _mutation():
    where = st.floats(min_value=0, max_value=1, exclude_max=True)
    text = st.one_of(st.sampled_from(WORDS), st.text(max_size=4),
                     st.sampled_from(["(", "[", "-", "not ", "{1: ", "if true {\n"]).map(
                         lambda s: s * 120))
    return st.one_of(
        st.tuples(st.just("delete"), where, st.integers(1, 40)),
        st.tuples(st.just("duplicate"), where, st.integers(1, 80)),
        st.tuples(st.just("insert"), where, text),
        st.tuples(st.just("replace"), where, text),
        st.tuples(st.just("swap_tokens"), where, where),
        st.tuples(st.just("renumber"), where, st.sampled_from(NUMBERS)),
        st.tuples(st.just("reword"), where, st.sampled_from(WORDS)),
    )


def mutate(text: str, mutations: list) -> str:
    for kind, at, arg in mutations:
        i = int(at * (len(text) + 1))
        if kind == "delete":
            text = text[:i] + text[i + arg:]
        elif kind == "duplicate":
            text = text[:i] + text[i:i + arg] + text[i:]
        elif kind == "insert":
            text = text[:i] + arg + text[i:]
        elif kind == "replace":
            text = text[:i] + arg + text[i + len(arg) or 1:]
        elif kind in ("renumber", "reword"):
            found = list(re.finditer(r"\d+" if kind == "renumber" else r"[A-Za-z_]\w*", text))
            if found:
                m = found[int(at * len(found))]
                text = text[:m.start()] + arg + text[m.end():]
        else:
            words = text.split(" ")
            a, b = int(at * len(words)), int(arg * len(words))
            words[a], words[b] = words[b], words[a]
            text = " ".join(words)
    return text


@settings(derandomize=True, max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(TEXTS))), st.lists(_mutation(), min_size=1, max_size=4))
def test_mutated_specs_give_a_graph_or_a_resgraph_error(seed, mutations):
    text = mutate(TEXTS[seed], mutations)
    try:
        module = parse(text, SEEDS[seed].name)
        assert parse(format_module(module)) == module  # what fmt writes reads back the same
        with mock.patch.multiple(limits, MAX_OPS=3_000, MAX_STEPS=100_000):
            elaborate(module, SEEDS[seed].name)
    except ResgraphError as exc:
        assert exc.render()
