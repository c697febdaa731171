#!/usr/bin/env bash
# Set up, then run resgraph's main job on a shipped spec: check, explain and compile ResNet-50.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p build
resgraph check resnet50
resgraph explain resnet50 --json > build/resnet50.explain.json
resgraph compile resnet50 -o build/resnet50.pt2
