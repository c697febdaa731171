"""The Python API: every entry that takes a spec, a graph or a model. The CLI is a view of it.

A *spec* argument is the same thing everywhere, in Python and on the command line: a ``str``
or ``Path`` names a spec file if one is there, else a shipped network (``resgraph list``);
spec text is passed as :class:`resgraph.Source` (on the command line, ``-`` reads it from
standard input). A *target* (``analyze``, ``draw``) is a spec, an IR :class:`Graph`, or a
``torch.nn.Module`` traced with torch.fx.

Each function is named for the command that calls it and means the same: ``compile``
builds the ``torch.fx.GraphModule`` and, given ``output``, writes it as a ``torch.export``
program, as ``resgraph compile`` does. The backends' entries (ONNX export, bench, TensorRT
build and profile) are :mod:`resgraph.backends.api`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resgraph.analysis.conventions import CONVENTIONS as COUNTER_CONVENTIONS
from resgraph.analysis.paths import count_text
from resgraph.catalog import Entry, catalog, is_sweep_file, resolve, variant_name
from resgraph.elaborate import elaborate
from resgraph.errors import MissingDependency, Source, UsageError
from resgraph.explain import explain as explain_graph
from resgraph.files import atomic_path, check_output, write_atomic
from resgraph.format import format_module
from resgraph.ir import Graph
from resgraph.parse import parse
from resgraph.summary import summarise

if TYPE_CHECKING:
    from torch import fx

    from resgraph.analysis.report import Report
    from resgraph.sweep import Summary as SweepSummary

# SWEEP_* and load_sweep come from resgraph.sweep when first read (__getattr__, below)
__all__ = ["COUNTER_CONVENTIONS",  # noqa: F822 "SWEEP_ENGINES", "SWEEP_MAX_SEED", "SWEEP_MAX_WORKERS",
           "SpecArg", "analyze", "check", "check_sweep", "compile", "count_text", "decompile", "draw",
           "explain", "fmt",
           "is_sweep_file", "load", "load_sweep", "lsp", "networks", "report", "sweep",
           "target_graph", "write_text"]

SpecArg = str | Path | Source
Shape = tuple[int, ...]


def load(spec: SpecArg, *, input_shape: Shape | None = None, **params: Any) -> Graph:
    """Parse and elaborate a spec into the IR; ``params`` override its ``param``\\ s and
    ``input_shape`` (CxHxW) replaces the shape of its ``input`` line."""
    r = resolve(spec)
    return elaborate(parse(r.text, r.file), r.file, {**r.params, **params},
                     name=variant_name(r, params), input_shape=input_shape)


def check(spec: SpecArg, **params: Any) -> tuple[Graph, dict[str, Any]]:
    """The elaborated graph and its one-paragraph summary (``resgraph check``)."""
    graph = load(spec, **params)
    return graph, summarise(graph)


def check_sweep(spec: SpecArg, **params: Any) -> dict[str, Any]:
    """A sweep file checked whole, as ``resgraph sweep`` checks it before anything runs
    (``resgraph check NAME.sweep.rg``): its name, spec, space, constraint and measure, and
    how many candidates it enumerates. ``params`` are ``--set``'s, fixed over the space."""
    from resgraph.sweep import load_sweep, plan

    the_plan = plan(spec, params=params or None)
    definition = the_plan.definition
    return {"sweep": load_sweep(spec).name,
            "spec": definition["spec"]["name"] or definition["spec"]["file"],
            "candidates": len(the_plan.space), "accept": the_plan.accept,
            "space": definition["space"],
            "where": definition["where"], "measure": definition["measure"]}


def explain(spec: SpecArg | Graph, **params: Any) -> dict[str, Any]:
    """Every resolved value of every stage and block, and where it came from."""
    return explain_graph(spec if isinstance(spec, Graph) else load(spec, **params))


def lsp() -> None:
    """Serve the Language Server Protocol on standard input and output until the client
    says exit (``resgraph lsp``); it needs the extra ``resgraph[lsp]`` (pygls)."""
    try:
        from resgraph.lsp.server import serve
    except ImportError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in ("pygls", "lsprotocol"):
            raise
        raise MissingDependency(f"resgraph lsp needs {missing}: pip install "
                                f"'resgraph[lsp]'") from None
    serve()


def networks() -> list[Entry]:
    """The networks resgraph ships, usable by name wherever a spec is (``resgraph list``)."""
    return list(catalog().values())


def fmt(spec: SpecArg) -> str:
    """The spec's canonical text: formatting it again gives the same text."""
    if is_sweep_file(spec):
        raise UsageError(f"{spec.file if isinstance(spec, Source) else spec} is a sweep file: "
                         "fmt formats specs; a sweep file is kept as written (check it with "
                         "resgraph check)")
    r = resolve(spec)
    return format_module(parse(r.text, r.file))


def compile(spec: SpecArg | Graph, output: str | Path | None = None, *, batch: int = 1,
            device: str = "cpu", seed: int | None = None, **params: Any) -> fx.GraphModule:
    """The spec's runnable ``torch.fx.GraphModule`` (``device="meta"`` allocates nothing;
    ``seed`` draws the weights from a seed of their own). With ``output``, it is also
    exported with ``torch.export`` at ``batch`` and saved there (``.pt2``), whole or not at
    all; the output is checked before any work and is never one of the inputs."""
    if output is not None:
        check_output(output, inputs=_inputs(spec))
        if batch < 1:
            raise UsageError(f"batch must be at least 1, got {batch}")
    graph = spec if isinstance(spec, Graph) else load(spec, **params)
    from resgraph.lower_fx import lower_fx

    module = lower_fx(graph, "cpu" if output is not None else device, seed=seed)
    if output is not None:
        _export_program(module.eval(), graph, Path(output), batch)
    return module


def _export_program(module: fx.GraphModule, graph: Graph, output: Path, batch: int) -> None:
    import torch

    example = torch.zeros(batch, *graph.input_shape)
    program = torch.export.export(module, (example,))
    with atomic_path(output) as tmp:
        torch.export.save(program, tmp)


def analyze(target: Any, *, input_shape: Shape | None = None, batch: int = 1,
            dtype: str = "fp32", level: str = "network", params: Mapping[str, Any] | None = None,
            gradients: bool = False, samples: int = 8, seed: int = 0,
            progress: Callable[[int, int], None] | None = None, train: bool = False,
            strict: bool = False) -> Report:
    """Every analysis of a target (``resgraph analyze`` and ``resgraph paths``).

    ``input_shape`` (CxHxW) re-elaborates a spec at that size and is required for a model.
    ``gradients=True`` adds the estimated and the measured gradient-carrying curves (a spec
    or graph only: they run the compiled module on the CPU, seeded by ``seed`` alone).
    A model is traced in evaluation mode unless ``train``; with ``strict`` an op resgraph
    cannot count is an error naming them all, instead of a node of unknown cost.
    """
    from resgraph.analysis.report import analyze_graph, gradient_curves

    graph = target_graph(target, input_shape, params or {}, train=train, strict=strict)
    report = analyze_graph(graph, batch=batch, dtype=dtype, level=level)
    if gradients:
        if _is_module(target):
            raise UsageError("gradient curves need a spec, which resgraph compiles and runs")
        gradient_curves(report, samples=samples, seed=seed, progress=progress)
    return report


def draw(target: Any, output: str | Path | None = None, *,
         params: Mapping[str, Any] | None = None, input_shape: Shape | None = None,
         **options: Any) -> str:
    """DOT source of a target; with ``output`` (``.svg``, ``.png``, ``.pdf`` or ``.dot``)
    the diagram is also written there (``resgraph draw``).

    ``options`` are those of :class:`resgraph.render.DrawOptions`: ``level``, ``expand``,
    ``rankdir``, ``annotate``, ``color`` (``"values"`` with ``values={scope: number}`` and
    ``legend``) and ``batch``; ``expand`` and ``annotate`` take a sequence or a
    comma-separated string.
    """
    from resgraph.render import make_options, output_format, render_dot, write

    draw_options = make_options(**options)
    if output is not None:
        output_format(Path(output))
        check_output(output, inputs=_inputs(target))
    source = render_dot(target_graph(target, input_shape, params or {}), draw_options)
    if output is not None:
        write(source, output)
    return source


def report(target: Any, output: str | Path, *, params: Mapping[str, Any] | None = None,
           input_shape: Shape | None = None, batch: int = 1, dtype: str = "fp32",
           bench: str | Path | None = None, profile: str | Path | None = None,
           gradients: bool = False, seed: int = 0, pages: int = 20) -> Path:
    """Write the one-page HTML report of a target to ``output`` (``resgraph report``); a
    sweep folder (``resgraph sweep --out DIR``) gets the sweep's page, and ``pages`` of its
    candidates their own pages beside it (the Pareto front first).

    ``bench`` is a file ``resgraph bench --json`` wrote, ``profile`` one ``resgraph profile
    --json`` wrote (its times colour the diagram); ``gradients`` adds the gradient curves to
    the path chart (a spec only: they run the compiled module on the CPU, seeded by ``seed``).
    The output is checked before any work and is never one of the inputs.
    """
    from resgraph.report import read_bench, read_profile, write_report, write_sweep_report
    from resgraph.report.sweep_page import is_sweep

    check_output(output, inputs=_inputs(target, *(f for f in (bench, profile) if f)))
    if is_sweep(target):
        return write_sweep_report(target, output, pages=pages)
    if gradients and _is_module(target):
        raise UsageError("gradient curves need a spec, which resgraph compiles and runs")
    extras = {"bench": read_bench(bench) if bench else None,
              "profile": read_profile(profile) if profile else None}
    graph = target_graph(target, input_shape, params or {})
    return write_report(graph, output, batch=batch, dtype=dtype, gradients=gradients, seed=seed,
                        **extras)


def target_graph(target: Any, input_shape: Shape | None = None,
                 params: Mapping[str, Any] | None = None, *, train: bool = False,
                 strict: bool = False) -> Graph:
    """The IR of a spec, a graph (as it is) or a ``torch.nn.Module`` traced in evaluation
    mode (training mode with ``train``: training-only branches such as auxiliary heads are
    then traced too); ``strict`` refuses a model with ops resgraph cannot count."""
    if isinstance(target, Graph):
        return target
    if isinstance(target, (str, Path, Source)):
        return load(target, input_shape=input_shape, **(params or {}))
    if _is_module(target):
        if params:
            raise UsageError("params override a spec's params; they do not apply to a model")
        from resgraph.import_fx import import_fx

        return import_fx(target, input_shape or (3, 224, 224), train=train, strict=strict)
    raise UsageError(f"cannot take a {type(target).__name__}: give a spec (a path, a shipped "
                     f"name or a resgraph.Source), a Graph or a torch.nn.Module")


def decompile(model: Any, *, input_shape: Shape = (3, 224, 224), name: str | None = None) -> str:
    """The spec text that rebuilds ``model`` (``resgraph import``): a ``torch.nn.Module``, or
    ``"pkg.mod:factory"`` (with literal arguments, as ``--module`` takes it), traced on an
    ``input_shape`` input. What the language cannot write is a ``DecompileError`` naming each
    cause at its module path."""
    from resgraph.decompile import decompile as write_spec

    origin = None
    if isinstance(model, str):
        from resgraph.factory import load_module

        origin, model = model, load_module(model)
    if not _is_module(model):
        raise UsageError(f"decompile takes a torch.nn.Module or 'pkg.mod:factory', not a "
                         f"{type(model).__name__}")
    return write_spec(model, tuple(input_shape), name, origin)


def write_text(path: str | Path, text: str, *, inputs: tuple[Any, ...] = ()) -> Path:
    """Write ``text`` to ``path`` whole, after checking it is writable and not an input."""
    return write_atomic(check_output(path, inputs=_inputs(*inputs)), text)


def sweep(spec: SpecArg, out: str | Path, **options: Any) -> SweepSummary:
    """Run a design-space sweep of ``spec`` into the folder ``out``, or resume the one there
    (``resgraph sweep``); ``options`` are :func:`resgraph.sweep.sweep`'s (``grid``,
    ``sample``, ``samples``, ``accept``, ``seed``, ``where``, ``measure``, ``params``, ``input_shape``,
    ``pareto``, ``engine``, ``workers``, ``ray_address``, ``progress``). ``spec`` may be a
    sweep file (``NAME.sweep.rg``), whose settings the options given here override. The
    journal's record format is in :mod:`resgraph.sweep`."""
    from resgraph.sweep import sweep as run_sweep

    return run_sweep(spec, out, **options)


#: names this module gives of :mod:`resgraph.sweep`, loaded when first read: a command that
#: runs no sweep does not import the sweep's engines and journal at start-up
_FROM_SWEEP = {"SWEEP_ENGINES": "ENGINES", "SWEEP_MAX_SEED": "MAX_SEED",
               "SWEEP_MAX_WORKERS": "MAX_WORKERS", "load_sweep": "load_sweep"}


def __getattr__(name: str) -> Any:
    if name in _FROM_SWEEP:
        import resgraph.sweep

        return getattr(resgraph.sweep, _FROM_SWEEP[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _is_module(target: Any) -> bool:
    """Whether ``target`` is a ``torch.nn.Module``, without importing torch for a spec."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(target, torch.nn.Module)


def _inputs(*targets: Any) -> list[Path]:
    """The files a spec argument reads, so that no output lands on one of them."""
    return [Path(t) for t in targets if isinstance(t, (str, Path)) and Path(t).is_file()]
