"""TensorRT beside the torch backends on resnet50: fp16 and bf16, batch 1 and 256, one run.

Run on a machine with an NVIDIA GPU and TensorRT (``pip install 'resgraph[tensorrt]'``):

    python3 benchmarks/tensorrt_bench.py [--quick]

For each precision it runs what ``resgraph bench resnet50 --backend
tensorrt,torch,torch-compile --batch 1,256 --precision P --device cuda`` runs
(:func:`resgraph.backends.api.bench`: the tensorrt backend builds an engine per batch size
with resgraph's export and build plan, then times it trtexec's way: CUDA graph, no copies,
spin-wait) and prints throughput and median latency of every backend with its ratio to
TensorRT. Elsewhere it says what is missing and exits 0: there is nothing to measure.
"""

from __future__ import annotations

import sys
from typing import Any

PRECISIONS = ("fp16", "bf16")
BACKENDS = ("tensorrt", "torch", "torch-compile")
BATCHES = (1, 256)


def missing() -> str | None:
    import importlib.util

    from resgraph.backends.trt import runtime

    reason = runtime.missing()
    if reason is None and importlib.util.find_spec("resgraph.backends.harness") is None:
        reason = "the benchmark harness of 'resgraph bench' is not in this resgraph"
    return reason


def bench(precision: str, quick: bool) -> Any:
    """The bench report as the JSON ``resgraph bench --json`` prints."""
    from resgraph.backends.api import bench as run
    from resgraph.backends.options import BenchOptions

    timing = {"warmup": 0.5, "duration": 2.0} if quick else {}
    options = BenchOptions(batches=BATCHES, precision=precision, device="cuda", **timing)
    return run("resnet50", BACKENDS, options).to_dict()


def rows(report: Any) -> list[dict[str, Any]]:
    """The bench JSON's measured results as flat rows: backend, batch, images/s, median ms,
    parity (a backend that could not run has no figures, only a reason)."""
    results = report["results"] if isinstance(report, dict) else report
    return [{"backend": r["backend"], "batch": r["batch"],
             "throughput": r["throughput"], "median_ms": r["latency_ms"]["median"],
             "ok": r["parity"]["ok"]} for r in results if r["latency_ms"]]


def main() -> int:
    reason = missing()
    if reason:
        print(f"tensorrt_bench: skipped: {reason}")
        return 0
    quick = "--quick" in sys.argv
    print(f"{'precision':9} {'batch':>5} {'backend':14} {'images/s':>10} {'median ms':>10} "
          f"{'vs TensorRT':>11}")
    for precision in PRECISIONS:
        table = rows(bench(precision, quick))
        trt = {r["batch"]: r["throughput"] for r in table if r["backend"] == "tensorrt"}
        for r in table:
            ratio = r["throughput"] / trt[r["batch"]] if trt.get(r["batch"]) else float("nan")
            flag = "" if r["ok"] else "  WRONG OUTPUT"
            print(f"{precision:9} {r['batch']:>5} {r['backend']:14} {r['throughput']:>10.1f} "
                  f"{r['median_ms']:>10.3f} {ratio:>10.2f}x{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
