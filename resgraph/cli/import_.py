"""``resgraph import``: a PyTorch model written back as a spec that rebuilds it, a thin view
of :func:`resgraph.api.decompile` (``import_``: the module named ``import`` is a keyword)."""

from __future__ import annotations

import argparse
import sys

from resgraph import api
from resgraph.cli.args import output_argument, shape_type
from resgraph.cli.output import err
from resgraph.errors import UsageError
from resgraph.files import check_output

NAME = "import"
HELP = "write a PyTorch model as a spec that rebuilds it (same state_dict, outputs, analysis)"
EPILOG = """examples:
  resgraph import --module torchvision.models:resnet50 -o resnet50.rg
  resgraph import --module torchvision.models:efficientnet_b0 --stdout
  resgraph import --module 'torchvision.models:resnet18(num_classes=10)' --input 3x32x32 \\
      --name cifar_resnet18 -o cifar_resnet18.rg

The model is traced with torch.fx in eval mode; each block becomes a call of a prelude block
(bottleneck, basic, mbconv, fused_mbconv) that elaborates to the same layers, runs of blocks
become stage lines, the stem and head op steps. The spec is checked before it is written:
compiled, it loads the model's state_dict strictly and computes the same. What the language
cannot write (an op it lacks, a block no prelude block writes) exits 2 with one line per cause."""


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--module", metavar="PKG.MODULE:FACTORY", required=True,
                   help="the model FACTORY() returns; literal arguments may follow: "
                        "'PKG.MODULE:FACTORY(num_classes=10)'")
    p.add_argument("--input", metavar="CxHxW", type=shape_type, default=(3, 224, 224),
                   help="the input shape it is traced at and the spec's input line "
                        "(default 3x224x224)")
    p.add_argument("--name", help="the spec's network name (default: the model's class)")
    output_argument(p, "the spec file to write (whole, or not at all)")
    p.add_argument("--stdout", action="store_true", help="print the spec instead")


def run(args: argparse.Namespace) -> int:
    if bool(args.output) == bool(args.stdout):
        raise UsageError("give -o FILE or --stdout (one of them)")
    if args.output:
        check_output(args.output)
    text = api.decompile(args.module, input_shape=args.input, name=args.name)
    if args.stdout:
        sys.stdout.write(text)
        return 0
    api.write_text(args.output, text)
    err.print(f"wrote {args.output}", markup=False)
    return 0
