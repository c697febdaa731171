"""Colour by a number per node (MACs, parameters, depth, or any measured value) with a legend.

Six light steps of ColorBrewer's "OrRd", so dark text stays legible on every fill and a
printed page still tells them apart. The scale is linear from zero: a node twice as dark
costs about twice as much, which is the question a cost-coloured diagram answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

PALETTE = ("#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fca46c", "#fc8d59")
NO_VALUE = "#ffffff"


@dataclass(frozen=True)
class Scale:
    title: str
    high: float
    fmt: Callable[[float], str]

    def color(self, value: float | None) -> str:
        if value is None or value <= 0:
            return NO_VALUE
        step = int(value / self.high * len(PALETTE))
        return PALETTE[min(len(PALETTE) - 1, step)]

    def bounds(self) -> list[tuple[float, float]]:
        """Each colour's range of values, lowest first."""
        n = len(PALETTE)
        return list(pairwise(self.high * i / n for i in range(n + 1)))


def make_scale(title: str, values: list[float], fmt: Callable[[float], str]) -> Scale | None:
    """A scale up to the largest of ``values``; None when none is positive."""
    high = max(values, default=0)
    return Scale(title, high, fmt) if high > 0 else None
