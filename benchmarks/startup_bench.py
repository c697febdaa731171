"""Start-up: ``resgraph analyze resnet50`` end to end against ``python -c "import torch"``.

Commands on a spec that need no tensors import no torch, so a whole analysis should take at
most half of what importing torch alone takes (issue 10's target). Both are timed here, in
the same run, as fresh processes, alternating, and the medians compared.

    python benchmarks/startup_bench.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "resgraph analyze resnet50": [sys.executable, "-m", "resgraph.cli", "analyze", "resnet50"],
    "resgraph check resnet50": [sys.executable, "-m", "resgraph.cli", "check", "resnet50"],
    "python -c 'import torch' (baseline)": [sys.executable, "-c", "import torch"],
}


def seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name, argv in COMMANDS.items():
            times[name].append(seconds(argv))
    baseline = statistics.median(times["python -c 'import torch' (baseline)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:40s} {1000 * median:7.0f} ms  {median / baseline:5.2f}x torch's import")


if __name__ == "__main__":
    main()
