"""Seconds to decompile a model (``resgraph.api.decompile``: trace, import, match the prelude's
blocks, define the others, write the text, elaborate it again and compare), against the
``--module`` analysis of the same model (``resgraph.analyze(model)``: trace, import, analyse)
in the same run, on a 3x224x224 input.

Target (issue 19): resnet152 and efficientnet_b7 each decompile in under 2 s on this machine.
Each figure is the median of ``--runs`` runs on one built model (its construction not timed).

    python3 benchmarks/decompile_bench.py [--runs 3] [--models resnet152,efficientnet_b7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import torch
import torchvision

import resgraph
from resgraph.decompile import decompile

TARGET_S = 2.0
SHAPE = (3, 224, 224)


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--models", default="resnet152,efficientnet_b7")
    args = p.parse_args()
    torch.set_num_threads(1)
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs); median of {args.runs} runs, input {SHAPE}")
    for name in args.models.split(","):
        model = getattr(torchvision.models, name)().eval()
        text = decompile(model, SHAPE)  # once untimed: imports and first-call costs
        lines = sum(1 for line in text.splitlines() if line.strip() and line[0] != "#")
        spent = median_seconds(lambda m=model: decompile(m, SHAPE), args.runs)
        analysed = median_seconds(lambda m=model: resgraph.analyze(m, input_shape=SHAPE),
                                  args.runs)
        verdict = "met" if spent < TARGET_S else "MISSED"
        print(f"{name:16s} decompile {spent:6.2f} s ({lines} spec lines)   analyze --module "
              f"{analysed:6.2f} s   ratio {spent / analysed:4.2f}x   target < {TARGET_S:.0f} s: "
              f"{verdict}")


if __name__ == "__main__":
    main()
