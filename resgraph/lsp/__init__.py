"""The language server of spec files (``resgraph lsp``), in two layers.

The first knows nothing of the protocol and is tested in-process: :mod:`.index` (what each
name of a file defines and uses, from the syntax tree), :mod:`.document` (one document's
parse, elaboration and cost analysis, cached by content) and :mod:`.hover` (what a position
means, in Markdown). The second, :mod:`.features` and :mod:`.server`, speaks the Language
Server Protocol through pygls and lsprotocol, the optional extra ``resgraph[lsp]``; nothing
outside this package imports them, and this package is loaded only by ``resgraph lsp``.
"""
