"""The example spec the demo reports on: a block written in the language, and the paper's
figure for the network it describes."""

from __future__ import annotations

from pathlib import Path

import resgraph

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "wide_resnet.rg"


def test_wide_resnet_16_4_has_the_papers_parameters() -> None:
    # Zagoruyko and Komodakis 2016, Table 1 / 4: WRN-16-4 has 2.7M parameters (to 2 digits)
    report = resgraph.analyze(str(EXAMPLE))
    assert round(report.params / 1e6, 1) == 2.7
    assert {b.type for b in report.graph.blocks.values()} == {"wide_basic"}
    assert report.paths.nominal_depth == 16 - 2  # d = 6n + 4 also counts two projections


def test_depth_and_width_are_parameters() -> None:
    # WRN-28-10: 36.5M parameters (Table 4)
    assert round(resgraph.analyze(str(EXAMPLE), params={"depth": 28, "k": 10}).params / 1e6, 1) \
        == 36.5
