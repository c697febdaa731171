#!/usr/bin/env bash
# The README's picture of resgraph lsp in a real editor (docs/lsp_hover.png): Neovim, set up
# by editors/nvim's configuration and nothing else (--clean), in an xterm on a virtual X
# display (Xvfb), opened on specs/resnet.rg with the cursor on the layer2 stage line and the
# hover shown by vim.lsp.buf.hover(). Run it by hand after a change to what a hover says; CI
# and set-up never run it (it needs the Debian packages neovim, xvfb, xterm, imagemagick).
#
#   bash scripts/lsp_screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-docs/lsp_hover.png}
python=${PYTHON:-python3}
for tool in nvim Xvfb xterm import convert; do
  command -v "$tool" >/dev/null || { echo "lsp_screenshot: $tool is missing (apt-get install -y neovim xvfb xterm imagemagick)" >&2; exit 1; }
done
"$python" -c "import pygls" 2>/dev/null || { echo "lsp_screenshot: $python has no pygls (pip install 'resgraph[lsp]')" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# Neovim's start-up: the repository's configuration, the cursor on a stage line, then the
# hover once the server has answered; a floating window open means the hover is on screen.
cat >"$work/init.lua" <<'LUA'
local root, ready = os.getenv("SHOT_ROOT"), os.getenv("SHOT_READY")
vim.opt.runtimepath:prepend(root .. "/editors/nvim")
vim.o.number, vim.o.laststatus, vim.o.ruler, vim.o.termguicolors = true, 2, true, true
vim.cmd("highlight NormalFloat guibg=#2b2b33 guifg=#e0e0e0")
vim.cmd("highlight FloatBorder guibg=#2b2b33 guifg=#7aa2f7")
vim.cmd("highlight LineNr guifg=#6e7681")
vim.lsp.handlers["textDocument/hover"] = vim.lsp.with(vim.lsp.handlers.hover, { border = "rounded" })
require("resgraph").setup({ cmd = { os.getenv("SHOT_PYTHON"), "-m", "resgraph.cli", "lsp" } })
vim.cmd("edit " .. root .. "/specs/resnet.rg")
vim.fn.search("^stage layer2:")
vim.cmd("normal! 0wzz")
local function floating()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then return true end
  end
  return false
end
local tries = 0
local function hover()
  tries = tries + 1
  if floating() then
    io.open(ready, "w"):close()
  elseif tries < 120 then
    if #vim.lsp.buf_get_clients(0) > 0 then vim.lsp.buf.hover() end
    vim.defer_fn(hover, 500)
  end
end
vim.defer_fn(hover, 500)
LUA

export DISPLAY=:$(( 90 + RANDOM % 100 ))
Xvfb "$DISPLAY" -screen 0 1180x740x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break || sleep 0.1; done

SHOT_ROOT=$root SHOT_READY=$work/ready SHOT_PYTHON=$python \
  XDG_STATE_HOME=$work XDG_DATA_HOME=$work \
  xterm -geometry 128x28+0+0 -fa 'DejaVu Sans Mono' -fs 11 -bg '#1e1e1e' -fg '#d4d4d4' \
  -xrm 'XTerm*cursorColor: #ffcc00' -T 'nvim specs/resnet.rg' \
  -e nvim --clean -u "$work/init.lua" 2>/dev/null &
pids+=($!)
for _ in $(seq 600); do [ -e "$work/ready" ] && break || sleep 0.1; done
[ -e "$work/ready" ] || { echo "lsp_screenshot: no hover appeared within 60 s" >&2; exit 1; }
sleep 1  # let the float draw
import -window root "$work/shot.png"
convert "$work/shot.png" -trim +repage -colors 64 -strip "PNG8:$out"
echo "lsp_screenshot: wrote $out ($(du -k "$out" | cut -f1) KB)"
