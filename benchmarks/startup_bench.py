"""Start-up: ``resgraph analyze resnet50`` end to end against ``python -c "import torch"``.

Commands on a spec that need no tensors import no torch, so a whole check or analysis should
take at most 0.12x of what importing torch alone takes (issue 21's target; issue 10's was
0.5x). Both are timed here, in the same run, as fresh processes, alternating, and the medians
compared; one untimed run first fills the cache folder, as any earlier command on the spec
would have (a first run ever parses the spec and the prelude: ``--cold`` times that, with an
empty cache folder each time). Python writes and reads bytecode in these runs, as it does
for an installed package, whatever ``PYTHONDONTWRITEBYTECODE`` says (compiling resgraph's
sources anew is about 100 ms of every run without it).

    python benchmarks/startup_bench.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "resgraph analyze resnet50": [sys.executable, "-m", "resgraph.cli", "analyze", "resnet50"],
    "resgraph check resnet50": [sys.executable, "-m", "resgraph.cli", "check", "resnet50"],
    "python -c 'import torch' (baseline)": [sys.executable, "-c", "import torch"],
}


BASELINE = "python -c 'import torch' (baseline)"
#: the most a command may take of torch's import
TARGET = 0.12


def seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cold", action="store_true",
                        help="an empty cache folder for every run (a first run ever)")
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["XDG_CACHE_HOME"] = home
        for argv in COMMANDS.values():
            seconds(argv, env)  # fills the cache folder
        for _ in range(args.repeat):
            for name, argv in COMMANDS.items():
                if args.cold:
                    shutil.rmtree(Path(home) / "resgraph", ignore_errors=True)
                times[name].append(seconds(argv, env))
    baseline = statistics.median(times[BASELINE])
    ok = True
    for name, values in times.items():
        median = statistics.median(values)
        met = name == BASELINE or median / baseline <= TARGET
        ok = ok and met
        verdict = "" if name == BASELINE else f"  target {TARGET}x: {'met' if met else 'MISSED'}"
        print(f"{name:40s} {1000 * median:7.0f} ms  {median / baseline:5.2f}x torch's import"
              f"{verdict}")
    print("all targets met" if ok else "SOME TARGETS MISSED")


if __name__ == "__main__":
    main()
