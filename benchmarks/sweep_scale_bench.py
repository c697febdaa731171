"""A sweep of 200,000 candidates on a local Ray cluster: the driver's memory as it goes, the
journal's size, a resume's reading of the journal, and the report of it.

The sweep is sweep_bench.py's (ResNet-50-sized members of the ResNet family, analysis only).
Every ``--every`` candidates the driver's resident memory (``/proc/self/statm``, this process:
the driver) and the journal's bytes are taken, so the curve shows whether anything grows with
the candidates. Then the journal is read as a resume reads it, and ``resgraph report`` is run
on the folder (the command end to end, its default 20 candidate pages included).

Targets (issue 21): the driver's resident memory grows by less than 100 MiB from 10,000 to
200,000 candidates; the journal linear in candidates (its bytes per candidate the same at
every point); the resume's reading under 2 s; the report under 10 s and its page under 10 MB.

    python benchmarks/sweep_scale_bench.py [--samples 200000] [--every 10000] [--engine ray]
        [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from sweep_bench import SPACE, check_statuses, verdict

from resgraph.api import sweep
from resgraph.sweep.driver import Journalled, plan
from resgraph.sweep.journal import RESULTS, iter_journal

MIB = 1 << 20
GROWTH_MIB, RESUME_S, REPORT_S, PAGE_BYTES = 100, 2.0, 10.0, 10_000_000


def rss() -> int:
    """This process's resident memory, bytes."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


class Curve:
    """The driver's memory and the journal's size each time ``every`` more candidates are done."""

    def __init__(self, every: int) -> None:
        self.every, self.start = every, time.perf_counter()
        self.points: list[tuple[int, int, float]] = []

    def __call__(self, counts: Mapping[str, int], total: int) -> None:
        done = sum(counts.values())
        if done >= (len(self.points) + 1) * self.every:
            self.points.append((done, rss(), time.perf_counter() - self.start))


def journal_sizes(path: Path, every: int) -> list[tuple[int, int]]:
    """The journal's bytes after every ``every`` lines (read back once the sweep is done:
    while it runs, the last fifth of a second's records wait in the driver)."""
    out, size = [], 0
    with path.open("rb") as f:
        for lines, line in enumerate(f, 1):
            size += len(line)
            if lines % every == 0:
                out.append((lines, size))
                check_statuses([json.loads(line)])
    return out


def resume_read(folder: Path, samples: int) -> tuple[float, int]:
    """Seconds to read the journal as a resume does, and how many records it held."""
    the_plan = plan("specs/resnet.rg", samples=samples, **SPACE)
    start = time.perf_counter()
    state = Journalled(len(the_plan.space), the_plan.pareto)
    state.resume(iter_journal(folder / RESULTS, brief=True))  # as sweep() reads it
    return time.perf_counter() - start, len(state.done)


def report(folder: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "resgraph.cli", "report", str(folder), "-o",
                    str(out)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=200_000)
    p.add_argument("--every", type=int, default=10_000)
    p.add_argument("--engine", default="ray")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, help="keep the sweep's folder here (default: removed)")
    args = p.parse_args()
    print(f"load average before: {', '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp) / "s"
        curve = Curve(args.every)
        sweep("specs/resnet.rg", folder, engine=args.engine, workers=args.workers,
              samples=args.samples, progress=curve, **SPACE)
        sizes = journal_sizes(folder / RESULTS, args.every)
        print("candidates  driver RSS MiB  journal MB  bytes/candidate  elapsed s")
        for (done, resident, elapsed), (lines, size) in zip(curve.points, sizes):
            print(f"{done:10,}  {resident / MIB:14.1f}  {size / 1e6:10.1f}  "
                  f"{size / lines:15.1f}  {elapsed:9.1f}")
        show(curve, sizes, args.every)
        seconds, held = resume_read(folder, args.samples)
        print(f"target resume reads the journal ({held:,} records) in under {RESUME_S} s: "
              f"{seconds:.2f} s: {verdict(seconds < RESUME_S)}")
        page = Path(tmp) / "sweep.html"
        seconds = report(folder, page)
        size = page.stat().st_size
        print(f"target resgraph report under {REPORT_S:.0f} s: {seconds:.2f} s: "
              f"{verdict(seconds < REPORT_S)}")
        print(f"target its page under {PAGE_BYTES / 1e6:.0f} MB: {size / 1e6:.2f} MB: "
              f"{verdict(size < PAGE_BYTES)}")
    print(f"load average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


def show(curve: Curve, sizes: list[tuple[int, int]], every: int) -> None:
    """The memory and journal targets, read off the curves."""
    first, last = curve.points[0], curve.points[-1]
    growth = (last[1] - first[1]) / MIB
    print(f"target driver RSS growth from {first[0]:,} to {last[0]:,} candidates under "
          f"{GROWTH_MIB} MiB: {growth:+.1f} MiB: {verdict(growth < GROWTH_MIB)}")
    per = [size / lines for lines, size in sizes]
    spread = (max(per) - min(per)) / min(per)
    print(f"target journal linear in candidates: {min(per):.1f} to {max(per):.1f} bytes a "
          f"candidate ({100 * spread:.1f}% apart): {verdict(spread < 0.05)}")


if __name__ == "__main__":
    main()
