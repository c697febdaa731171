"""Tracing a model with torch.fx in the mode asked for, and its shapes by propagation on
fake tensors; the one error of the import."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import fx, nn

from resgraph.analysis.keys import IMPORT_SHAPE
from resgraph.errors import UsageError
from resgraph.lower_fx import by_mode


class ImportFxError(UsageError):
    """The model cannot be traced, or uses an operation resgraph has no op kind for."""


def trace(model: nn.Module) -> fx.GraphModule:
    """The model's FX graph; extra ``forward`` arguments are fixed at their defaults."""
    if isinstance(model, fx.GraphModule):
        return _in_its_mode(model)
    concrete = _concrete_args(model)
    try:
        return fx.symbolic_trace(model, concrete_args=concrete)
    except Exception as exc:  # symbolic tracing raises many kinds on data-dependent code
        raise ImportFxError(f"cannot trace {type(model).__name__} with torch.fx: "
                            f"{first_line(exc)}") from exc


def _in_its_mode(gm: fx.GraphModule) -> fx.GraphModule:
    """A compiled network with training outputs returns by :func:`~resgraph.lower_fx.by_mode`:
    its graph as the mode it is in runs it (the other mode's outputs, and what only they
    read, left out), as tracing a model reads its ``self.training``."""
    out = next(n for n in gm.graph.nodes if n.op == "output")
    chosen = out.args[0]
    if not (isinstance(chosen, fx.Node) and chosen.target is by_mode):
        return gm
    graph = fx.Graph()
    values: dict[fx.Node, fx.Node] = {}
    graph.graph_copy(gm.graph, values)
    graph.output(values[chosen].args[2 if gm.training else 1])
    picked = fx.GraphModule(gm, graph, class_name=type(gm).__name__)
    picked.graph.eliminate_dead_code()
    picked.recompile()
    return picked


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _concrete_args(model: nn.Module) -> dict[str, Any]:
    """Every ``forward`` parameter after the input, at its default: tracing specialises the
    model to the call ``model(x)``, which is the one resgraph analyses."""
    params = [p for p in inspect.signature(model.forward).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    required = [p.name for p in params[1:] if p.default is p.empty]
    what = type(model).__name__
    if not params:
        raise ImportFxError(f"{what}.forward takes no input; resgraph traces model(x)")
    if required:
        raise ImportFxError(f"{what}.forward needs {len(required) + 1} inputs "
                            f"({', '.join([params[0].name, *required])}); resgraph traces "
                            "models of one tensor input (give the others defaults)")
    return {p.name: p.default for p in params[1:]}


@contextmanager
def in_mode(model: nn.Module, train: bool) -> Iterator[None]:
    """``model`` in training or evaluation mode while it is traced and its shapes found, as the
    caller left it afterwards: in eval mode training-only branches (auxiliary heads) are
    not traced and batch norm takes a batch of one."""
    before = {m: m.training for m in model.modules()}
    model.train(train)
    try:
        yield
    finally:
        for m, training in before.items():
            m.training = training


class _ShapeRecorder(fx.Interpreter):
    """Runs the graph and notes every tensor result's shape on its node."""

    def run_node(self, n: fx.Node) -> Any:
        result = super().run_node(n)
        if isinstance(result, torch.Tensor):
            n.meta[IMPORT_SHAPE] = tuple(int(d) for d in result.shape)
        return result


def propagate(gm: fx.GraphModule, input_shape: tuple[int, ...], batch: int) -> None:
    """Shapes for every node, on fake tensors: nothing allocated, nothing computed.

    Real weights are turned into fake ones as ops meet them, so the model is not copied. In
    training mode the batch is 2, since batch norm needs two values per channel to train.
    """
    from torch._subclasses.fake_tensor import FakeTensorMode

    param = next(iter(gm.parameters()), None)
    device = param.device if param is not None else torch.device("cpu")
    with FakeTensorMode(allow_non_fake_inputs=True), torch.no_grad():
        x = torch.empty((batch, *input_shape), device=device)
        try:
            _ShapeRecorder(gm).run(x)
        except Exception as exc:
            first = first_line(exc)
            raise ImportFxError(f"shape propagation of a {batch}x{'x'.join(map(str, input_shape))} "
                                f"input failed: {first}") from exc


def shape_of(node: fx.Node) -> tuple[int, ...] | None:
    shape = node.meta.get(IMPORT_SHAPE)
    return None if shape is None else shape[1:]
