"""``resgraph analyze``: a thin view of :func:`resgraph.analyze`."""

from __future__ import annotations

import argparse
from typing import Any

from resgraph import api
from resgraph.cli.args import (
    batch_argument,
    json_argument,
    parse_sets,
    read_target,
    target_arguments,
)
from resgraph.cli.output import count, out, print_json, size

NAME = "analyze"
HELP = "MACs, FLOPs, parameters, memory, receptive fields and paths of a network"
EPILOG = """examples:
  resgraph analyze resnet50
  resgraph analyze resnet50 --level stage --batch 32 --dtype fp16
  resgraph analyze specs/resnet.rg --set depth=101 --input 3x160x160 --json
  resgraph analyze cifar_resnet110 --level block
  resgraph analyze --module torchvision.models:resnet50 --input 3x224x224

MACs: multiply-accumulates of conv and linear layers (torchvision's figure; FlopCounterMode / 2).
FLOPs: every floating-point operation once (2 per MAC, batch norm, activations, additions,
pooling). 'other counters' shows what fvcore, thop, ptflops, DeepSpeed and torchinfo would report."""



def arguments(p: argparse.ArgumentParser) -> None:
    target_arguments(p, "analyze")
    json_argument(p)
    batch_argument(p, "N", help="batch size (default 1)")
    p.add_argument("--dtype", default="fp32", choices=["fp32", "fp16", "bf16"],
                   help="element type for memory figures (default fp32)")
    p.add_argument("--level", default="network", choices=["network", "stage", "block", "op"],
                   help="the rows of the cost table (default network)")


def analyze(args: argparse.Namespace, **kwargs: Any) -> Any:
    """:func:`resgraph.analyze` of what the command line names (``paths`` shares it)."""
    return api.analyze(read_target(args), input_shape=args.input,
                       params=parse_sets(args.sets), train=args.train,
                       strict=args.strict, **kwargs)


# analyze ------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    report = analyze(args, batch=args.batch.size, dtype=args.dtype, level=args.level)
    if args.json:
        print_json(report.to_json())
        return 0
    from rich.table import Table

    r = report
    head = Table(title=f"{r.name}  input {'x'.join(map(str, r.input_shape))}  batch {r.batch}  "
                       f"{r.dtype}", show_header=False)
    for k, v in [("MACs (conv + linear multiply-accumulates)", f"{r.macs:,}  ({count(r.macs)})"),
                 ("FLOPs (every op once)", f"{r.flops:,}  ({count(r.flops)})"),
                 ("parameters (trainable)", f"{r.params:,}  ({size(r.memory.param_bytes)})"),
                 ("buffers", f"{r.buffers:,}  ({size(r.memory.buffer_bytes)})"),
                 ("activations, all tensors", size(r.memory.activation_bytes)),
                 ("activations, peak live", (f"{size(r.memory.peak_bytes)} at "
                                             f"{r.memory.peak_at}")),
                 ("paths", _paths_line(r)), *_training_rows(r.training)]:
        head.add_row(k, v)
    out.print(head)
    kinds = Table(title="FLOPs by op kind")
    kinds.add_column("op")
    kinds.add_column("FLOPs", justify="right")
    kinds.add_column("share", justify="right")
    for op, v in sorted(r.flops_by_op.items(), key=lambda kv: -kv[1]):
        kinds.add_row(op, f"{v:,}", f"{100 * v / r.flops:.2f}%")
    out.print(kinds)
    _conventions(r)
    _uncounted(r.to_json().get("uncounted_ops", []))
    _module_params(r.module_params)
    _fields(r)
    if r.level != "network":
        _rows(r)
    return 0


def _training_rows(t: Any) -> list[tuple[str, str]]:
    """The training network's figures, for a spec with ``output training``: the rows above
    are the network in eval."""
    if t is None:
        return []
    paths = t.paths_by_output or {"output": t.paths.lengths}
    return [("in training: MACs", f"{t.macs:,}  ({count(t.macs)})"),
            ("in training: parameters", f"{t.params:,}  ({size(t.memory.param_bytes)})"),
            *((f"in training: paths to {k}", (f"lengths {d.shortest}..{d.longest}, mean "
               f"{float(d.mean):.1f}")) for k, d in paths.items())]


def _paths_line(r: Any) -> str:
    lengths = r.paths.lengths
    return (f"{api.count_text(lengths.total, grouping=True)} (lengths {lengths.shortest}..{lengths.longest}, mean "
            f"{float(lengths.mean):.1f}, median {lengths.median}; nominal depth "
            f"{r.paths.nominal_depth})")


def _conventions(r: Any) -> None:
    from rich.table import Table

    from resgraph.api import COUNTER_CONVENTIONS

    t = Table(title="the same network under other counters' conventions")
    for c in ("counter", "figure", "what it reports", "vs MACs"):
        t.add_column(c, justify="right" if c in ("figure", "vs MACs") else "left")
    for name, v in r.conventions.items():
        t.add_row(name, f"{v:,}", COUNTER_CONVENTIONS[name][1], f"{v / r.macs:.4f}" if r.macs else "-")
    out.print(t)


def _uncounted(rows: list[dict[str, Any]]) -> None:
    """Ops of a traced model that no figure above includes (their cost is unknown)."""
    if not rows:
        return
    from rich.table import Table

    t = Table(title="ops resgraph cannot count (not in any figure above; --strict refuses them)")
    for c in ("op", "count", "where"):
        t.add_column(c, justify="right" if c == "count" else "left")
    for row in rows:
        nodes = row["nodes"]
        t.add_row(row["op"], str(row["count"]), ", ".join(nodes[:4]) + (", …" if len(nodes) > 4 else ""))
    out.print(t)


def _module_params(found: dict[str, Any] | None) -> None:
    """An imported model's parameters that no traced op uses (auxiliary heads in eval)."""
    if not found or found["total"] == found["traced"]:
        return
    from rich.table import Table

    t = Table(title="parameters: the module holds more than the trace uses", show_header=False)
    t.add_row("in the module", f"{found['total']:,}")
    t.add_row("traced (the figure above)", f"{found['traced']:,}")
    t.add_row("not reached by the trace", ", ".join(found["not_reached"]) or
              "(none: the difference is in ops resgraph cannot count, or shared)")
    out.print(t)


def _fields(r: Any) -> None:
    from rich.table import Table

    t = Table(title="receptive field of each stage's output (input pixels)")
    for c in ("stage", "output", "size", "stride", "centre of pixel 0"):
        t.add_column(c)
    for f in r.receptive_fields:
        t.add_row(f.stage, f.node, "x".join(map(str, f.size)), "x".join(map(str, f.stride)),
                  ", ".join(f"{c:g}" for c in f.centre))
    out.print(t)


def _rows(r: Any) -> None:
    from rich.table import Table

    t = Table(title=f"costs per {r.level}")
    for c in ("name", "kind", "MACs", "FLOPs", "params", "activations"):
        t.add_column(c, justify="left" if c in ("name", "kind") else "right")
    for row in r.rows:
        t.add_row(row.name, row.kind, f"{row.macs:,}", f"{row.flops:,}", f"{row.params:,}",
                  size(row.activation_bytes))
    out.print(t)
