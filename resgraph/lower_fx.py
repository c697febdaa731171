"""lower_fx: IR graph → ``torch.fx.GraphModule`` with real ``nn.Module`` layers.

Layers with weights (conv, bn, linear) become submodules at their scope path, so parameter
names equal torchvision's (``layer1.0.conv1.weight``); the rest become calls of functions.
Every FX node carries the IR's facts under the FX keys of :mod:`resgraph.analysis.keys`
(:data:`~resgraph.analysis.keys.SCOPE`, ``OP``, ``STAGE``, ``BLOCK``, ``SHAPE``, ``SPAN``), and
the module keeps its IR graph under :data:`~resgraph.analysis.keys.GRAPH`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from resgraph.analysis import keys
from resgraph.ir import Graph, Node


def pad_channels(x: torch.Tensor, out: int, stride: int) -> torch.Tensor:
    """Option-A shortcut: keep every ``stride``-th pixel, zero-pad channels evenly to ``out``."""
    if stride > 1:
        x = x[:, :, ::stride, ::stride]
    extra = out - x.shape[1]
    return F.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))


def _conv(n: Node, ins: list[Node], device: torch.device) -> nn.Module:
    a = n.attrs
    return nn.Conv2d(ins[0].shape[0], a["out"], a["kernel"], a["stride"], a["pad"], a["dilation"],
                     a["groups"], a["bias"], device=device)


def _bn(n: Node, ins: list[Node], device: torch.device) -> nn.Module:
    return nn.BatchNorm2d(n.shape[0], device=device)


def _linear(n: Node, ins: list[Node], device: torch.device) -> nn.Module:
    return nn.Linear(ins[0].shape[0], n.attrs["out"], n.attrs["bias"], device=device)


_MODULES: dict[str, Callable[[Node, list[Node], torch.device], nn.Module]] = {
    "conv": _conv, "bn": _bn, "linear": _linear}


def _call(n: Node, args: list[Any]) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    a = n.attrs
    if n.op == "relu":
        return F.relu, (args[0],), {}
    if n.op == "sigmoid":
        return torch.sigmoid, (args[0],), {}
    if n.op == "maxpool":
        return F.max_pool2d, (args[0], a["kernel"], a["stride"], a["pad"]), {"ceil_mode": a["ceil"]}
    if n.op == "avgpool":
        return F.avg_pool2d, (args[0], a["kernel"], a["stride"], a["pad"]), {
            "ceil_mode": a["ceil"], "count_include_pad": a["count_pad"]}
    if n.op == "global_avgpool":
        return F.adaptive_avg_pool2d, (args[0], 1), {}
    if n.op == "flatten":
        return torch.flatten, (args[0], 1), {}
    if n.op == "add":
        return operator.add, tuple(args), {}
    if n.op == "mul":
        return operator.mul, tuple(args), {}
    if n.op == "concat":
        return torch.cat, (list(args), 1), {}
    if n.op == "pad_channels":
        return pad_channels, (args[0], a["out"], a["stride"]), {}
    raise ValueError(f"no lowering for op '{n.op}'")


def _init(module: nn.Module, node: Node) -> None:
    """torchvision's initialisation: He-normal convolutions (fan-out), BN scale 1 (or 0)."""
    if isinstance(module, nn.Conv2d):
        nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
    elif isinstance(module, nn.BatchNorm2d) and node.attrs.get("zero_init"):
        nn.init.zeros_(module.weight)


def lower_fx(graph: Graph, device: str | torch.device = "cpu",
             seed: int | None = None) -> fx.GraphModule:
    """Build a runnable GraphModule; on ``device="meta"`` no memory is allocated. With a
    ``seed`` the weights are drawn from it, so the same spec and seed give the same module
    (what an exported file, an engine and a benchmark reference must share), and the global
    random state is left as it was."""
    if seed is None:
        return _lower(graph, torch.device(device))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _lower(graph, torch.device(device))


def _lower(graph: Graph, dev: torch.device) -> fx.GraphModule:
    fxg = fx.Graph()
    modules: dict[str, nn.Module] = {}
    values: dict[str, fx.Node] = {}
    for n in graph:
        ins = [graph.nodes[i] for i in n.inputs]
        args = [values[i] for i in n.inputs]
        safe = n.name.replace(".", "_")
        if n.op == "input":
            fxn = fxg.placeholder("x")
        elif n.op in _MODULES:
            module = _MODULES[n.op](n, ins, dev)
            if dev.type != "meta":
                _init(module, n)
            modules[n.name] = module
            fxn = fxg.create_node("call_module", n.name, tuple(args), name=safe)
        else:
            fn, fargs, fkwargs = _call(n, args)
            fxn = fxg.create_node("call_function", fn, fargs, fkwargs, name=safe)
        fxn.meta.update({keys.SCOPE: n.name, keys.OP: n.op, keys.STAGE: n.stage,
                         keys.BLOCK: n.block, keys.SHAPE: n.shape, keys.SPAN: n.span})
        values[n.name] = fxn
    fxg.output(values[graph.output])
    gm = fx.GraphModule(modules, fxg, class_name=_class_name(graph.name))
    gm.meta[keys.GRAPH] = graph
    return gm


def _class_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in name)
    return cleaned if cleaned[:1].isalpha() else f"Net_{cleaned}"
