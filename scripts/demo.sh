#!/usr/bin/env bash
# resgraph's main job, what a new user runs first: set up, then on ResNet-50 and on a spec of
# this repository's own (examples/wide_resnet.rg, a block written in the language): check,
# analyze, draw, export to ONNX, a short bench (ONNX Runtime against torch), the TensorRT
# build plan (--dry-run), and the one-page report that shows them together. Every file goes
# to build/demo/; the summary at the end names the pages to open.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=build/demo
mkdir -p "$out"
started=$SECONDS

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

demo() {  # demo SPEC NAME
  local spec=$1 name=$2
  step "$name: check"
  resgraph check "$spec"
  step "$name: analyze (per stage)"
  resgraph analyze "$spec" --level stage
  resgraph analyze "$spec" --json > "$out/$name.analysis.json"
  step "$name: draw"
  resgraph draw "$spec" -o "$out/$name.svg"
  step "$name: export to ONNX"
  resgraph export "$spec" -o "$out/$name.onnx"
  step "$name: bench, ONNX Runtime against torch (a few seconds)"
  resgraph bench "$spec" --backend onnxruntime,torch --batch 1 --warmup 0.2 --duration 1 \
    --json > "$out/$name.bench.json"
  step "$name: TensorRT build plan (--dry-run: no GPU needed)"
  resgraph build "$spec" -o "$out/$name.engine" --precision fp16 --dry-run
  step "$name: the report"
  resgraph report "$spec" --bench "$out/$name.bench.json" -o "$out/$name.html"
}

demo resnet50 resnet50
demo examples/wide_resnet.rg wide_resnet

step "summary ($((SECONDS - started)) s after set-up)"
python3 - "$out" resnet50 wide_resnet <<'PY'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
print(f"{'network':<14}{'MACs':>10}{'params':>12}{'peak memory':>14}  bench (batch 1, images/s)")
for name in sys.argv[2:]:
    a = json.loads((out / f"{name}.analysis.json").read_text())
    b = json.loads((out / f"{name}.bench.json").read_text())
    speed = ", ".join(f"{r['backend']} {r['throughput']:.1f} ({r['ratio']:.2f}x)"
                      for r in b["results"] if r["throughput"])
    print(f"{name:<14}{a['macs'] / 1e9:>9.3f}G{a['params'] / 1e6:>11.2f}M"
          f"{a['memory']['peak_bytes'] / 2**20:>10.1f} MiB  {speed}")
print("\nopen the pages:")
for name in sys.argv[2:]:
    print(f"  {(out / f'{name}.html').resolve()}")
PY
