"""The full analysis from spec text, against FlopCounterMode counting a real forward.

Part 1, for resnet50 and resnet152: milliseconds from spec text to the full report (parse,
elaborate, MACs and FLOPs, the other counters' figures, parameters, memory, receptive fields,
exact path distributions), against ``torch.utils.flop_counter.FlopCounterMode`` counting one
real CPU forward (batch 1, the network's input) of the same network compiled by resgraph,
measured in the same run; it prints the ratio (target: at least 10x) and checks that the MACs
agree. Then the same for efficientnet_b7 (600x600), regnet_y_128gf and convnext_large, with
the analysis time per IR op, which must stay what it is for the ResNets (target: within 2x
of the slower ResNet's).

Part 2: the path distribution (by length and by residual branches taken) of generated CIFAR
ResNets of 1,250 to 10,000 blocks: seconds (target under 2 s at 10,000 blocks) and the time
per block, which must stay roughly flat (linear growth).

    python benchmarks/analyze_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import torch
from torch.utils.flop_counter import FlopCounterMode

from resgraph.analysis.paths import Distribution, branch_distribution, length_distribution
from resgraph.analysis.report import Report, analyze_graph
from resgraph.api import load
from resgraph.catalog import resolve
from resgraph.elaborate import elaborate
from resgraph.ir import Graph
from resgraph.lower_fx import lower_fx
from resgraph.parse import parse

T = TypeVar("T")


def best(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The fastest of ``repeat`` runs (at least one), and the result."""
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def _unanalysed(graph: Graph) -> Graph:
    """``graph`` with its passes' records dropped, so that every pass runs again."""
    graph.meta.clear()
    return graph


def analysis_vs_forward(name: str, repeat: int) -> tuple[bool, float]:
    """Whether the MACs agree and the analysis is 10x faster; the analysis's ms per op."""
    r = resolve(name)

    def from_text() -> Report:
        return analyze_graph(elaborate(parse(r.text, r.file), r.file, dict(r.params)))

    t_analysis, report = best(from_text, repeat)
    t_parse, module_ast = best(lambda: parse(r.text, r.file), repeat)
    t_elab, graph = best(lambda: elaborate(module_ast, r.file, dict(r.params)), repeat)
    t_passes, _ = best(lambda: analyze_graph(_unanalysed(graph)), repeat)
    module = lower_fx(load(name)).eval()
    x = torch.randn(1, *graph.input_shape)
    ms_per_op = 1000 * t_analysis / len(graph.nodes)

    def counted_forward() -> int:
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            module(x)
        return counter.get_total_flops()

    t_forward, flops = best(counted_forward, repeat)
    agree = report.macs * 2 == flops
    print(f"{name:15s} analysis {1000 * t_analysis:8.1f} ms ({ms_per_op:.3f} ms/op)   "
          f"FlopCounterMode forward {1000 * t_forward:8.1f} ms   ratio "
          f"{t_forward / t_analysis:6.1f}x   MACs {report.macs:,} "
          f"{'==' if agree else '!='} {flops // 2:,}")
    print(f"{'':15s} of which parse {1000 * t_parse:.1f} ms, elaborate {1000 * t_elab:.1f} ms, "
          f"analysis passes {1000 * t_passes:.1f} ms")
    return agree and t_forward / t_analysis >= 10, ms_per_op


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
    per_op = max(ms for _, ms in resnets)
    flat = all(ms <= 2 * per_op for _, ms in families)
    print(f"ms per op: families {', '.join(f'{ms:.3f}' for _, ms in families)} against the "
          f"ResNets' {per_op:.3f}: {'flat' if flat else 'MORE THAN 2x'}")
    ok = all(good for good, _ in resnets + families) and flat
    ok = paths_scaling(args.repeat) and ok
    print(f"\n{torch.get_num_threads()} CPU threads; "
          + ("all targets met" if ok else "SOME TARGETS MISSED"))


if __name__ == "__main__":
    main()
