"""A shipped network at a small input, for tests that run every one on a CPU."""

from __future__ import annotations

import resgraph


def load_small(name: str, shape: tuple[int, int, int]) -> resgraph.Graph:
    """``name`` at ``shape``, or at its own input where it cannot run that small (Inception
    v3's auxiliary classifier needs its 299x299: the spec refuses less)."""
    try:
        return resgraph.load(name, input_shape=shape)
    except resgraph.SpecError:
        return resgraph.load(name)
