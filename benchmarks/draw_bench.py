"""Diagram speed: DOT generation and Graphviz ``dot`` rendering, per network and level.

For ResNet-152 (517 ops) and the pre-activation ResNet-1001 (3,004 ops): milliseconds to
build the DOT text from the IR (folding, labels, colours; costs annotated beforehand, as
``resgraph draw`` reads them) and seconds for ``dot -Tsvg`` to lay it out. The folded levels
(network, stage) must render in a few seconds at most; ``dot`` on thousands of ops is
slow, so each render is capped by ``--timeout`` and reported as such when it runs over.

    python benchmarks/draw_bench.py [--timeout 120] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

import resgraph
from resgraph.render import LEVELS, DrawOptions, render_dot

NETWORKS = ("resnet152", "preact_resnet1001")


def dot_ms(graph: resgraph.ir.Graph, level: str, repeat: int) -> tuple[float, str]:
    """Median milliseconds of ``render_dot``, and the text of the last run."""
    times, text = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        text = render_dot(graph, DrawOptions(level=level))
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), text


def render_s(text: str, timeout: float) -> float | None:
    """Seconds ``dot -Tsvg`` takes on ``text``; None past ``timeout``."""
    start = time.perf_counter()
    try:
        subprocess.run(["dot", "-Tsvg", "-o", "/dev/null"], input=text.encode(), check=True,
                       timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="cap per dot run (s)")
    parser.add_argument("--repeat", type=int, default=3, help="DOT generations per cell")
    args = parser.parse_args()
    print(f"{'network':<20}{'level':<9}{'ops':>6}{'nodes':>7}{'DOT ms':>9}{'dot s':>9}"
          f"{'dot/DOT':>9}")
    for name in NETWORKS:
        graph = resgraph.load(name)
        render_dot(graph, DrawOptions(level="network"))  # costs annotated once, as draw does
        for level in LEVELS:
            ms, text = dot_ms(graph, level, args.repeat)
            seconds = render_s(text, args.timeout)
            nodes = text.count(" [tooltip=")
            shown = f"{seconds:9.2f}{seconds * 1e3 / ms:9.0f}" if seconds is not None \
                else f"{'>' + format(args.timeout, 'g'):>9}{'-':>9}"
            print(f"{name:<20}{level:<9}{len(graph) - 1:>6}{nodes:>7}{ms:9.1f}{shown}",
                  flush=True)


if __name__ == "__main__":
    main()
