"""``resgraph export``: a spec as an ONNX file, through PyTorch's own exporter, with node names
that map back to the spec (:mod:`resgraph.backends.onnx_export` does the work)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape

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

NAME = "export"
HELP = "export a spec to ONNX, nodes named after the spec's scopes"
EPILOG = """examples:
  resgraph export resnet50 -o resnet50.onnx
  resgraph export resnet50 -o r50_dynamic.onnx --batch dynamic
  resgraph export specs/resnet.rg --set depth=101 -o r101.onnx --batch 1:64 --opset 20
  resgraph export cifar_resnet56 -o c56_fp16.onnx --precision fp16
  resgraph export preact_resnet164 -o p164.onnx --no-fold-bn --json

The input is 'input' (batch x C x H x W, fp32) and the output 'output'; a dynamic batch is the
dimension 'batch', its range recorded in the model's metadata (resgraph.batch). Nodes are named
after the spec's scopes: layer2.0.conv1, or layer2.0.downsample.pad_channels1/Pad where one op
made several nodes. BN layers that follow a convolution are folded into it unless --no-fold-bn.
fp16/bf16 compute in that type with one Cast at each edge (input and output stay fp32); bf16
needs opset 22 or later. The weights are the spec's fresh initialisation.
Needs the onnx extra: pip install 'resgraph[onnx]'."""


def arguments(p: argparse.ArgumentParser) -> None:
    spec_arguments(p)
    json_argument(p)
    output_argument(p, "the .onnx file to write (default: NAME.onnx)")
    batch_argument(p, "N", "dynamic", "MIN:MAX",
                   help="a fixed batch size (default 1), 'dynamic' (1 upward) or a range")
    p.add_argument("--opset", type=int_in(1, 1000), metavar="N",
                   help="ONNX opset (default: the exporter's; 22 for bf16)")
    p.add_argument("--fold-bn", action=argparse.BooleanOptionalAction, default=True,
                   help="fold BN layers into the convolutions before them (default: fold)")
    p.add_argument("--precision", default="fp32", help="fp32 (default), fp16 or bf16")


def run(args: argparse.Namespace) -> int:
    from resgraph.backends.api import export_onnx

    spec = read_spec(args)
    graph = api.load(spec, **parse_sets(args.sets))
    output = check_output(args.output or f"{graph.name}.onnx",
                          inputs=[spec] if isinstance(spec, str) else [])
    batch = "dynamic" if args.batch.dynamic else args.batch.range or args.batch.size
    info = export_onnx(graph, output, batch=batch, opset=args.opset, fold_bn=args.fold_bn,
                       precision=args.precision)
    if args.json:
        print_json(info.to_dict())
    else:
        _print_summary(info)
    return 0


def _print_summary(info: Any) -> None:
    size = info.path.stat().st_size / 2**20
    batch = "batch" if info.dynamic else info.batch_min
    out.print(f"wrote [bold]{escape(str(info.path))}[/] ({size:.1f} MiB): {info.network}, {info.nodes} nodes, "
              f"opset {info.opset}, {info.precision}")
    out.print(f"  input  [cyan]{info.input_name}[/]  {_shape(batch, info.input_shape)} fp32")
    for name, shape in info.outputs.items():
        out.print(f"  output [cyan]{escape(name)}[/] {_shape(batch, shape)} fp32")
    out.print(f"  batch  {_batch_range(info)}")
    out.print(f"  BN     {_bn_line(info)}")


def _shape(batch: object, dims: tuple[int, ...]) -> str:
    return f"({', '.join(map(str, (batch, *dims)))})"


def _batch_range(info: Any) -> str:
    if not info.dynamic:
        return f"fixed at {info.batch_min}"
    top = "no upper bound" if info.batch_max is None else f"up to {info.batch_max}"
    return f"dynamic, from {info.batch_min}, {top}"


def _bn_line(info: Any) -> str:
    if not info.fold_bn:
        return "kept as BatchNormalization nodes (--no-fold-bn)"
    return f"{len(info.folded)} folded into the convolutions before them"
