-- resgraph's language server in Neovim (0.7 or later): spec files (*.rg, *.sweep.rg) get
-- the filetype "resgraph", and each such buffer is attached to one `resgraph lsp`.
--
--   require("resgraph").setup()                                   -- in init.lua
--   require("resgraph").setup({ settings = { variant = "resnet18" } })
--   :lua require("resgraph").select_variant("resnet50")           -- figures of another variant
local M = { client_id = nil, opts = {} }

function M.setup(opts)
  M.opts = opts or {}
  -- set, not only offered: Neovim's own detection may call a '#'-commented file "conf"
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    pattern = "*.rg",
    callback = function(args) vim.bo[args.buf].filetype = "resgraph" end,
  })
  vim.api.nvim_create_autocmd("FileType", {
    pattern = "resgraph",
    callback = function(args) M.attach(args.buf) end,
  })
end

function M.attach(bufnr)
  if M.client_id == nil or vim.lsp.get_client_by_id(M.client_id) == nil then
    M.client_id = vim.lsp.start_client({
      name = "resgraph",
      cmd = M.opts.cmd or { "resgraph", "lsp" },
      root_dir = vim.fn.getcwd(),
      init_options = M.opts.settings or {},
    })
  end
  vim.bo[bufnr].commentstring = "# %s"
  vim.lsp.buf_attach_client(bufnr, M.client_id)
end

-- Show the figures of the variant `name` (nil: the spec's own defaults) in the current buffer.
function M.select_variant(name)
  local client = vim.lsp.get_client_by_id(M.client_id)
  client.request("workspace/executeCommand", {
    command = "resgraph.selectVariant", arguments = { vim.uri_from_bufnr(0), name },
  }, function() end, 0)
end

return M
