-- Driven by tests/lsp/test_lsp_nvim.py: Neovim's own LSP client opens a spec, waits for the
-- diagnostics, hovers on a stage line and writes what it got as JSON to $RESGRAPH_NVIM_OUT.
local root = os.getenv("RESGRAPH_ROOT")
vim.opt.runtimepath:prepend(root .. "/editors/nvim")
local resgraph = require("resgraph")
resgraph.setup({ cmd = { os.getenv("RESGRAPH_PYTHON"), "-m", "resgraph.cli", "lsp" } })
vim.cmd("edit " .. os.getenv("RESGRAPH_SPEC"))
local bufnr = vim.api.nvim_get_current_buf()
local out = { filetype = vim.bo.filetype }
out.got_diagnostics = vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(out.diagnostics, { line = d.lnum, col = d.col, message = d.message })
end
local line = tonumber(os.getenv("RESGRAPH_HOVER_LINE"))
local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) },
                 position = { line = line, character = 2 } }
local replies = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, 60000) or {}
for _, reply in pairs(replies) do
  if reply.result then out.hover = reply.result.contents.value end
end
local file = io.open(os.getenv("RESGRAPH_NVIM_OUT"), "w")
file:write(vim.fn.json_encode(out))
file:close()
vim.cmd("qa!")
