"""``resgraph report``: one self-contained HTML page of a network, a thin view of
:func:`resgraph.api.report`."""

from __future__ import annotations

import argparse

from resgraph import api
from resgraph.cli.args import (
    batch_argument,
    int_in,
    json_argument,
    output_argument,
    parse_sets,
    read_target,
    target_arguments,
)
from resgraph.cli.output import out, print_json

NAME = "report"
HELP = "one HTML page: diagram, figures, tables, charts, bench, profile and source together"
EPILOG = """examples:
  resgraph report resnet50 -o resnet50.html
  resgraph report specs/resnet.rg --set depth=152 --batch 8 -o r152.html
  resgraph bench resnet50 --backend onnxruntime,torch --json > bench.json
  resgraph report resnet50 --bench bench.json --gradients -o resnet50.html
  resgraph profile r50.engine --json > profile.json       # or --layer-times trtexec.json
  resgraph report resnet50 --profile profile.json -o resnet50.html
  resgraph report --module torchvision.models:resnet18 --input 3x224x224 -o tv18.html
  resgraph report runs/resnet_sweep -o sweep.html --pages 50   # a folder 'resgraph sweep' wrote

The page is one file with every script, style and chart inline: it opens from disk with no
network. The diagram switches between network, stage (identical blocks folded) and block
level; click a node for its spec lines and figures; the search box finds layers, blocks and
stages. With --profile its nodes are coloured by TensorRT time instead of MACs."""


def arguments(p: argparse.ArgumentParser) -> None:
    target_arguments(p, "report on")
    output_argument(p, "the page to write (.html)", required=True)
    batch_argument(p, "N", help="batch size for costs and memory (default 1)")
    p.add_argument("--dtype", default="fp32", choices=["fp32", "fp16", "bf16"],
                   help="element type for memory figures (default fp32)")
    p.add_argument("--bench", metavar="FILE", help="what 'resgraph bench --json' wrote")
    p.add_argument("--profile", metavar="FILE", help="what 'resgraph profile ENGINE --json' "
                                                     "wrote: its times colour the diagram")
    p.add_argument("--pages", type=int_in(0, 1000), default=20, metavar="N",
                   help="for a sweep folder: write the pages of N candidates too, the Pareto "
                        "front first (default 20)")
    p.add_argument("--gradients", action="store_true",
                   help="add the estimated and measured gradient curves to the path chart "
                        "(runs the network on the CPU: seconds for ResNet-50)")
    json_argument(p, "print what was written as JSON")


def run(args: argparse.Namespace) -> int:
    target = read_target(args)
    path = api.report(target, args.output, params=parse_sets(args.sets), input_shape=args.input,
                      batch=args.batch.size, dtype=args.dtype, bench=args.bench,
                      profile=args.profile, gradients=args.gradients, pages=args.pages)
    if args.json:
        print_json({"output": str(path), "bytes": path.stat().st_size})
    else:
        out.print(f"wrote {path} ({path.stat().st_size / 2**20:.2f} MiB): open it in a browser",
                  markup=False)
    return 0
