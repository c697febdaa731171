"""ResNet-50 on this machine's backends, through the harness of ``resgraph bench``.

Two measurements, each with its baseline measured in the same run:

1. torch eager (the baseline), ``torch.compile`` and ONNX Runtime at batch 1 and 8: images/s,
   median latency and the ratio of each to torch eager.
2. ONNX Runtime on resgraph's export against ONNX Runtime on the same network exported
   straight from a hand-written torchvision-style ``nn.Module`` (the one of
   ``compile_bench.py``) with the same weights, ``torch.onnx.export(..., dynamo=True)``. Both
   files run in the same session settings, alternately for ``--rounds`` rounds; the script
   fails unless resgraph's export is at least as fast within ``--noise``, and unless it left
   no work behind (no Identity, Transpose or BatchNormalization node).

    python3 benchmarks/backends_bench.py [--duration 3] [--rounds 3] [--batch 1,8]
"""

from __future__ import annotations

import argparse
import collections
import copy
import logging
import os
import statistics
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch
from compile_bench import HandWrittenResNet

from resgraph.api import load
from resgraph.backends.api import bench
from resgraph.backends.base import Backend, Workload
from resgraph.backends.harness import Case, Report, measure
from resgraph.backends.options import BenchOptions
from resgraph.ir import Graph
from resgraph.lower_fx import lower_fx

#: node types an export that leaves no work behind does not have
LEFTOVERS = ("Identity", "Transpose", "BatchNormalization")


class OnnxFile(Backend):
    """ONNX Runtime on a given file, in the session settings of resgraph's own backend (every
    graph optimisation, CPU provider), so that two files compare and nothing else does."""

    def __init__(self, name: str, path: Path, threads: int | None):
        import onnxruntime

        self.ort, self.label, self.path, self.threads = onnxruntime, name, path, threads
        self.session: Any = None

    def prepare(self, work: Workload) -> None:
        options = self.ort.SessionOptions()
        options.graph_optimization_level = self.ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if self.threads:
            options.intra_op_num_threads = self.threads
        self.session = self.ort.InferenceSession(str(self.path), options,
                                                 providers=["CPUExecutionProvider"])

    def run(self, x: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.session.run(None, {"input": x.numpy()})[0])

    def describe(self) -> dict[str, Any]:
        return {"backend": self.label, "file": self.path.name, "version": self.ort.__version__}

    def close(self) -> None:
        self.session = None


def backends(args: argparse.Namespace) -> Report:
    options = BenchOptions(batches=args.batch, warmup=args.warmup, duration=args.duration)
    report = bench("resnet50", ["torch", "torch-compile", "onnxruntime"], options,
                   threads=args.threads)
    print(f"1. resnet50 on {report.environment['cpu']}, {report.environment['cpus']} CPUs, "
          f"{report.environment['torch_threads']} threads; ratio: images/s over torch eager's")
    print(f"{'batch':>5}  {'backend':14}{'images/s':>10}{'median ms':>11}{'p99 ms':>9}"
          f"{'ratio':>8}  parity")
    for r in report.results:
        assert r.latency is not None and r.parity is not None, r.reason
        print(f"{r.batch:>5}  {r.backend:14}{r.latency.throughput:>10.1f}"
              f"{r.latency.median:>11.2f}{r.latency.p99:>9.2f}{r.ratio:>7.2f}x  "
              f"{'ok' if r.parity.ok else 'WRONG'} {r.parity.max_rel_error:.0e} "
              f"(bound {r.parity.tolerance:.0e})")
    return report


def exports(graph: Graph, module: torch.fx.GraphModule, batch: int,
            folder: Path) -> dict[str, Path]:
    """resgraph's export and the straight one of the hand-written module, same weights."""
    from resgraph.backends.onnx_export import export_onnx

    hand = HandWrittenResNet([3, 4, 6, 3]).eval()
    hand.load_state_dict(module.state_dict(), strict=True)
    files = {"resgraph": folder / f"resgraph_b{batch}.onnx",
             "straight": folder / f"straight_b{batch}.onnx"}
    export_onnx(module, files["resgraph"], batch=batch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's FutureWarnings are not ours to fix
        torch.onnx.export(hand, (torch.randn(batch, *graph.input_shape),), files["straight"],
                          dynamo=True, input_names=["input"], output_names=["output"],
                          verbose=False)
    return files


def node_counts(path: Path) -> collections.Counter[str]:
    import onnx

    return collections.Counter(n.op_type for n in onnx.load(str(path)).graph.node)


def export_ratio(args: argparse.Namespace) -> None:
    graph = load("resnet50")
    with torch.random.fork_rng():
        torch.manual_seed(0)
        module = lower_fx(graph).eval()
    print(f"\n2. ONNX Runtime: resgraph's export against a straight torch.onnx.export "
          f"(dynamo=True) of a hand-written nn.Module; {args.rounds} alternating rounds")
    print(f"{'batch':>5}  {'resgraph img/s':>15}{'straight img/s':>15}{'ratio':>8}  nodes "
          f"(resgraph / straight)")
    with tempfile.TemporaryDirectory(prefix="resgraph-bench-") as tmp:
        for batch in args.batch:
            files = exports(graph, module, batch, Path(tmp))
            work = Workload(graph, copy.deepcopy(module), batch)
            options = BenchOptions(batches=(batch,), warmup=args.warmup, duration=args.duration)
            cases = [_case(work, name, path, args.threads)
                     for _ in range(args.rounds) for name, path in files.items()]
            report = measure(cases, options, graph.name, "resnet50", {})
            _print_export_row(batch, report, {k: node_counts(p) for k, p in files.items()},
                              args.noise)


def _case(work: Workload, name: str, path: Path, threads: int | None) -> Case:
    return Case(name, work.batch, lambda: (work, OnnxFile(name, path, threads)))


def _print_export_row(batch: int, report: Report, nodes: dict[str, Any], noise: float) -> None:
    figures: dict[str, list[float]] = {"resgraph": [], "straight": []}
    for r in report.results:
        assert r.latency is not None and r.parity is not None and r.parity.ok, r
        figures[r.backend].append(r.latency.throughput)
    ratios = [a / b for a, b in zip(figures["resgraph"], figures["straight"], strict=True)]
    ratio = statistics.median(ratios)
    print(f"{batch:>5}  {statistics.median(figures['resgraph']):>15.1f}"
          f"{statistics.median(figures['straight']):>15.1f}{ratio:>7.2f}x  "
          f"{sum(nodes['resgraph'].values())} / {sum(nodes['straight'].values())}; straight has "
          + ", ".join(f"{nodes['straight'][k]} {k}" for k in LEFTOVERS))
    left = {k: nodes["resgraph"][k] for k in LEFTOVERS if nodes["resgraph"][k]}
    assert not left, f"resgraph's export left work behind: {left}"
    assert ratio >= 1 - noise, (f"batch {batch}: resgraph's export is slower on ONNX Runtime "
                                f"than the straight one ({ratio:.2f}x, rounds {ratios})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=lambda t: tuple(int(b) for b in t.split(",")),
                        default=(1, 8), help="batch sizes (default 1,8)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds (default 1)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds (default 3)")
    parser.add_argument("--threads", type=int, help="CPU threads (default: the libraries')")
    parser.add_argument("--rounds", type=int, default=3, help="export comparison rounds")
    parser.add_argument("--noise", type=float, default=0.05,
                        help="how much slower resgraph's export may measure (default 0.05)")
    args = parser.parse_args()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # torchvision ops it cannot find
    print(_load("before"))
    backends(args)
    export_ratio(args)
    print(_load("after"))


def _load(when: str) -> str:
    """The machine's load average: figures taken beside other work are not this one's."""
    one, five, fifteen = os.getloadavg()
    return f"load average {when}: {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} CPUs)"


if __name__ == "__main__":
    main()
