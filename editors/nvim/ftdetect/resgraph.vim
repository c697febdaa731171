" spec files of resgraph (the language server is attached by lua/resgraph.lua's setup())
autocmd BufRead,BufNewFile *.rg set filetype=resgraph
