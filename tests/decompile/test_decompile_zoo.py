"""``resgraph import`` over models of torchvision and timm (built without weights): each spec
rebuilds its model (state_dict loaded strictly, outputs in eval within the derived fp32 bound,
the same MACs, FLOPs, parameters and paths as ``resgraph analyze --module`` of the model), in
``fmt``-canonical text; the README's table of spec lines per 100 ops is what import writes
today."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import timm
import torch
import torchvision
from torch import nn

import resgraph
from resgraph import api
from resgraph.backends.tolerance import tolerance
from resgraph.decompile import decompile

README = Path(__file__).resolve().parents[2] / "README.md"
#: small enough to run on a CPU, large enough for every stride of these networks
SHAPE = (3, 64, 64)
TORCHVISION = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2",
               "efficientnet_b0", "efficientnet_v2_s", "mobilenet_v2", "mobilenet_v3_small",
               "mobilenet_v3_large", "mnasnet1_0", "regnet_x_400mf", "regnet_y_400mf",
               "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "vit_b_16", "densenet121", "googlenet",
               "fasterrcnn_resnet50_fpn.backbone"]
TIMM = ["resnet18", "resnet26d", "resnet50d", "seresnet50", "seresnext26d_32x4d",
        "res2net50_26w_4s", "res2next50", "resnest14d", "resnest26d", "skresnet18",
        "mobilenetv2_100", "efficientnet_b0", "efficientnet_lite0", "mnasnet_100",
        "spnasnet_100", "semnasnet_100", "fbnetc_100", "mixnet_s", "vit_tiny_patch16_224",
        "deit_tiny_patch16_224", "cspresnet50", "cspresnext50", "ghostnet_100"]
#: the transformers, built at the test's resolution
TRANSFORMERS = ("vit", "deit")
MODELS = [("torchvision", n) for n in TORCHVISION] + [("timm", n) for n in TIMM]


#: models not built by their name alone: GoogLeNet with its auxiliary heads (torchvision's
#: default; decompiled as training outputs), Faster R-CNN's FPN backbone
SPECIAL = {
    "googlenet": lambda: torchvision.models.googlenet(aux_logits=True, init_weights=False),
    "fasterrcnn_resnet50_fpn.backbone": lambda: torchvision.models.detection.
    fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None).backbone,
}


def build(source: str, name: str) -> nn.Module:
    torch.manual_seed(0)
    if name in SPECIAL:
        return SPECIAL[name]().eval()
    if not name.startswith(TRANSFORMERS):
        if source == "timm":
            return timm.create_model(name, pretrained=False).eval()
        return getattr(torchvision.models, name)().eval()
    model = timm.create_model(name, pretrained=False, img_size=SHAPE[1]) if source == "timm" \
        else getattr(torchvision.models, name)(image_size=SHAPE[1])
    for p in model.parameters():  # drawn where they start at 0 (a head would make outputs 0)
        if not p.any():
            nn.init.normal_(p, std=0.02)
    return model.eval()


@cache
def decompiled(source: str, name: str) -> str:
    return decompile(build(source, name), SHAPE)


def _figures(target: object) -> dict[str, object]:
    report = resgraph.analyze(target, input_shape=SHAPE).to_json()
    return {k: report[k] for k in ("macs", "flops", "params", "paths")}


@pytest.mark.parametrize(("source", "name"), MODELS, ids=[f"{s}:{n}" for s, n in MODELS])
def test_the_spec_rebuilds_the_model(source: str, name: str) -> None:
    theirs = build(source, name)
    text = decompiled(source, name)
    assert api.fmt(resgraph.Source(text)) == text
    graph = resgraph.load(resgraph.Source(text))
    ours = resgraph.compile(graph).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, *SHAPE)
    with torch.no_grad():
        a, b = _tensors(ours(x)), _tensors(theirs(x))
    assert len(a) == len(b)
    assert all((u - v).norm() / v.norm() <= tolerance(graph, "fp32") for u, v in zip(a, b))
    assert _figures(graph) == _figures(theirs)


def _tensors(out: object) -> list[torch.Tensor]:
    """A model's outputs in order: one tensor, a tuple's or a dict's (the FPN's levels)."""
    if isinstance(out, torch.Tensor):
        return [out]
    return list(out.values() if isinstance(out, dict) else out)  # type: ignore[attr-defined]


def code_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip() and not line.startswith("#"))


def table() -> str:
    """The README's table: each model's spec lines, ops, lines per 100 ops and the blocks it
    defines."""
    rows = ["| model | spec lines | ops | lines per 100 ops | blocks defined |",
            "|---|---:|---:|---:|---:|"]
    for source, name in MODELS:
        text = decompiled(source, name)
        ops = len(resgraph.load(resgraph.Source(text)).nodes) - 1  # less the input
        lines = code_lines(text)
        defined = len(re.findall(r"^block ", text, re.MULTILINE))
        rows.append(f"| {source} `{name}` | {lines} | {ops} | {100 * lines / ops:.1f} | "
                    f"{defined} |")
    return "\n".join(rows) + "\n"


def test_the_readme_table_is_what_import_writes() -> None:
    text = README.read_text()
    start = text.index("| model | spec lines |")
    shown = text[start:text.index("\n\n", start) + 1]
    assert shown == table(), "the README's table is stale; it should be:\n" + table()
