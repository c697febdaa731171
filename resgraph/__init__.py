"""resgraph: a compiler and analyzer for residual-network architectures.

    import resgraph
    graph = resgraph.load("resnet50")              # the IR: ops, shapes, scopes, spans
    gm = resgraph.compile("resnet50")              # a torch.fx.GraphModule
    resgraph.compile("resnet50", "r50.pt2")        # ... also saved as a torch.export program
    graph = resgraph.load(resgraph.Source(text))   # spec text (a str is a path or a name)
    print(resgraph.fmt("specs/resnet.rg"))         # canonical text

The pipeline, one module per pass: parse → elaborate → (ir) → lower_fx; analyses and
render read the IR; ``resgraph.backends`` depends on this core, never the reverse.
"""

from resgraph.api import analyze, compile, draw, fmt, load
from resgraph.errors import (
    MissingDependency,
    ResgraphError,
    Source,
    SpecError,
    SpecErrors,
    UsageError,
)

__all__ = ["MissingDependency", "ResgraphError", "Source", "SpecError", "SpecErrors",
           "UsageError", "analyze", "compile", "draw", "fmt", "load"]
__version__ = "0.1.0"
