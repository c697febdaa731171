"""Receptive fields: size, effective stride and centre offset of every node, exactly.

For one spatial axis, a node's output pixel ``i`` sees the input pixels
``[start + i·jump, start + i·jump + size − 1]``. A window op with kernel ``k``, stride ``s``,
padding ``p`` and dilation ``d`` on an input with ``(size, jump, start)`` gives
``size + (k − 1)·d·jump``, ``jump·s`` and ``start − p·jump``; ``pad_channels`` subsamples
like a 1×1 window of stride ``s``; element-wise ops keep the field; where branches merge
(``add``, ``mul``, ``concat``) a pixel sees the union of its inputs' fields (the intervals
overlap, so the union is one interval); a learned tensor (``param``) sees no pixel and has
no field. Adaptive pooling sees its widest window, stepping by its shortest step. ``global_avgpool``, ``spatial_mean``, ``attention`` and everything after them see
the whole input: the field is the input's, widened by the whole feature map. The centre offset is
``start + (size − 1)/2``: where the centre of output pixel 0's field lies in input pixels
(negative when padding shifts it off the image). Ceil-mode pooling changes how many outputs
there are, not where they look.

It writes :data:`~resgraph.analysis.keys.RF` on every node the input reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from resgraph.analysis.keys import RF
from resgraph.analysis.passes import analysis_pass
from resgraph.ir import Graph, Node
from resgraph.ops import adaptive_windows


@dataclass(frozen=True)
class Field:
    """One axis."""

    size: int
    jump: int
    start: int

    @property
    def centre(self) -> Fraction:
        return self.start + Fraction(self.size - 1, 2)

    def window(self, kernel: int, stride: int, pad: int, dilation: int = 1) -> Field:
        return Field(self.size + (kernel - 1) * dilation * self.jump, self.jump * stride,
                     self.start - pad * self.jump)

    def union(self, other: Field) -> Field:
        lo = min(self.start, other.start)
        hi = max(self.start + self.size, other.start + other.size)
        return Field(hi - lo, self.jump, lo)


def _axes(node: Node, ins: list[tuple[Field, Field]], graph: Graph) -> tuple[Field, Field]:
    a = node.attrs
    if node.op in ("conv", "maxpool", "avgpool"):
        dil = a.get("dilation", (1, 1))
        return tuple(f.window(a["kernel"][i], a["stride"][i], a["pad"][i], dil[i])  # type: ignore
                     for i, f in enumerate(ins[0]))
    if node.op == "pad_channels":
        return tuple(f.window(1, a["stride"], 0) for f in ins[0])  # type: ignore
    if node.op in ("global_avgpool", "spatial_mean"):
        h, w = graph.nodes[node.inputs[0]].shape[1:]
        return (ins[0][0].window(h, 1, 0), ins[0][1].window(w, 1, 0))
    if node.op == "adaptive_avgpool":
        return tuple(_adaptive_axis(f, side, out)  # type: ignore[return-value]
                     for f, side, out in zip(ins[0], graph.nodes[node.inputs[0]].shape[1:],
                                             node.attrs["size"]))
    if node.op == "attention":  # each token weighs every token: the whole input
        return tuple(Field(side, f.jump, 0)  # type: ignore[return-value]
                     for side, f in zip(graph.input_shape[1:], ins[-1]))
    fields = ins[0]
    for other in ins[1:]:
        if other[0].jump != fields[0].jump:
            other = fields  # a broadcast gate (Cx1x1, field already global) merges as is
        fields = (fields[0].union(other[0]), fields[1].union(other[1]))
    return fields


def _adaptive_axis(field: Field, side: int, out: int) -> Field:
    """Adaptive pooling's windows differ by a pixel where out does not divide the side: the
    field of its widest window, stepping by the shortest step between windows' starts."""
    windows = adaptive_windows(side, out)
    widest = max(e - b for b, e in windows)
    step = min((b2 - b1 for (b1, _), (b2, _) in pairwise(windows)), default=side)
    return field.window(widest, step, 0)


@analysis_pass("receptive_fields")
def annotate_receptive_fields(graph: Graph) -> None:
    """Write every node's field: size, effective stride and start, per axis."""
    fields: dict[str, tuple[Field, Field]] = {}
    for node in graph:
        ins = [fields[i] for i in node.inputs if i in fields]
        if node.op == "input":
            fields[node.name] = (Field(1, 1, 0), Field(1, 1, 0))
        elif not ins:
            continue  # a learned tensor: it sees no input pixel
        else:
            fields[node.name] = _axes(node, ins, graph)
        h, w = fields[node.name]
        node.meta[RF] = {"size": (h.size, w.size), "stride": (h.jump, w.jump),
                         "start": (h.start, w.start)}
