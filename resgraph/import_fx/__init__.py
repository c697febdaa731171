"""import_fx: any traceable PyTorch model → the resgraph IR, so every analysis runs on it.

One step per module: :mod:`.trace` (the FX graph and its shapes), :mod:`.kinds` (what each
FX node becomes), :mod:`.importer` (the IR nodes, in order), :mod:`.stages` (names, stages
and blocks from the module tree).

The model is traced with ``torch.fx.symbolic_trace`` (a ``GraphModule`` is taken as it is)
and its shapes come from shape propagation on fake (``meta``-backed) tensors, so nothing is
computed and no activation memory is allocated. Each FX node becomes an IR node of the op
kinds of :mod:`resgraph.ops`; layers that change nothing (identity, ``contiguous``) are
dropped, and size queries vanish with them. Dropout and stochastic depth stay, as the spec's
free ``dropout`` and ``stochastic_depth`` ops (their outputs are activations a spec counts).

Names are module scopes: a ``call_module`` node keeps its module path (``layer1.0.conv1``);
a function call gets ``<scope>.<op><k>`` (``layer1.0.add1``), where the scope is the module
whose ``forward`` made the call, read from FX's ``nn_module_stack`` or, for a graph built
without it, recovered from the node's name (``layer1_0_relu1`` → ``layer1.0.relu1``). Stages
and blocks come from the module tree and the residual additions: a module that adds is a
block and its parent a stage, at any depth (``layer1``, ``features.2``,
``trunk_output.block1``), with the parent's other deep children and the modules between two
stages (see :meth:`.stages.Scopes.find_stages`); a flat stage of blocks between a stem and a head
layer (MobileNet's ``features``) splits where the width changes; top-level blocks group into
runs; a model without merges has its top-level modules that hold modules that hold modules
as stages. Nodes before the first stage belong
to ``stem``, those after the last to ``head``.

``resgraph.compile``'s GraphModules carry their IR under :data:`~resgraph.analysis.keys.GRAPH`;
this importer ignores it and every ``resgraph.*`` node meta key, so that comparing the two
routes tests something.

On the traced ``GraphModule``'s FX nodes (not the IR) it leaves one key,
:data:`~resgraph.analysis.keys.IMPORT_SHAPE`.
"""

from __future__ import annotations

from torch import fx, nn

from resgraph.analysis.keys import MODULE_PARAMS
from resgraph.analysis.report import uncounted_ops, uncounted_text
from resgraph.import_fx.importer import Importer
from resgraph.import_fx.stages import Scopes, structure
from resgraph.import_fx.trace import ImportFxError, in_mode, propagate, trace
from resgraph.ir import Graph

__all__ = ["ImportFxError", "import_fx"]


def import_fx(model: nn.Module, input_shape: tuple[int, ...], name: str | None = None, *,
              train: bool = False, strict: bool = False) -> Graph:
    """Trace ``model`` on an ``input_shape`` input and build its IR graph, in evaluation mode
    unless ``train`` (the model's modes are restored afterwards). An op resgraph cannot count
    becomes an ``opaque`` node; with ``strict`` they are an error that names them all."""
    with in_mode(model, train):
        gm = trace(model)
        propagate(gm, tuple(input_shape), 2 if train else 1)
    graph = Graph(name=name or type(model).__name__, input_shape=tuple(input_shape))
    scopes = Scopes(model)
    Importer(gm, graph, scopes).run()
    structure(graph, scopes)
    graph.meta[MODULE_PARAMS] = {"total": sum(p.numel() for p in model.parameters()),
                                 "not_reached": _not_reached(model, gm)}
    lost = uncounted_ops(graph)
    if strict and lost:
        raise ImportFxError(f"--strict: {type(model).__name__} uses ops resgraph cannot count: "
                            + uncounted_text(lost))
    return graph


def _not_reached(model: nn.Module, gm: fx.GraphModule) -> list[str]:
    """The submodules whose parameters the trace never uses (Inception's ``AuxLogits`` in
    eval mode), each the outermost module all of whose parameters are unused."""
    used = {str(n.target) for n in gm.graph.nodes if n.op in ("call_module", "get_attr")}
    names = [name for name, _ in model.named_parameters()]
    missing = {p for p in names if not any(p == u or p.startswith(u + ".") for u in used)}
    out: dict[str, None] = {}
    for p in names:
        if p in missing:
            parts = p.split(".")[:-1] or p.split(".")
            out[next(prefix for prefix in (".".join(parts[:k]) for k in range(1, len(parts) + 1))
                     if all(q in missing for q in names if q.startswith(prefix + ".")))] = None
    return list(out)
