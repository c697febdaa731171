"""The words on a diagram: short op descriptions, paper-style block summaries, numbers.

Labels follow the notation of the ResNet paper's Table 1 (``1x1, 64 · 3x3, 64 · 1x1, 256``)
so that a folded block reads like the paper; everything is plain text here, and ``dot``
escapes it for HTML-like labels.
"""

from __future__ import annotations

import math
from typing import Any

from resgraph.analysis.keys import PATHS
from resgraph.ir import Graph, Node
from resgraph.render.view import FOLLOWERS, Unit, View

SYMBOLS = {"add": "+", "mul": "×"}


def si(value: float) -> str:
    """3 significant digits with a K/M/G suffix: 4.09G, 25.6M, 512."""
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _size(v: Any) -> str:
    return "x".join(str(x) for x in v) if isinstance(v, tuple) else str(v)


def _stride(v: Any) -> str:
    s = v[0] if isinstance(v, tuple) and len(set(v)) == 1 else v
    return "" if s == 1 else f" /{_size(s)}"


def describe(node: Node, short: bool = False) -> str:
    """``conv 3x3, 64 /2``; ``short`` drops the op name of convolutions (block summaries)."""
    a = node.attrs
    if node.op == "conv":
        groups = f" g{a['groups']}" if a["groups"] > 1 else ""
        dil = f" d{_size(a['dilation'][0])}" if a["dilation"] != (1, 1) else ""
        text = f"{_size(a['kernel'])}, {a['out']}{_stride(a['stride'])}{groups}{dil}"
        return text if short else f"conv {text}"
    if node.op == "linear":
        return f"fc {a['out']}"
    if node.op == "channel_linear":  # a 1x1 convolution in ConvNeXt's figure, a linear in code
        return f"1x1, {a['out']}" if short else f"linear {a['out']} per pixel"
    if node.op in ("maxpool", "avgpool"):
        return f"{node.op} {_size(a['kernel'])}{_stride(a['stride'])}"
    if node.op == "pad_channels":
        return f"zero-pad to {a['out']}{_stride(a['stride'])}"
    return {"global_avgpool": "global avgpool"}.get(node.op, node.op)


def op_summary(nodes: list[Node]) -> str:
    """The ops of a layer or a part, followers joined to their head: ``conv 7x7, 64 /2 · bn · relu``."""
    return " · ".join(describe(n) for n in nodes)


def block_summary(view: View, block: str) -> tuple[str, str]:
    """Main-column weighted layers in paper notation, and the shortcut: (``1x1, 64 · ...``, ``identity``)."""
    graph = view.graph
    members = [n for n in graph if n.block == block]
    main = [n for n in members if n.weighted and n.name not in view.side]
    shortcut = [n for n in members if view.side.get(n.name) == "shortcut"]
    branch = [n for n in members if view.side.get(n.name) == "branch" and n.weighted]
    body = " · ".join(fold([describe(n, short=True) for n in main]))
    gate = f"gate: {len(branch)} layers" if branch else ""
    if not any(n.op == "add" for n in members):
        # a block without a shortcut (an MBConv that strides) may still gate; a concatenating
        # block's side paths are branches of the merge, not gates
        has_gate = any(n.op == "mul" for n in members)
        branches = _branches(members)
        if branches:  # inner concatenations (InceptionE's) are parts of its branches
            return branches, f"merge: concatenation of {len(members[-1].inputs)} branches"
        return body, _merge(members) or (gate if has_gate else "")
    side = "shortcut: " + (" · ".join(describe(n) for n in shortcut
                                       if n.op not in FOLLOWERS) or "identity")
    return body, f"{side} · {gate}" if gate else side


def _merge(members: list[Node]) -> str:
    """A block that adds nothing has no shortcut: it concatenates its branches (Inception,
    DenseNet) or merges nothing at all."""
    cats = [n for n in members if n.op in ("concat", "cat")]
    if not cats:
        return ""
    if len(cats) == 1:
        return f"merge: concatenation of {len(cats[0].inputs)} branches"
    return f"merge: concatenation × {len(cats)}"


def _branches(members: list[Node]) -> str:
    """``branches: 1x1 · 1x1→3x3 · pool→1x1``: each input of a block that ends by
    concatenating (Inception), traced back to the block's entry through its convolutions and
    pooling; "" where the branches share ops (DenseNet's layers read each other's)."""
    inside = {n.name: n for n in members}
    out = members[-1]
    if out.op != "concat" or len(out.inputs) < 2:
        return ""
    walks = [_walk(inside, i) for i in out.inputs]
    seen = [n for _, nodes in walks for n in nodes]
    if len(seen) != len(set(seen)):
        return ""
    return "branches: " + " · ".join(fold([text or "identity" for text, _ in walks]))


def _walk(inside: dict[str, Node], name: str) -> tuple[str, list[str]]:
    """One branch back from ``name`` to the block's entry: its steps (``1x1→(1x3 | 3x1)``,
    an inner concatenation in parentheses) and the nodes it passed."""
    steps: list[str] = []
    passed: list[str] = []
    while name in inside:
        node = inside[name]
        passed.append(name)
        if node.op == "concat":  # a split branch: each part's layer, then on from the first
            heads = [_walk_to_layer(inside, i) for i in node.inputs]
            passed += [n for _, nodes in heads for n in nodes]
            steps.append("(" + " | ".join(text for text, _ in heads) + ")")
            first = inside.get(heads[0][1][-1]) if heads[0][1] else None
            name = first.inputs[0] if first is not None and first.inputs else ""
            continue
        if node.op in ("conv", "maxpool", "avgpool"):
            steps.append(_step(node))
        name = node.inputs[0] if node.inputs else ""
    return "→".join(reversed(steps)), passed


def _walk_to_layer(inside: dict[str, Node], name: str) -> tuple[str, list[str]]:
    """From ``name`` back to its first convolution or pooling: its step, the nodes passed."""
    passed = []
    while name in inside:
        node = inside[name]
        passed.append(name)
        if node.op in ("conv", "maxpool", "avgpool"):
            return _step(node), passed
        name = node.inputs[0] if node.inputs else ""
    return "identity", passed


def _step(node: Node) -> str:
    """A branch's layer, short: ``3x3 /2``, ``pool``."""
    what = _size(node.attrs["kernel"]) if node.op == "conv" else "pool"
    return what + _stride(node.attrs["stride"])


def fold(parts: list[str], least: int = 3) -> list[str]:
    """Runs of a repeated pattern of up to 4 parts, ``least`` times or more, as one:
    ``(1x1, 128 · 3x3, 32) × 24`` for DenseNet's layers, so that labels stay short."""
    out, i = [], 0
    while i < len(parts):
        best = (1, 1)  # (period, repeats)
        for period in range(1, 5):
            unit, times = parts[i:i + period], 1
            while parts[i + times * period:i + (times + 1) * period] == unit:
                times += 1
            if times >= least and period * times > best[0] * best[1]:
                best = (period, times)
        period, times = best
        text = " · ".join(parts[i:i + period])
        out.append(text if times == 1 else
                   f"{text} × {times}" if period == 1 else f"({text}) × {times}")
        i += period * times
    return out


def run_title(blocks: list[str]) -> str:
    """``layer3.1–5  × 5`` for a run of folded blocks, the block name for one."""
    if len(blocks) == 1:
        return blocks[0]
    first, last = blocks[0], blocks[-1]
    prefix = first.rpartition(".")[0]
    if prefix and last.startswith(prefix + "."):
        return f"{first}–{last.removeprefix(prefix + '.')}  × {len(blocks)}"
    return f"{first} – {last}  × {len(blocks)}"


def unit_output(graph: Graph, unit: Unit) -> Node:
    return graph.nodes[unit.members[-1]]


def unit_inputs(graph: Graph, unit: Unit) -> list[Node]:
    """The nodes outside ``unit`` that feed it, in order."""
    inside = set(unit.members)
    seen: dict[str, Node] = {}
    for name in unit.members:
        for i in graph.nodes[name].inputs:
            if i not in inside:
                seen.setdefault(i, graph.nodes[i])
    return list(seen.values())


def total(graph: Graph, unit: Unit, key: str) -> int:
    return sum(graph.nodes[n].meta.get(key, 0) for n in unit.members)


def paths_text(node: Node) -> str:
    """``65,536 paths, 6–50 deep``; from a million paths on, ``2^20.5 paths``: an exact count
    that long says nothing at a glance (and past 4,300 digits Python will not print it)."""
    p = node.meta.get(PATHS)
    if not p:
        return ""
    count = p["count"]
    shown = f"2^{math.log2(count):.1f}".removesuffix(".0") if count > 10**6 else f"{count:,}"
    return f"{shown} path{'s' if count > 1 else ''}, {p['shortest']}–{p['longest']} deep"
