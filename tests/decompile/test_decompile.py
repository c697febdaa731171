"""``resgraph import``: how a spec is written (the prelude's blocks where they match, block
definitions of the spec's own for the others, stage lines, labels), and what cannot be written
is an error naming each cause. That each spec rebuilds its model is test_decompile_zoo's."""

from __future__ import annotations

import re

import pytest
import torch
import torchvision
from torch import nn

import resgraph
from resgraph import api
from resgraph.decompile import DecompileError, decompile

#: small enough to run on a CPU, large enough for every stride of these networks
SHAPE = (3, 64, 64)


def _code_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_resnet50_is_written_as_specs_resnet_writes_it() -> None:
    text = api.decompile("torchvision.models:resnet50")
    lines = _code_lines(text)
    assert len(lines) <= 40
    assert not any(line.startswith("block ") for line in lines)
    assert [line for line in lines if line.startswith("stage ")] == [
        "stage layer1: bottleneck(64) x 3", "stage layer2: bottleneck(128) x 4 stride 2",
        "stage layer3: bottleneck(256) x 6 stride 2", "stage layer4: bottleneck(512) x 3 stride 2"]
    assert text.splitlines()[1] == ("# decompiled by resgraph import from "
                                    "torchvision.models:resnet50, input 3x224x224")


def test_resnext_and_wide_resnet_pass_their_widths() -> None:
    resnext = decompile(torchvision.models.resnext50_32x4d(), SHAPE)
    wide = decompile(torchvision.models.wide_resnet50_2(), SHAPE)
    assert "stage layer3: bottleneck(256, groups=32, base_width=4) x 6 stride 2" in resnext
    assert "stage layer3: bottleneck(256, base_width=128) x 6 stride 2" in wide


def _definitions(text: str) -> dict[str, str]:
    """Each block definition of a spec, by name, its parameters renamed ``p0``, ``p1`` …"""
    out = {}
    for found in re.finditer(r"^block (\w+)\(([^)]*)\) \"[^\"]*\" \{\n(.*?)^\}", text,
                             re.MULTILINE | re.DOTALL):
        name, params, body = found.groups()
        for k, param in enumerate(p for p in params.split(", ") if p):
            body = re.sub(rf"\b{param}\b", f"p{k}", body)
        out[name] = body
    return out


@pytest.mark.parametrize("name", ["mobilenet_v2", "regnet_y_400mf"])
def test_blocks_of_one_form_are_one_definition_taking_what_differs(name: str) -> None:
    text = decompile(getattr(torchvision.models, name)(), SHAPE)
    bodies = _definitions(text)
    assert bodies and len(set(bodies.values())) == len(bodies)  # none the same up to renaming
    lines = _code_lines(text)
    assert len(lines) * 100 <= 40 * len(resgraph.load(resgraph.Source(text)).nodes)


def test_mobilenet_v2_takes_its_widths_and_strides_as_arguments() -> None:
    text = decompile(torchvision.models.mobilenet_v2(), SHAPE)
    assert "block inverted_residual_2(out1, stride, out2)" in text
    assert "conv(3, out1, stride=stride, groups=out1)" in text  # one parameter, three places
    assert "conv.2: conv(1, in_channels)" in text  # the shortcut's width is the input's
    assert 'stage stage5_1: inverted_residual_2(384, 1, 96) x 1 at f"features.{11 + i}"' in text


def test_a_module_path_no_label_spells_is_written_as_a_string() -> None:
    class Numbered(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.add_module("0", nn.Sequential())
            getattr(self, "0").add_module("norm", nn.BatchNorm2d(3))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return getattr(self, "0").norm(x)

    text = decompile(Numbered(), (3, 8, 8))
    assert 'f"0.norm": bn' in text


class Unsupported(nn.Module):
    """A conv net with an op the language lacks (a sort) and a block no prelude block writes."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.body = nn.Sequential(Odd())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(self.conv(x))
        return torch.sort(y, dim=1).values


class Odd(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(8, 8, 1), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.a(x)


def test_what_cannot_be_written_is_named_at_its_module_path() -> None:
    with pytest.raises(DecompileError) as info:
        decompile(Unsupported(), (3, 8, 8))
    causes = info.value.causes
    assert len(causes) >= 1 and all(": " in c for c in causes)
    assert any(c.startswith("sort") or "sort" in c for c in causes), causes


def test_api_refuses_what_is_no_model() -> None:
    with pytest.raises(resgraph.ResgraphError, match="torch.nn.Module"):
        api.decompile(42)


def test_a_keyword_is_neither_a_block_name_nor_a_plain_label() -> None:
    class Stage(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(8, 8, 3, padding=1, bias=False)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x + self.conv(x)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.stem = nn.Conv2d(3, 8, 1)
            self.body = nn.Sequential(Stage(), Stage())

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.body(self.stem(x))

    text = decompile(Net(), (3, 8, 8))
    assert "block stage_2() " in text and "stage_2() x 2" in text
    assert 'f"stem": conv(1, 8, bias=true)' in text


class _SelfAttention(nn.Module):
    """Tokens through nn.MultiheadAttention (no biases) as self-attention, and an added
    position embedding."""

    def __init__(self) -> None:
        super().__init__()
        self.pos = nn.Parameter(torch.randn(1, 16, 8) * 0.02)
        self.attn = nn.MultiheadAttention(8, 2, bias=False, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = x.flatten(2).transpose(1, 2) + self.pos
        return self.attn(t, t, t, need_weights=False)[0]


def test_a_self_attention_is_the_prelude_s_multihead_attention() -> None:
    model = _SelfAttention().eval()
    text = decompile(model, (8, 4, 4))
    assert "attn: multihead_attention(2, bias=false)" in text
    assert "q_proj" not in text
    ours = resgraph.compile(resgraph.Source(text)).eval()
    ours.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(2, 8, 4, 4)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), model(x))
