"""Colour by a number per node (MACs, parameters, depth, or any measured value) with a legend.

Six light steps of ColorBrewer's "OrRd", so black text stays legible on every fill and a
printed page still tells them apart. Costs spread over orders of magnitude, so a scale whose
largest value is over 100 times its smallest bins by the logarithm.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

PALETTE = ("#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fca46c", "#fc8d59")
NO_VALUE = "#ffffff"


@dataclass(frozen=True)
class Scale:
    title: str
    low: float
    high: float
    log: bool
    fmt: Callable[[float], str]

    def color(self, value: float | None) -> str:
        if value is None or value <= 0 and self.log:
            return NO_VALUE
        return PALETTE[self._step(value)]

    def _step(self, value: float) -> int:
        lo, hi, v = (math.log(x) for x in (self.low, self.high, value)) if self.log \
            else (self.low, self.high, value)
        if hi <= lo:
            return len(PALETTE) - 1
        return min(len(PALETTE) - 1, max(0, int((v - lo) / (hi - lo) * len(PALETTE))))

    def bounds(self) -> list[tuple[float, float]]:
        """Each colour's range of values, lowest first."""
        n = len(PALETTE)
        if self.log:
            ratio = (self.high / self.low) ** (1 / n)
            edges = [self.low * ratio ** i for i in range(n + 1)]
        else:
            edges = [self.low + (self.high - self.low) * i / n for i in range(n + 1)]
        return list(itertools.pairwise(edges))


def make_scale(title: str, values: list[float], fmt: Callable[[float], str]) -> Scale | None:
    """A scale over the positive ``values``; None when there is nothing to colour by."""
    positive = [v for v in values if v > 0]
    if not positive:
        return None
    low, high = min(positive), max(positive)
    return Scale(title, low, high, high > 100 * low, fmt)
