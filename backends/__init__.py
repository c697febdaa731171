"""Execution backends of resgraph (installed as ``resgraph.backends``).

They depend on the core (``resgraph``), never the reverse. Each imports its own optional
dependencies and, when one is missing, raises :class:`resgraph.backends.base.MissingExtra`
naming the extra to install (``pip install 'resgraph[onnx]'``).
"""
