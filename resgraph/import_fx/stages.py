"""Names, stages and blocks from the module tree: each node's module scope, and the stages
and blocks the modules that merge (add, concatenate) make, at any depth; runs of top-level
blocks and the flat stages of MobileNets split into stages (the rules are in the package's
docstring and :meth:`Scopes.find_stages`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from torch import fx, nn

from resgraph.ir import BlockInfo, Graph, Node, StageInfo


def _heights(model: nn.Module) -> dict[str, int]:
    """Each module's height in the module tree: 0 for a leaf, 1 for a module of leaves."""
    heights: dict[str, int] = {}
    for path, m in reversed(list(model.named_modules())):
        heights[path] = 1 + max((heights.get(f"{path}.{n}" if path else n, 0)
                                 for n, _ in m.named_children()), default=-1)
    return heights


#: the network's parts that a model's top-level module of that name is, never a stage
_PARTS = ("stem", "head")


class Scopes:
    """Module scopes of FX nodes, and stage and block membership from the module tree."""

    def __init__(self, model: nn.Module) -> None:
        self.modules = dict(model.named_modules())  # the model's own classes, not FX's copies
        # FX names a node by its path with every character not in [0-9a-zA-Z_] as one "_"
        # (torch.fx.graph._Namespace.create_name): RegNet's block4-1 is block4_1
        self.mangled = {re.sub(r"[^0-9a-zA-Z_]+", "_", path): path for path in self.modules if path}
        self.counts: Counter[str] = Counter()
        self.used: set[str] = set()
        self.heights = _heights(model)
        self.root_blocks: set[str] = set()
        self.merging: set[str] = set()
        self.flat: dict[str, list[str]] = {}
        #: stage path → whether its children are its blocks (else it is its one block)
        self.stages: dict[str, bool] = {}

    def name(self, node: fx.Node, op: str) -> str:
        if node.op == "call_module":
            return self.unique(str(node.target))
        scope = self._scope(node)
        self.counts[(scope, op)] += 1  # type: ignore[index]
        leaf = f"{op}{self.counts[(scope, op)]}"  # type: ignore[index]
        return self.unique(f"{scope}.{leaf}" if scope else leaf)

    def _scope(self, node: fx.Node) -> str:
        stack = node.meta.get("nn_module_stack")
        if stack:
            return str(next(reversed(stack.values()))[0])
        best = ""
        for mangled, path in self.mangled.items():
            if node.name.startswith(mangled + "_") and len(path) > len(best) and self._holder(path):
                best = path
        return best

    def demangled(self, node: fx.Node) -> str | None:
        """``layer1_0_relu1`` → ``layer1.0.relu1`` for graphs without module stacks."""
        if node.meta.get("nn_module_stack"):
            return None
        scope = self._scope(node)
        if not scope:
            return node.name
        return f"{scope}.{node.name[len(scope) + 1:]}"

    def unique(self, name: str) -> str:
        base, k = name, 1
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name

    def _holder(self, path: str) -> bool:
        return self.heights.get(path, 0) >= 1

    def find_stages(self, residual: set[str], order: dict[str, int]) -> None:
        """Stages from the module tree and the scopes of merges (additions, concatenations).

        A block is a module that merges (``layer1.0``, ``features.2.1``,
        ``trunk_output.block1.block1-0``, DenseNet's ``features.denseblock1``) and a stage
        its parent, at any depth; its siblings that hold modules that hold modules are
        stages too (EfficientNet's ``features.1``, whose one block does not add), and a
        module between two stages is a stage of one block, itself (ConvNeXt's downsampling
        ``features.2``). Top-level modules that merge (Inception's ``Mixed_5b``,
        GoogLeNet's ``inception3a``) are blocks that :func:`_root_runs` groups into stages;
        other top-level modules that hold modules that hold modules are stages. ``order``
        gives each module's place in the data flow (a GraphModule's children are not in
        that order)."""
        self.merging = residual
        self.root_blocks = {r for r in residual if r and "." not in r and r in self.modules}
        parents = {r.rsplit(".", 1)[0] for r in residual if "." in r and r in self.modules}
        outermost = {p for p in parents if not any(p.startswith(q + ".") for q in parents)}
        for container in {p.rsplit(".", 1)[0] if "." in p else "" for p in outermost}:
            self._siblings(container, outermost, order)
        for top in (p for p in self.modules if p and "." not in p and p not in self.root_blocks):
            if self.heights[top] >= 2 and not any(s == top or s.startswith(top + ".")
                                                  for s in self.stages):
                self.stages[top] = True
        for part in _PARTS:  # timm's top-level stem and head are what their names say
            self.stages.pop(part, None)

    def _siblings(self, container: str, found: set[str], order: dict[str, int]) -> None:
        kids = sorted((f"{container}.{n}" if container else n
                       for n, _ in self.modules[container].named_children()),
                      key=lambda p: order.get(p, len(order)))
        marks = [i for i, p in enumerate(kids) if p in found or self.heights.get(p, 0) >= 2]
        for i, path in enumerate(kids):
            if i in marks:
                self.stages[path] = True
            elif marks and marks[0] < i < marks[-1] and self._holder(path):
                self.stages[path] = False

    def flat_stages(self, order: dict[str, int]) -> dict[str, list[str]]:
        """The stages whose children are blocks between a stem and a head layer, and no
        other (MobileNet's ``features``), each with its blocks: a child that merges or holds
        modules that hold modules is a block, any other a layer."""
        for stage, of_blocks in self.stages.items():
            kids = sorted((f"{stage}.{n}" for n, _ in self.modules[stage].named_children()),
                          key=lambda p: order.get(p, len(order)))
            block = [k in self.merging or self.heights.get(k, 0) >= 2 for k in kids]
            if not of_blocks or all(block) or not any(block):
                continue
            first, last = block.index(True), len(block) - block[::-1].index(True)
            if all(block[first:last]):
                self.flat[stage] = kids[first:last]
        return self.flat

    def stage_of(self, name: str) -> str | None:
        """The stage whose module holds the node ``name``: the longest stage path before it."""
        parts = name.split(".")
        return next((p for p in (".".join(parts[:k]) for k in range(len(parts) - 1, 0, -1))
                     if p in self.stages), None)

    def block_of(self, name: str) -> str | None:
        stage = self.stage_of(name)
        if stage is None or not self.stages[stage]:
            return stage  # a stage of one block, the stage's own module
        path = ".".join(name.split(".")[:stage.count(".") + 2])
        return path if path != name and path in self.modules and self._holder(path) else None


def _runs(graph: Graph, block_of: Callable[[Node], str | None],
          starts: Callable[[list[Node], list[Node]], bool]) -> dict[str, tuple[str, str | None]]:
    """Stages made of runs of consecutive blocks: each node → (stage, block). ``block_of``
    says which block a node is in ("" for another op in the same scope, None for a node out
    of it); a run ends at another op, whose ops open the next run, or where ``starts`` says
    a block begins a new one (given the last block's nodes and its own). A run is named by
    its first and last block (``inception4a–e``)."""
    units: list[tuple[str, list[Node]]] = []  # a block's nodes, or one other node
    for node in graph:
        block = block_of(node)
        if block is None:
            continue
        if block and units and units[-1][0] == block:
            units[-1][1].append(node)
        else:
            units.append((block, [node]))
    runs: list[list[tuple[str, list[Node]]]] = []
    before: list[tuple[str, list[Node]]] = []  # the other ops since the last block
    for unit in units:
        if not unit[0]:
            before.append(unit)
        elif runs and not before and not starts(runs[-1][-1][1], unit[1]):
            runs[-1].append(unit)
        else:
            runs.append((before if runs else []) + [unit])
            before = []
    return {n.name: (_run_name([b for b, _ in run if b]), b or None) for run in runs
            for b, nodes in run for n in nodes}


def _root_runs(graph: Graph, blocks: set[str]) -> dict[str, tuple[str, str | None]]:
    """Stages of top-level blocks (GoogLeNet's ``inception3a``): a run is broken by any other
    top-level op (GoogLeNet's pooling) and begun anew by a block that shrinks the map
    (Inception v3's ``Mixed_6a``)."""
    def block_of(node: Node) -> str:
        top = node.name.split(".")[0]
        return top if "." in node.name and top in blocks else ""
    return _runs(graph, block_of, lambda last, nodes: _shrinks(graph, nodes))


def _flat_runs(graph: Graph, stage: str, blocks: list[str]) -> dict[str, tuple[str, str | None]]:
    """The stages of a flat one (MobileNetV2's ``features``, whose blocks are its children
    between a stem layer and a head layer): runs of blocks of one output width; the layers
    at its ends are the network's stem and head."""
    def block_of(node: Node) -> str | None:
        if not node.name.startswith(stage + "."):
            return None
        child = ".".join(node.name.split(".")[:stage.count(".") + 2])
        return child if child in blocks else None
    return _runs(graph, block_of, lambda last, nodes: last[-1].shape[:1] != nodes[-1].shape[:1])


def _shrinks(graph: Graph, nodes: list[Node]) -> bool:
    inside = {n.name for n in nodes}
    entry = next((i for n in nodes for i in n.inputs if i not in inside), None)
    before, after = graph.nodes[entry].shape if entry else (), nodes[-1].shape
    return len(before) == len(after) == 3 and after[1] < before[1]


def _run_name(blocks: list[str]) -> str:
    """``inception4a–e``: the first block, and the last less what the two share."""
    first, last = blocks[0], blocks[-1]
    if first == last:
        return first
    common = len(next((first[:k] for k in range(len(first), 0, -1)
                       if last.startswith(first[:k])), ""))
    while 0 < common < len(last) and last[common].isdigit() and last[common - 1].isdigit():
        common -= 1  # features.11–12, not features.11–2
    return f"{first}–{last[common:]}"


def structure(graph: Graph, scopes: Scopes) -> None:
    """Each node's stage and block (nodes before the first stage are the stem, those after
    the last the head), then ``graph.blocks`` and ``graph.stages``."""
    order: dict[str, int] = {}
    for i, node in enumerate(graph):
        parts = node.name.split(".")
        for k in range(1, len(parts)):
            order.setdefault(".".join(parts[:k]), i)
    # a learned tensor added to the data flow (ViT's position embedding) merges nothing
    merges = {n.name.rsplit(".", 1)[0] for n in graph if n.op in ("add", "concat")
              and sum(graph.nodes[i].op != "param" for i in n.inputs) >= 2}
    scopes.find_stages(merges, order)
    runs = _root_runs(graph, scopes.root_blocks)
    for flat, its_blocks in scopes.flat_stages(order).items():
        runs.update(_flat_runs(graph, flat, its_blocks))
    seen_stage = False
    for node in graph:
        found: tuple[str | None, str | None] = runs.get(node.name) or (
            scopes.stage_of(node.name), None)
        stage, block = found
        if stage in scopes.flat:
            stage = None  # the stem or head layer at an end of a flat stage
        seen_stage = seen_stage or stage is not None
        node.stage = stage or ("head" if seen_stage else "stem")
        node.block = block or (scopes.block_of(node.name) if stage else None)
    members: dict[str, list[Node]] = {}
    for node in graph:
        if node.block:
            members.setdefault(node.block, []).append(node)
    for block, nodes in members.items():
        inside = {n.name for n in nodes}
        entry = next(i for n in nodes for i in n.inputs if i not in inside)
        graph.blocks[block] = BlockInfo(block, type(scopes.modules[block]).__name__, nodes[0].stage,
                                        entry, nodes[-1].name, {}, {})
    for stage in dict.fromkeys(b.stage for b in graph.blocks.values()):
        blocks = [b for b in graph.blocks.values() if b.stage == stage]
        first, last = graph.nodes[blocks[0].input].shape, graph.nodes[blocks[-1].output].shape
        stride = first[-1] // last[-1] if len(first) == 3 and len(last) == 3 else 1
        kind = Counter(b.type for b in blocks).most_common(1)[0][0]
        graph.stages.append(StageInfo(stage, kind, len(blocks), stride, [b.name for b in blocks]))
