"""``resgraph paths``: the exact distribution of gradient-path lengths (Veit et al. 2016),
and with ``--measured`` the gradient each length carries on the compiled module."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from resgraph.api import count_text
from resgraph.cli.analyze import analyze
from resgraph.cli.args import int_in, json_argument, target_arguments
from resgraph.cli.output import err, out, print_json
from resgraph.errors import MissingDependency, UsageError
from resgraph.files import atomic_path, check_output

NAME = "paths"
HELP = "the exact distribution of gradient-path lengths (Veit et al. 2016)"
EPILOG = """examples:
  resgraph paths cifar_resnet110
  resgraph paths cifar_resnet56 --measured --plot c56.png
  resgraph paths resnet50 --json
  resgraph paths efficientnet_b0        # SE gates, shortcuts in 9 of 16 blocks: 3^9 * 2^7 paths

Path length counts the weighted layers (conv, linear) on an input-to-output path; counts are
exact. A path through a multiplicative gate (squeeze-excitation, y = x * gate(x)) takes either
route of its Jacobian diag(gate) + x * d gate/dx: the value route (no weighted layer) or the
gate route (the gate's convolutions), so both are counted; the paths taking some gate route
are reported beside the total ("gates" in --json: paths by gate routes taken), and the nominal
depth is the longest gate-free path (se_resnet50: 50). --measured runs
Veit et al.'s experiment on the compiled module (CPU, seeded): it switches residual branches
only, so its gradient columns are over the gate-free paths, each with its gate routes; on a
gated network the 'share, gate-free' column gives those paths' shares beside them."""


def arguments(p: argparse.ArgumentParser) -> None:
    target_arguments(p, "trace the paths of")
    json_argument(p)
    p.add_argument("--measured", action="store_true",
                   help="also measure the gradient each path length carries on the real module")
    p.add_argument("--samples", type=int_in(1, 1000), default=8,
                   help="samples per k for --measured (default 8, at most 1000)")
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0,
                   help="random seed for --measured (default 0)")
    p.add_argument("--plot", metavar="OUT.png", help="plot the distribution (matplotlib)")


def run(args: argparse.Namespace) -> int:
    if args.measured and args.module:
        raise UsageError("--measured runs the module resgraph compiles from a spec; "
                         "it does not apply to --module")
    if args.plot:
        _check_plot(args.plot, args.spec)
    report = _with_progress(args) if args.measured else analyze(args)
    if args.plot:
        plot(report, args.plot)
    if args.json:
        data = {"name": report.name, **report.paths.to_json()}
        if report.measured is not None:
            data["gradients_estimated"] = report.estimated.to_json()
            data["gradients_measured"] = report.measured.to_json()
        print_json(data)
        return 0
    _print_paths(report)
    if args.plot:
        out.print(f"wrote {args.plot}")
    return 0


def _with_progress(args: argparse.Namespace) -> Any:
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("measuring gradients", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        return analyze(args, gradients=True, samples=args.samples, seed=args.seed,
                        progress=progress)


def _print_paths(r: Any) -> None:
    from rich.table import Table

    lengths, branches = r.paths.lengths, r.paths.branches
    out.print(f"{r.name}: {count_text(lengths.total, grouping=True)} input-to-output paths; nominal depth "
              f"{r.paths.nominal_depth}; lengths {lengths.shortest}..{lengths.longest}, "
              f"mean {float(lengths.mean):.2f}, median {lengths.median}")
    gates = r.paths.gates
    if gates.longest:
        out.print(f"{count_text(gates.total - gates.counts[0], grouping=True)} of them take a "
                  f"gate route (squeeze-excitation), up to {gates.longest}; "
                  f"{count_text(gates.counts[0], grouping=True)} take none")
    t = Table(title="paths by residual branches taken")
    t.add_column("branches", justify="right")
    t.add_column("paths", justify="right")
    t.add_column("share", justify="right")
    has_gradients = r.measured is not None
    gated = has_gradients and gates.longest > 0  # the gradient columns' paths are fewer
    if gated:
        t.add_column("share, gate-free", justify="right")
    if has_gradients:
        t.add_column("gradient carried, estimated", justify="right")
        t.add_column("measured", justify="right")
    est = r.estimated.normalised() if has_gradients else []
    meas = r.measured.normalised() if has_gradients else []
    for k, c in enumerate(branches.counts):
        cells = [str(k), count_text(c, grouping=True), f"{100 * c / branches.total:.3g}%"]
        if gated:
            free = r.measured.shares
            cells.append(f"{100 * free[k]:.3g}%" if k < len(free) else "-")
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


PLOT_FORMATS = (".png", ".svg", ".pdf")


def _check_plot(path: str, spec: str | None) -> None:
    """Before any work: matplotlib is there, and ``path`` is a writable image file."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependency("--plot needs matplotlib: pip install 'resgraph[plot]'") from None
    check_output(path, inputs=[spec] if spec else [], flag="--plot")
    if Path(path).suffix.lower() not in PLOT_FORMATS:
        raise UsageError(f"--plot {path}: the file must end in {', '.join(PLOT_FORMATS)}")


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
    ax.set_title(f"{report.name}: {count_text(branches.total, grouping=True)} paths")
    ax.legend()
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=120, format=Path(path).suffix.lstrip(".").lower())
    finally:
        plt.close(fig)
