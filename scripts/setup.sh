#!/usr/bin/env bash
# Set-up for a fresh machine of this project's kind; safe to run again (it skips what is there).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dot >/dev/null 2>&1; then
  echo "setup: installing Graphviz (Debian package graphviz)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
    || echo "setup: could not install Graphviz; resgraph draw will write .dot files only"
fi
if ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then
  echo "setup: installing headless Chromium (Debian packages chromium, chromium-driver)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
    || echo "setup: could not install Chromium; the report's browser tests will be skipped"
fi
# torch and torchvision as a matched pair first (both lie on this machine's disk; torchvision's
# ops are built against that torch, and the tests compare with its real models): the project's
# own torch range is then already satisfied and pip fetches nothing bigger.
python3 -m pip install -q --disable-pip-version-check torch==2.14.1 torchvision==0.29.1
python3 -m pip install -q --disable-pip-version-check -e '.[dev]'
# Ray, for 'resgraph sweep --engine ray' and its tests (a local cluster); also in the dev extra,
# named here so a machine set up before it joined gets it
python3 -m pip install -q --disable-pip-version-check 'ray>=2.9'
# The operation counters that tests/imports/test_imports_counters.py compares with (also in the
# dev extra, named here so a machine set up before they joined gets them), at the cited versions
python3 -m pip install -q --disable-pip-version-check fvcore==0.1.5.post20221221 \
  thop==0.1.1.post2209072238 ptflops==0.7.5 torchinfo==1.8.0 deepspeed==0.19.8
# Type stubs for TensorRT's Python API, for mypy (tests/backends/trt/test_trt_mypy.py); --no-deps because
# they pin a TensorRT release whose libraries come from NVIDIA's package index, not PyPI.
python3 -m pip install -q --disable-pip-version-check --no-deps tensorrt-stubs
# The language server (resgraph lsp, the extra resgraph[lsp]) and its tests' client (also in the
# dev extra, named here so a machine set up before they joined gets them)
python3 -m pip install -q --disable-pip-version-check 'pygls>=2.0,<3' 'lsprotocol>=2025.0' 'pytest-lsp>=1.0'
# Neovim, whose own LSP client tests/lsp/test_lsp_nvim.py drives headless; best effort
if ! command -v nvim >/dev/null 2>&1; then
  echo "setup: installing Neovim (Debian package neovim)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null) \
    || echo "setup: could not install Neovim; the Neovim client test will be skipped"
fi
