"""Imported blocks as calls of the prelude's blocks: for each block the importer found, the
calls its facts suggest (channels, strides, groups, kernels, activations read off its
layers), each elaborated on the block's own input shape and kept only if it gives the same
nodes (:mod:`.canon`). Blocks of equal form share one search."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from resgraph.decompile.canon import Canon
from resgraph.decompile.opcall import value
from resgraph.elaborate import elaborate
from resgraph.errors import ResgraphError
from resgraph.ir import Graph, Node
from resgraph.parse import parse

Args = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Call:
    """A block call: the block's name, its positional arguments and its named ones."""

    block: str
    args: tuple[Any, ...]
    kwargs: Args = ()

    def text(self, leave: tuple[str, ...] = ()) -> str:
        words = [value(a) for a in self.args]
        words += [f"{k}={word(v)}" for k, v in self.kwargs if k not in leave]
        return f"{self.block}({', '.join(words)})"

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.kwargs).get(key, default)

    def without(self, key: str) -> Call:
        return Call(self.block, self.args, tuple((k, v) for k, v in self.kwargs if k != key))


def word(v: Any) -> str:
    """An argument's text: an activation is the op's name, a tensor its result's, anything
    else a literal."""
    return v.name if isinstance(v, (Op, Tensor)) else value(v)


@dataclass(frozen=True)
class Op:
    """An op passed as an argument (``act=relu6``)."""

    name: str


@dataclass(frozen=True)
class Tensor:
    """A tensor passed as an argument (``skip=enc3``): the IR node it is, until the network
    names it; then the result's name."""

    name: str


class Facts:
    """What a block's layers say: its convolutions, batch norms and other ops by their names
    under the block's scope."""

    def __init__(self, graph: Graph, nodes: list[Node], prefix: str) -> None:
        self.nodes = nodes
        self.by = {n.name.removeprefix(prefix): n for n in nodes}
        self.convs = [n for n in nodes if n.op == "conv"]
        self.in_channels = graph.nodes[graph.blocks[prefix[:-1]].input].shape[0]
        self.ops = {n.op for n in nodes}

    def conv(self, label: str) -> Node | None:
        node = self.by.get(label)
        return node if node is not None and node.op == "conv" else None

    def after(self, node: Node) -> Node | None:
        """The op that follows ``node``'s batch norm (its activation)."""
        users = [n for n in self.nodes if node.name in n.inputs]
        if users and users[0].op == "bn":
            return self.after(users[0])
        return users[0] if users else None

    def bn_kwargs(self) -> Args:
        bn = next((n for n in self.nodes if n.op == "bn"), None)
        if bn is None:
            return ()
        return tuple((k, bn.attrs[k]) for k in ("eps", "momentum") if k in bn.attrs)


    def se(self) -> tuple[int, ...]:
        """The squeeze-excitation reductions that may give the block's ``se.fc1`` (0: none;
        the prelude's hidden width is ``make_divisible(C // reduction, 8)``, so each common
        reduction is tried)."""
        return (0,) if self.conv("se.fc1") is None else (16, 4, 8, 32, 2)

    def depth_kwargs(self, flag: bool) -> Args:
        """Stochastic depth's rate (and ``sd=true`` where the block has that flag)."""
        sd = next((n for n in self.nodes if n.op == "stochastic_depth"), None)
        if sd is None:
            return ()
        return (("sd", True),) * flag + (("drop", sd.attrs["p"]),)


def _basic(f: Facts) -> Iterator[Call]:
    conv1 = f.conv("conv1")
    if conv1 is None:
        return
    preact = f.nodes[0].op == "bn"
    for shortcut in ("B", "C", "A", "D"):
        for se in f.se():
            kw = [("stride", conv1.attrs["stride"][0]), ("shortcut", shortcut),
                  ("preact", preact), ("se", se)]
            yield Call("basic", (conv1.attrs["out"],), _trim(kw, BASIC))


def _bottleneck(f: Facts) -> Iterator[Call]:
    c1, c2, c3 = f.conv("conv1"), f.conv("conv2"), f.conv("conv3")
    if c1 is None or c2 is None or c3 is None:
        return
    width, out, groups = c2.attrs["out"], c3.attrs["out"], c2.attrs["groups"]
    on_1x1 = c1.attrs["stride"][0] > 1
    stride = (c1 if on_1x1 else c2).attrs["stride"][0]
    preact = f.nodes[0].op == "bn"
    for expansion in dict.fromkeys((4, *range(1, 9))):
        planes, rest = divmod(out, expansion)
        base, rest2 = divmod(width * 64, planes * groups) if planes else (0, 1)
        if rest or rest2:
            continue
        for shortcut in ("B", "C", "D"):
            for se in f.se():
                kw = [("stride", stride), ("groups", groups), ("base_width", base),
                      ("expansion", expansion), ("shortcut", shortcut),
                      ("stride_on", "1x1" if on_1x1 else "3x3"), ("se", se),
                      ("preact", preact)]
                yield Call("bottleneck", (planes,), _trim(kw, BOTTLENECK))


def _mbconv(f: Facts) -> Iterator[Call]:
    depthwise = next((c for c in f.convs if c.attrs["groups"] == c.attrs["out"] > 1), None)
    if depthwise is None or not f.convs:
        return
    act = f.after(depthwise)
    fc1 = next((n for n in f.nodes if n.name.endswith(".fc1") and n.op == "conv"), None)
    kw: list[tuple[str, Any]] = [("kernel", depthwise.attrs["kernel"][0]),
                                 ("stride", depthwise.attrs["stride"][0]),
                                 ("expanded", depthwise.attrs["out"]),
                                 ("act", Op(act.op if act else "silu"))]
    if fc1 is not None:
        se = [n for n in f.nodes if n.name.startswith(fc1.name.rsplit(".", 1)[0] + ".")]
        ops = [n.op for n in se if n.op not in ("conv", "global_avgpool", "mul")]
        kw += [("squeeze", fc1.attrs["out"])]
        if len(ops) == 2:
            kw += [("se_act", Op(ops[0])), ("se_gate", Op(ops[1]))]
    kw += [*f.bn_kwargs(), *f.depth_kwargs(True)]
    yield Call("mbconv", (f.convs[-1].attrs["out"],), _trim(kw, MBCONV))


def _fused_mbconv(f: Facts) -> Iterator[Call]:
    if not f.convs or any(c.attrs["groups"] > 1 for c in f.convs):
        return
    first = f.convs[0]
    act = f.after(first)
    kw = [("kernel", first.attrs["kernel"][0]), ("stride", first.attrs["stride"][0]),
          ("expanded", first.attrs["out"] if len(f.convs) > 1 else f.in_channels),
          ("act", Op(act.op if act else "silu")), *f.bn_kwargs(), *f.depth_kwargs(False)]
    yield Call("fused_mbconv", (f.convs[-1].attrs["out"],), _trim(kw, FUSED_MBCONV))


#: each prelude block's defaults, so that a call leaves out what it need not say
BASIC = {"stride": 1, "shortcut": "B", "preact": False, "se": 0}
BOTTLENECK = {"stride": 1, "groups": 1, "base_width": 64, "expansion": 4, "shortcut": "B",
              "stride_on": "3x3", "se": 0, "preact": False}
MBCONV = {"kernel": 3, "stride": 1, "act": Op("silu"), "squeeze": 0, "se_act": Op("silu"),
          "se_gate": Op("sigmoid"), "eps": 1e-5, "momentum": 0.1, "drop": 0.0}
FUSED_MBCONV = {"kernel": 3, "stride": 1, "act": Op("silu"), "eps": 1e-5, "momentum": 0.1,
                "drop": 0.0}


#: the defaults of each block, and its positional parameters' names
BLOCK_DEFAULTS: dict[str, dict[str, Any]] = {
    "basic": {**BASIC, "__positional__": ("planes",)},
    "bottleneck": {**BOTTLENECK, "__positional__": ("planes",)},
    "mbconv": {**MBCONV, "sd": False, "__positional__": ("out",)},
    "fused_mbconv": {**FUSED_MBCONV, "__positional__": ("out",)},
}


def _trim(kw: list[tuple[str, Any]], defaults: dict[str, Any]) -> Args:
    return tuple((k, v) for k, v in kw if defaults.get(k, object()) != v or k == "expanded")


#: the prelude blocks tried, each with the calls it reads off a block's facts
CANDIDATES: tuple[Callable[[Facts], Iterator[Call]], ...] = (
    _bottleneck, _basic, _mbconv, _fused_mbconv)


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


@lru_cache(maxsize=4096)
def probe(call: Call, input_shape: tuple[int, ...]) -> Graph | None:
    """The call elaborated alone on ``input_shape`` (its block at scope ``probe.0``), or None
    where the prelude refuses it."""
    text = (f"resgraph 1\nnetwork probe\ninput {_shape(input_shape)}\n"
            f"stage probe: {call.text()} x 1\n")
    try:
        return elaborate(parse(text, "<decompile>"), "<decompile>", {}, name="probe")
    except ResgraphError:
        return None


def block_nodes(graph: Graph, block: str) -> list[Node]:
    return [n for n in graph if n.block == block]


def match(graph: Graph, block: str) -> Call | None:
    """The first prelude call that elaborates to the imported block ``block``."""
    nodes = block_nodes(graph, block)
    entry = graph.blocks[block].input
    facts = Facts(graph, nodes, block + ".")
    canon = Canon()
    want = canon.forms(graph, nodes, entry, block + ".")
    shape = graph.nodes[entry].shape
    for candidates in CANDIDATES:
        for call in candidates(facts):
            got = probe(call, shape)
            if got is None:
                continue
            mine = [n for n in got if n.block == "probe.0"]
            ids = canon.forms(got, mine, "input", "probe.0.")
            if mine and ids[mine[-1].name] == want[nodes[-1].name] \
                    and len(mine) == len(nodes):
                return call
    return None
