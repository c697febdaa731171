#!/bin/sh
# Package the extension as resgraph-VERSION.vsix (not part of scripts/setup.sh: it needs npm and
# the network). Usage: sh editors/vscode/package.sh [OUT_DIR]
set -eu
cd "$(dirname "$0")"
out="${1:-.}"
npm install --no-audit --no-fund --silent
npx --yes @vscode/vsce@3 package --allow-missing-repository --skip-license -o "$out"
