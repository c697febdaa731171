"""The U of an encoder-decoder network (a U-Net): its long skips and which units rise.

Drawn as a chain, a U-Net's skips from each encoder stage to its decoder stage run the whole
height of the picture, one beside the other, and the deepest skip crosses every stage between
(ResUNet's enc1 → dec1 passes seven). Drawn as a U, each skip is a short flat edge: the
encoder descends on the left, the decoder rises on the right, and every encoder stage sits on
one rank with the decoder stage that reads it (the two of one resolution). A *long skip* is a
side edge between stages at least two apart in the network's order; a chain's shortcuts stay
inside a stage or reach the next one, so a chain network has none and draws as before."""

from __future__ import annotations

from dataclasses import dataclass

from resgraph.render.view import Edge, Unit, View


@dataclass(frozen=True)
class UShape:
    """The long skips as (tail, head) unit ids, and the units drawn rising: every unit from
    the first skip's head on (the decoder and the head), whose edges are written reversed
    (``dir=back``) so that ``dot`` ranks them upwards."""

    skips: tuple[tuple[str, str], ...]
    rising: frozenset[str]

    def reversed(self, edge: Edge) -> bool:
        """An edge into a rising unit, but a skip: drawn from its head to its tail."""
        return edge.head in self.rising and (edge.tail, edge.head) not in self.skips

    def rank_lines(self) -> list[str]:
        """Each skip's two ends on one rank: the encoder stage beside its decoder stage."""
        return [f'  {{ rank=same; "{tail}"; "{head}"; }}' for tail, head in self.skips]


def u_shape(view: View) -> UShape | None:
    """The network's U, or None where it has no long skip (every chain network)."""
    order = {stage.name: k for k, stage in enumerate(view.graph.stages)}
    skips = tuple((e.tail, e.head) for e in view.edges
                  if e.kind != "main" and _apart(view.units[e.tail], view.units[e.head], order))
    if not skips:
        return None
    ids = list(view.units)
    first = min(ids.index(head) for _, head in skips)
    return UShape(skips, frozenset(ids[first:]))


def _apart(tail: Unit, head: Unit, order: dict[str, int]) -> bool:
    """Whether the units lie in stages at least two apart (a stage between them)."""
    a, b = (order.get(_stage(u), -1) for u in (tail, head))
    return a >= 0 and b >= 0 and abs(b - a) >= 2


def _stage(unit: Unit) -> str:
    """The stage a unit is in: its outermost cluster, or itself at network level."""
    return unit.clusters[0] if unit.clusters else unit.id
