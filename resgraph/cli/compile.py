"""``resgraph compile``: a spec compiled to its ``torch.fx.GraphModule`` and saved as a
``torch.export`` program (``.pt2``): :func:`resgraph.compile` with an output."""

from __future__ import annotations

import argparse
from pathlib import Path

from resgraph import api
from resgraph.cli.args import (
    batch_argument,
    int_in,
    json_argument,
    output_argument,
    parse_sets,
    read_spec,
    spec_arguments,
)
from resgraph.cli.output import out, print_json
from resgraph.files import check_output

NAME = "compile"
HELP = "compile a spec to a torch.export program (.pt2)"
EPILOG = ("examples:\n  resgraph compile resnet50 -o resnet50.pt2\n"
          "  resgraph compile specs/cifar_resnet.rg --set n=18 --batch 8\n\n"
          "Load the program with torch.export.load(PATH); .module() gives the network.")


def arguments(p: argparse.ArgumentParser) -> None:
    spec_arguments(p)
    output_argument(p, "the file to write (default: NAME.pt2 for the network's NAME)")
    batch_argument(p, "N", help="batch size of the example input (default 1)")
    p.add_argument("--seed", type=int_in(0, 2**63 - 1),
                   help="draw the weights from this seed (default: torch's random state)")
    json_argument(p)


def run(args: argparse.Namespace) -> int:
    spec = read_spec(args)
    graph = api.load(spec, **parse_sets(args.sets))
    output = Path(args.output or f"{graph.name}.pt2")
    check_output(output, inputs=[spec] if isinstance(spec, str) else [])
    module = api.compile(graph, output, batch=args.batch.size, seed=args.seed)
    info = {"network": graph.name, "output": str(output), "batch": args.batch.size,
            "input": [args.batch.size, *graph.input_shape],
            "params": sum(p.numel() for p in module.parameters())}
    if args.json:
        print_json(info)
    else:
        out.print(f"wrote {output}: torch.export program of {graph.name}, input "
                  f"{'x'.join(map(str, info['input']))}, {info['params']:,} parameters "
                  f"(load it with torch.export.load)", markup=False)
    return 0
