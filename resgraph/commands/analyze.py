"""``resgraph analyze`` and ``resgraph paths``: thin views of :func:`resgraph.analyze`."""

from __future__ import annotations

import argparse
from typing import Any

from resgraph.cli import (
    EXIT_OK,
    AddCommand,
    MissingDependency,
    UsageError,
    out,
    parse_sets,
    print_json,
    read_target,
    target_args,
)

ANALYZE_EPILOG = """examples:
  resgraph analyze resnet50
  resgraph analyze resnet50 --level stage --batch 32 --dtype fp16
  resgraph analyze specs/resnet.rg --set depth=101 --input 3x160x160 --json
  resgraph analyze cifar_resnet110 --level block
  resgraph analyze --module torchvision.models:resnet50 --input 3x224x224

MACs: multiply-accumulates of conv and linear layers (torchvision's figure; FlopCounterMode / 2).
FLOPs: every floating-point operation once (2 per MAC, batch norm, activations, additions,
pooling). 'other counters' shows what fvcore, thop, ptflops, DeepSpeed and torchinfo would report."""

PATHS_EPILOG = """examples:
  resgraph paths cifar_resnet110
  resgraph paths cifar_resnet56 --measured --plot c56.png
  resgraph paths resnet50 --json

Path length counts the weighted layers (conv, linear) on an input-to-output path; counts are
exact. --measured runs Veit et al.'s experiment on the compiled module (CPU, seeded)."""


def register(add: AddCommand) -> None:
    p = add("analyze", "MACs, FLOPs, parameters, memory, receptive fields and paths of a network",
            ANALYZE_EPILOG, run_analyze)
    target_args(p, "analyze")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    p.add_argument("--batch", type=int, default=1, help="batch size (default 1)")
    p.add_argument("--dtype", default="fp32", choices=["fp32", "fp16", "bf16"],
                   help="element type for memory figures (default fp32)")
    p.add_argument("--level", default="network", choices=["network", "stage", "block", "op"],
                   help="the rows of the cost table (default network)")
    p = add("paths", "the exact distribution of gradient-path lengths (Veit et al. 2016)",
            PATHS_EPILOG, run_paths)
    target_args(p, "trace the paths of")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    p.add_argument("--measured", action="store_true",
                   help="also measure the gradient each path length carries on the real module")
    p.add_argument("--samples", type=int, default=8, help="samples per k for --measured")
    p.add_argument("--seed", type=int, default=0, help="random seed for --measured")
    p.add_argument("--plot", metavar="OUT.png", help="plot the distribution (matplotlib)")


def _analyze(args: argparse.Namespace, **kwargs: Any) -> Any:
    from resgraph.api import analyze
    from resgraph.import_fx import ImportFxError

    target, shape = read_target(args)
    try:
        return analyze(target, input_shape=shape, params=parse_sets(args.sets), **kwargs)
    except ImportFxError as exc:
        raise UsageError(f"--module {args.module}: {exc}") from None


# analyze ------------------------------------------------------------------------------------------


def _n(v: int) -> str:
    for unit, scale in (("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if abs(v) >= scale:
            return f"{v / scale:,.3f}{unit}"
    return str(v)


def _bytes(v: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if v >= scale:
            return f"{v / scale:,.2f} {unit}"
    return f"{v} B"


def run_analyze(args: argparse.Namespace) -> int:
    if args.batch < 1:
        raise UsageError(f"--batch must be at least 1, got {args.batch}")
    report = _analyze(args, batch=args.batch, dtype=args.dtype, level=args.level)
    if args.json:
        print_json(report.to_json())
        return EXIT_OK
    from rich.table import Table

    r = report
    head = Table(title=f"{r.name}  input {'x'.join(map(str, r.input_shape))}  batch {r.batch}  "
                       f"{r.dtype}", show_header=False)
    for k, v in [("MACs (conv + linear multiply-accumulates)", f"{r.macs:,}  ({_n(r.macs)})"),
                 ("FLOPs (every op once)", f"{r.flops:,}  ({_n(r.flops)})"),
                 ("parameters (trainable)", f"{r.params:,}  ({_bytes(r.memory.param_bytes)})"),
                 ("buffers", f"{r.buffers:,}  ({_bytes(r.memory.buffer_bytes)})"),
                 ("activations, all tensors", _bytes(r.memory.activation_bytes)),
                 ("activations, peak live", (f"{_bytes(r.memory.peak_bytes)} at "
                                             f"{r.memory.peak_at}")),
                 ("paths", _paths_line(r))]:
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
    _fields(r)
    if r.level != "network":
        _rows(r)
    return EXIT_OK


def _paths_line(r: Any) -> str:
    lengths = r.paths.lengths
    return (f"{lengths.total:,} (lengths {lengths.shortest}..{lengths.longest}, mean "
            f"{float(lengths.mean):.1f}, median {lengths.median}; nominal depth "
            f"{r.paths.nominal_depth})")


def _conventions(r: Any) -> None:
    from rich.table import Table

    from resgraph.analysis.conventions import CONVENTIONS

    t = Table(title="the same network under other counters' conventions")
    for c in ("counter", "figure", "what it reports", "vs MACs"):
        t.add_column(c, justify="right" if c in ("figure", "vs MACs") else "left")
    for name, v in r.conventions.items():
        t.add_row(name, f"{v:,}", CONVENTIONS[name][1], f"{v / r.macs:.4f}" if r.macs else "-")
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
                  _bytes(row.activation_bytes))
    out.print(t)


# paths --------------------------------------------------------------------------------------------


def run_paths(args: argparse.Namespace) -> int:
    if args.samples < 1:
        raise UsageError(f"--samples must be at least 1, got {args.samples}")
    if args.measured and args.module:
        raise UsageError("--measured runs the module resgraph compiles from a spec; "
                         "it does not apply to --module")
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise MissingDependency("--plot needs matplotlib: pip install 'resgraph[plot]'") from None
    report = _with_progress(args) if args.measured else _analyze(args)
    if args.plot:
        plot(report, args.plot)
    if args.json:
        data = {"name": report.name, **report.paths.to_json()}
        if report.measured is not None:
            data["gradients_estimated"] = report.estimated.to_json()
            data["gradients_measured"] = report.measured.to_json()
        print_json(data)
        return EXIT_OK
    _print_paths(report)
    if args.plot:
        out.print(f"wrote {args.plot}")
    return EXIT_OK


def _with_progress(args: argparse.Namespace) -> Any:
    from rich.progress import Progress

    from resgraph.cli import err

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("measuring gradients", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        return _analyze(args, gradients=True, samples=args.samples, seed=args.seed,
                        progress=progress)


def _print_paths(r: Any) -> None:
    from rich.table import Table

    lengths, branches = r.paths.lengths, r.paths.branches
    out.print(f"{r.name}: {lengths.total:,} input-to-output paths; nominal depth "
              f"{r.paths.nominal_depth}; lengths {lengths.shortest}..{lengths.longest}, "
              f"mean {float(lengths.mean):.2f}, median {lengths.median}")
    t = Table(title="paths by residual branches taken")
    t.add_column("branches", justify="right")
    t.add_column("paths", justify="right")
    t.add_column("share", justify="right")
    has_gradients = r.measured is not None
    if has_gradients:
        t.add_column("gradient carried, estimated", justify="right")
        t.add_column("measured", justify="right")
    est = r.estimated.normalised() if has_gradients else []
    meas = r.measured.normalised() if has_gradients else []
    for k, c in enumerate(branches.counts):
        cells = [str(k), f"{c:,}", f"{100 * c / branches.total:.3g}%"]
        if has_gradients:
            cells += [f"{100 * est[k]:.3g}%" if k < len(est) else "-",
                      f"{100 * meas[k]:.3g}%" if k < len(meas) else "-"]
        t.add_row(*cells)
    out.print(t)
    if has_gradients:
        out.print(f"90% of the gradient: branches {r.estimated.range90[0]}.."
                  f"{r.estimated.range90[1]} estimated, {r.measured.range90[0]}.."
                  f"{r.measured.range90[1]} measured ({r.measured.samples} samples per k, "
                  f"seed {r.measured.seed})")


def plot(report: Any, path: str) -> None:
    """Path shares by residual branches taken, with the gradient curves on the same axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    branches = report.paths.branches
    ks = list(range(len(branches.counts)))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(ks, [c / branches.total for c in branches.counts], color="#c7d2fe",
           label="share of paths")
    if report.measured is not None:
        ax.plot(ks, report.measured.normalised()[:len(ks)], "o-", color="#b91c1c", ms=3,
                label="gradient carried, measured")
        ax.plot(ks, report.estimated.normalised()[:len(ks)], "--", color="#1d4ed8",
                label="gradient carried, estimated (VJP gains)")
    ax.set_xlabel("residual branches on the path")
    ax.set_ylabel("share")
    ax.set_title(f"{report.name}: {branches.total:,} paths")
    ax.legend()
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    except (OSError, ValueError) as exc:
        raise UsageError(f"--plot: cannot write '{path}': {exc}") from None
    finally:
        plt.close(fig)
