"""resgraph: a compiler and analyzer for residual-network architectures.

    import resgraph
    graph = resgraph.load("resnet50")              # the IR: ops, shapes, scopes, spans
    gm = resgraph.compile("resnet50", depth=101)   # a torch.fx.GraphModule
    print(resgraph.fmt("specs/resnet.rg"))         # canonical text

The pipeline, one module per pass: parse → elaborate → (ir) → lower_fx; analyses and
render read the IR; ``resgraph.backends`` depends on this core, never the reverse.
"""

from resgraph.analysis.report import analyze
from resgraph.api import compile, fmt, load
from resgraph.errors import SpecError, SpecErrors
from resgraph.render import draw

__all__ = ["SpecError", "SpecErrors", "analyze", "compile", "draw", "fmt", "load"]
__version__ = "0.1.0"
