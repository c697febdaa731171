"""The full analysis of a shipped network, against FlopCounterMode counting a real forward.

Part 1, for resnet50 and resnet152: milliseconds for ``resgraph.analyze(name)`` (parse,
elaborate, MACs and FLOPs, the other counters' figures, parameters, memory, receptive fields,
exact path distributions) three ways: with every cache off (``cold``), with the spec's tree
and its blocks' runs kept but the spec's settings new (``new``: what a sweep's candidate or an
edit in an editor costs), and again (``warm``); against
``torch.utils.flop_counter.FlopCounterMode`` counting one forward of torchvision's module of
the same name (batch 1, no_grad), measured in the same run. Targets: cold at least 10x
(issue 7), warm at least 30x (issue 21); the MACs must agree. Then the same for
efficientnet_b7 (600x600), regnet_y_128gf and convnext_large, with the cold analysis time per
IR op, which must stay what it is for the ResNets (within 2x of the slower ResNet's). Then
the networks that are not a chain or split their blocks (issue 18: resunet's long skips,
the FPN's five outputs, DeepLabV3's two heads, Res2Net's splits, ResNeSt's split
attention, ViT-B/16's tokens and heads): their time per op with the spec's tree kept (``new``: elaboration and analysis,
the work that grows with the ops; parsing is per file, and a spec of 70 ops pays for its
56 lines and the prelude's as resnet152's 500 ops do), within 1.5x of the slower ResNet's;
the cold time per op is printed beside it.

Part 2: the path distribution (by length and by residual branches taken) of generated CIFAR
ResNets of 1,250 to 10,000 blocks: seconds (target under 2 s at 10,000 blocks) and the time
per block, which must stay roughly flat (linear growth).

    python benchmarks/analyze_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import torch
from torch.utils.flop_counter import FlopCounterMode

import resgraph
from resgraph import cache
from resgraph.analysis.paths import Distribution, branch_distribution, length_distribution
from resgraph.analysis.report import Report
from resgraph.api import load
from resgraph.ir import Graph

T = TypeVar("T")


def best(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The fastest of ``repeat`` runs (at least one), and the result."""
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def uncached(fn: Callable[[], T]) -> Callable[[], T]:
    """``fn`` run with every cache off."""
    def run() -> T:
        os.environ["RESGRAPH_NO_CACHE"] = "1"
        try:
            return fn()
        finally:
            del os.environ["RESGRAPH_NO_CACHE"]
    return run


def new_settings(fn: Callable[[], T]) -> Callable[[], T]:
    """``fn`` run with the spec's graph and analysis forgotten, its tree and blocks kept."""
    def run() -> T:
        cache.clear("elaborated", "analysed")
        return fn()
    return run


def analysis_vs_forward(name: str, repeat: int) -> tuple[bool, float, float]:
    """Whether the MACs agree and the targets are met; the cold and the new analysis's ms
    per op."""
    t_cold, t_new, report = analysis_times(name, repeat)
    t_warm, _ = best(partial(resgraph.analyze, name), repeat)
    module = torchvision_module(name)
    x = torch.randn(1, *report.input_shape)

    def counted_forward() -> int:
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            module(x)
        return counter.get_total_flops()

    t_forward, flops = best(counted_forward, repeat)
    agree = report.macs * 2 == flops
    ms_per_op = 1000 * t_cold / len(report.graph.nodes)
    cold, warm = t_forward / t_cold, t_forward / t_warm
    met = agree and cold >= 10 and (warm >= 30 or not name.startswith("resnet"))
    print(f"{name:15s} FlopCounterMode forward {1000 * t_forward:7.1f} ms   MACs "
          f"{report.macs:,} {'==' if agree else '!='} {flops // 2:,}")
    print(f"{'':15s} analysis cold {1000 * t_cold:6.1f} ms ({cold:5.1f}x, {ms_per_op:.3f} "
          f"ms/op)   new {1000 * t_new:6.1f} ms ({t_forward / t_new:5.1f}x)   warm "
          f"{1000 * t_warm:6.2f} ms ({warm:6.1f}x)   {'met' if met else 'MISSED'}")
    return met, ms_per_op, 1000 * t_new / len(report.graph.nodes)


def analysis_times(name: str, repeat: int) -> tuple[float, float, Report]:
    """Seconds of a shipped network's analysis cold and with its tree kept (``new``), and the
    report."""
    analysis = partial(resgraph.analyze, name)
    t_cold, report = best(uncached(analysis), repeat)
    t_new, _ = best(new_settings(analysis), repeat)
    return t_cold, t_new, report


def new_per_op(name: str, repeat: int) -> float:
    """The ms per IR op of a shipped network's analysis with its tree kept (and cold)."""
    t_cold, t_new, report = analysis_times(name, repeat)
    ops = len(report.graph.nodes)
    print(f"{name:19s} {ops:4d} ops   new {1000 * t_new:6.1f} ms, {1000 * t_new / ops:.3f} "
          f"ms/op   cold {1000 * t_cold:6.1f} ms, {1000 * t_cold / ops:.3f} ms/op")
    return 1000 * t_new / ops


#: issue 18's networks beyond a chain of stages or of feature maps, whose per-op cost is held
#: to the ResNets'
DATAFLOW = ("resunet", "resnet50_fpn", "deeplabv3_resnet50", "res2net50_26w_4s", "resnest50d",
            "vit_b_16")


def torchvision_module(name: str) -> torch.nn.Module:
    import torchvision

    return getattr(torchvision.models, name)().eval()


def _both(graph: Graph) -> tuple[Distribution, Distribution]:
    return length_distribution(graph), branch_distribution(graph)


def paths_scaling(repeat: int) -> bool:
    print("\npath distribution of generated CIFAR ResNets (3 stages of n basic blocks):")
    per_block = []
    ok = True
    for blocks in (1250, 2500, 5000, 10000):
        graph = load("cifar_resnet20", n=blocks // 3 + (blocks % 3 > 0))
        n = len(graph.blocks)
        seconds, dist = best(partial(_both, graph), repeat)
        per_block.append(seconds / n)
        exact = dist[1].total == 2 ** n
        print(f"  {n:6d} blocks  {seconds:7.3f} s   {1e6 * seconds / n:7.1f} us/block   "
              f"2^{n} paths {'exact' if exact else 'WRONG'}")
        ok = ok and exact and (n < 10000 or seconds < 2.0)
    growth = per_block[-1] / per_block[0]
    print(f"  time per block, 10,000 vs 1,250 blocks: {growth:.2f}x (1.0 = linear)")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    resnets = [analysis_vs_forward(n, args.repeat) for n in ("resnet50", "resnet152")]
    families = [analysis_vs_forward(n, args.repeat)
                for n in ("efficientnet_b7", "regnet_y_128gf", "convnext_large")]
    per_op = max(ms for _, ms, _ in resnets)
    flat = all(ms <= 2 * per_op for _, ms, _ in families)
    print(f"ms per op: families {', '.join(f'{ms:.3f}' for _, ms, _ in families)} against the "
          f"ResNets' {per_op:.3f}: {'flat' if flat else 'MORE THAN 2x'}")
    print()
    dataflow = [new_per_op(n, args.repeat) for n in DATAFLOW]
    new_op = max(ms for _, _, ms in resnets)
    near = all(ms <= 1.5 * new_op for ms in dataflow)
    print(f"ms per op, tree kept: dataflow networks {', '.join(f'{ms:.3f}' for ms in dataflow)} "
          f"against the ResNets' {new_op:.3f}: "
          f"{'within 1.5x: met' if near else 'MISSED (over 1.5x)'}")
    ok = all(good for good, _, _ in resnets + families) and flat and near
    ok = paths_scaling(args.repeat) and ok
    print(f"\n{torch.get_num_threads()} CPU threads; "
          + ("all targets met" if ok else "SOME TARGETS MISSED"))


if __name__ == "__main__":
    main()
