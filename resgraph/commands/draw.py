"""``resgraph draw``: a Graphviz diagram of a spec or of any traceable PyTorch model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from resgraph.cli import (
    EXIT_OK,
    AddCommand,
    MissingDependency,
    UsageError,
    load_graph,
    out,
    print_json,
)

EPILOG = """examples:
  resgraph draw resnet50 -o resnet50.svg                      # stages, repeated blocks folded
  resgraph draw resnet50 -o net.png --level network --annotate shapes,macs
  resgraph draw resnet152 -o r152.svg --expand layer3.1 --color params
  resgraph draw specs/cifar_resnet.rg --set n=18 -o c110.pdf --rankdir LR
  resgraph draw resnet50 -o r50.dot --level op                # DOT text only
  resgraph draw --module torchvision.models:resnet18 --input-shape 3x224x224 -o tv18.svg

levels: network (a node per stage), stage (blocks in clusters, identical ones folded 'x n'),
block (every layer, shortcuts beside the main column), op (every op).
Without Graphviz's 'dot' the .dot file is written and the exit code is 3."""


def register(add: AddCommand) -> None:
    p = add("draw", "draw a network with Graphviz, from the whole network down to single ops",
            EPILOG, run)
    p.add_argument("spec", nargs="?", help="a spec file, a shipped network's name, or '-' for "
                                           "standard input (or use --module)")
    p.add_argument("--set", dest="sets", action="append", metavar="NAME=VALUE",
                   help="override a 'param' of the spec (repeatable)")
    p.add_argument("--module", metavar="PKG.MODULE:FACTORY",
                   help="draw the model FACTORY() returns, traced with torch.fx")
    p.add_argument("--input-shape", default="3x224x224", metavar="CxHxW",
                   help="per-sample input shape for --module (default 3x224x224)")
    p.add_argument("-o", "--output", required=True,
                   help="the file to write: .svg, .png, .pdf or .dot")
    p.add_argument("--level", default="stage", help="network, stage (default), block or op")
    p.add_argument("--expand", action="append", default=[], metavar="SCOPE",
                   help="show this stage or block op by op (repeatable), e.g. layer3.1")
    p.add_argument("--rankdir", default="TB", help="TB (top to bottom, default) or LR")
    p.add_argument("--annotate", default="shapes",
                   help="comma-separated: shapes, macs, params, paths (default shapes)")
    p.add_argument("--color", default="macs", help="macs (default), params, depth or none")
    p.add_argument("--batch", type=int, default=1, help="batch size for the costs")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")


def run(args: argparse.Namespace) -> int:
    from resgraph.render import DrawError, GraphvizMissing, make_options, render_dot, write
    from resgraph.render.output import output_format

    output = Path(args.output)
    try:
        output_format(output)
        options = make_options(level=args.level, expand=",".join(args.expand),
                               rankdir=args.rankdir.upper(), annotate=args.annotate,
                               color=args.color, batch=args.batch)
        options.check()
        graph = _graph(args)
        source = render_dot(graph, options)
        write(source, output)
    except DrawError as exc:
        raise UsageError(str(exc)) from None
    except GraphvizMissing as exc:
        raise MissingDependency(str(exc)) from None
    info = {"network": graph.name, "output": str(output), "level": options.level,
            "expand": list(options.expand)}
    if args.json:
        print_json(info)
    else:
        out.print(f"wrote {output}: {graph.name} at {options.level} level")
    return EXIT_OK


def _graph(args: argparse.Namespace) -> Any:
    if args.module and args.spec:
        raise UsageError("give a spec or --module, not both")
    if not args.module:
        if not args.spec:
            raise UsageError("draw needs a spec (or --module PKG.MODULE:FACTORY)")
        return load_graph(args)
    return _traced(args.module, args.input_shape)


def _traced(target: str, input_shape: str) -> Any:
    """Import ``pkg.module:factory``, call it, and trace the model into the IR."""
    import importlib

    module_name, colon, factory = target.partition(":")
    if not colon or not module_name or not factory:
        raise UsageError(f"--module takes PKG.MODULE:FACTORY, got '{target}'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"--module: cannot import '{module_name}': {exc}") from None
    if not callable(getattr(module, factory, None)):
        raise UsageError(f"--module: '{module_name}' has no callable '{factory}'")
    shape = _shape(input_shape)
    from resgraph.import_fx import ImportFxError, import_fx

    try:
        return import_fx(getattr(module, factory)(), shape)
    except ImportFxError as exc:
        raise UsageError(f"--module {target}: {exc}") from None


def _shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(d) for d in text.lower().split("x"))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise UsageError(f"--input-shape takes CxHxW such as 3x224x224, got '{text}'")
    return shape
