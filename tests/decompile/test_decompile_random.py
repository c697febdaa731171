"""Random small networks, written as specs (random stages of random prelude blocks), round-trip
through ``resgraph import``: compiled, decompiled and elaborated again, the same computation
with the same state names, and the same prelude blocks called."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resgraph
from resgraph.decompile import decompile
from resgraph.decompile.canon import same_graph

SHAPE = (3, 32, 32)
_widths = st.sampled_from([8, 16, 24])


@st.composite
def _stage(draw: st.DrawFn, k: int) -> str:
    stride = draw(st.sampled_from([1, 2]))
    depth = draw(st.integers(1, 2))
    kind = draw(st.sampled_from(["basic", "bottleneck", "mbconv"]))
    if kind == "mbconv":
        out = draw(_widths)
        call = (f"mbconv({out}, kernel={draw(st.sampled_from([3, 5]))}, "
                f"expanded={out * draw(st.sampled_from([1, 4, 6]))})")
    else:
        extra = draw(st.sampled_from(["", ", se=4", ", groups=2, base_width=16"
                                      if kind == "bottleneck" else ", shortcut=\"C\""]))
        call = f"{kind}({draw(_widths)}{extra})"
    return f"stage s{k}: {call} x {depth}" + (f" stride {stride}" if stride > 1 else "")


@st.composite
def networks(draw: st.DrawFn) -> str:
    stages = [draw(_stage(k + 1)) for k in range(draw(st.integers(1, 3)))]
    width = draw(_widths)
    return "\n".join(["resgraph 1", "network rand", "input 3x32x32",
                      f"stem {{\n  conv1: conv(3, {width}) -> bn1: bn -> relu\n}}", *stages,
                      "head {\n  global_avgpool -> flatten -> fc: linear(10)\n}", ""])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_a_random_network_round_trips(text: str) -> None:
    shipped = resgraph.load(resgraph.Source(text))
    written = decompile(resgraph.compile(shipped), SHAPE)
    assert same_graph(shipped, resgraph.load(resgraph.Source(written)))
    calls = re.compile(r"\b(basic|bottleneck|mbconv)\(")
    assert set(calls.findall(text)) == set(calls.findall(written))
