"""Every op of the op table but ``opaque`` is written in a spec, compiles, and is counted as the
import counts a hand-written module that computes the same (MACs, FLOPs, parameters, output
shape); and the compiled spec, imported back, is the spec's ops again (the lowering is what
the import reads). The hand-written modules use torch as a model would, not resgraph's
lowering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.convnext import LayerNorm2d
from torchvision.ops import StochasticDepth

import resgraph
from resgraph import api
from resgraph.lower_fx import pad_channels
from resgraph.ops import OPS

INPUT = (4, 8, 8)
torch.fx.wrap("pad_channels")  # a leaf of the trace, as a model defining it would mark it


class Model(nn.Module):
    """``forward`` as a function of the module and its input, over the given layers."""

    def __init__(self, forward: Callable[[nn.Module, torch.Tensor], torch.Tensor],
                 **layers: nn.Module | nn.Parameter) -> None:
        super().__init__()
        for name, layer in layers.items():
            if isinstance(layer, nn.Parameter):
                self.register_parameter(name, layer)
            else:
                self.add_module(name, layer)
        self.fn = forward

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(self, x)


@dataclass
class Case:
    """A stem in the spec language, the module it stands for, and the ops the spec uses."""

    stem: str
    model: Callable[[], nn.Module]
    ops: set[str] = field(default_factory=set)

    def spec(self) -> resgraph.Source:
        body = "\n".join(f"  {line}" for line in self.stem.strip().splitlines())
        return resgraph.Source(f"resgraph 1\nnetwork case\ninput {'x'.join(map(str, INPUT))}\n"
                               f"stem {{\n{body}\n}}\n", "case.rg")


def tokens(x: torch.Tensor) -> torch.Tensor:
    """4x8x8 to 64x4 tokens, as the spec's first line ``reshape([4, -1]) -> permute([1, 0])``."""
    return x.flatten(2).transpose(1, 2)


def merges(m: nn.Module, x: torch.Tensor) -> torch.Tensor:
    b = x + m.c(x)
    return pad_channels(torch.cat([b * torch.sigmoid(F.adaptive_avg_pool2d(b, 1)), b], 1), 10, 2)


TOKENS = "t = reshape([4, -1]) -> permute([1, 0])"


def learned(m: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """ViT's class token and position embedding, then its self-attention."""
    t = tokens(x)
    t = torch.cat([m.tok.expand(t.shape[0], -1, -1), t], 1) + m.pos
    return m.self_attention(t, t, t, need_weights=False)[0]


CASES = {
    "conv_bn_relu": Case("conv(3, 6, stride=2) -> bn -> relu",
                         lambda: Model(lambda m, x: F.relu(m.b(m.c(x))),
                                       c=nn.Conv2d(4, 6, 3, 2, 1, bias=False),
                                       b=nn.BatchNorm2d(6)), {"conv", "bn", "relu"}),
    "activations": Case("sigmoid -> relu6 -> silu -> hardsigmoid -> hardswish -> gelu "
                        "-> leaky_relu(0.1)",
                        lambda: Model(lambda m, x: F.leaky_relu(F.gelu(F.hardswish(
                            F.hardsigmoid(F.silu(F.relu6(torch.sigmoid(x)))))), 0.1)),
                        {"sigmoid", "relu6", "silu", "hardsigmoid", "hardswish", "gelu",
                         "leaky_relu"}),
    "pools": Case("maxpool(2) -> avgpool(2) -> global_avgpool -> flatten -> linear(5)",
                  lambda: Model(lambda m, x: m.fc(torch.flatten(F.adaptive_avg_pool2d(
                      F.avg_pool2d(F.max_pool2d(x, 2), 2), 1), 1)), fc=nn.Linear(4, 5)),
                  {"maxpool", "avgpool", "global_avgpool", "flatten", "linear"}),
    # 8x8 to 3x3: windows of 3 and 4 pixels, overlapping (torch's adaptive rule)
    "adaptive_avgpool": Case("adaptive_avgpool(3)",
                             lambda: Model(lambda m, x: F.adaptive_avg_pool2d(x, (3, 3))),
                             {"adaptive_avgpool"}),
    "spatial_mean": Case("spatial_mean", lambda: Model(lambda m, x: x.mean([2, 3])),
                         {"spatial_mean"}),
    "merges": Case("a = conv(1, 4)\nb = add(input, a)\ng = global_avgpool -> sigmoid\n"
                   "m = mul(b, g)\nconcat(m, b) -> pad_channels(10, stride=2)",
                   lambda: Model(merges, c=nn.Conv2d(4, 4, 1, bias=False)),
                   {"add", "mul", "concat", "pad_channels", "global_avgpool", "sigmoid",
                    "conv"}),
    "convnext_ops": Case("layernorm -> channel_linear(8) -> layer_scale(0.5) -> dropout(0.1) "
                         "-> stochastic_depth(0.2)",
                         lambda: Model(lambda m, x: m.sd(m.drop(m.gamma * m.fc(
                             m.norm(x).permute(0, 2, 3, 1)).permute(0, 3, 1, 2))),
                                       norm=LayerNorm2d(4, eps=1e-6), fc=nn.Linear(4, 8),
                                       gamma=nn.Parameter(torch.full((8, 1, 1), 0.5)),
                                       drop=nn.Dropout(0.1), sd=StochasticDepth(0.2, "row")),
                         {"layernorm", "channel_linear", "layer_scale", "dropout",
                          "stochastic_depth"}),
    "layout": Case(f"{TOKENS}\nh = reshape(t, 64x2x2) -> permute([1, 0, 2])\n"
                   "part(h, dim=0, start=1, size=1) -> part(dim=0, keep=false)",
                   lambda: Model(lambda m, x: tokens(x).reshape(-1, 64, 2, 2)
                                 .permute(0, 2, 1, 3)[:, 1:2][:, 0]),
                   {"reshape", "permute", "part"}),
    "joins": Case(f"{TOKENS}\nc = cat(t, t, dim=-1)\nstack(c, c, dim=0)",
                  lambda: Model(lambda m, x: torch.stack(
                      [torch.cat([tokens(x), tokens(x)], -1)] * 2, 1)), {"cat", "stack"}),
    "reductions": Case(f"{TOKENS}\ns = sum(t, dims=[1], keepdim=true)\nmean(s, dims=[0])",
                       lambda: Model(lambda m, x: tokens(x).sum(2, keepdim=True).mean(1)),
                       {"sum", "mean"}),
    "token_mixing": Case(f"{TOKENS}\nn = layer_norm(t, eps=1e-6) -> linear(4)\n"
                         "w = matmul(n, permute(t, [1, 0])) -> softmax\n"
                         "e = einsum(w, t, equation=\"nm,mc->nc\")\n"
                         "h = elementwise(e, fn=\"mul\", by=0.5)\nelementwise(h, fn=\"neg\")",
                         lambda: Model(lambda m, x: -(torch.einsum(
                             "bnm,bmc->bnc", (m.fc(m.norm(tokens(x))) @ tokens(x).transpose(1, 2))
                             .softmax(-1), tokens(x)) * 0.5),
                             norm=nn.LayerNorm(4, eps=1e-6), fc=nn.Linear(4, 4)),
                         {"layer_norm", "linear", "matmul", "softmax", "einsum", "elementwise"}),
    "attention": Case(f"{TOKENS}\nh = reshape(t, 64x2x2) -> permute([1, 0, 2])\n"
                      "attention(h, h, h, causal=true)",
                      lambda: Model(lambda m, x: F.scaled_dot_product_attention(
                          *[tokens(x).reshape(-1, 64, 2, 2).transpose(1, 2)] * 3,
                          is_causal=True)), {"reshape", "permute", "attention"}),
    "learned": Case(f"{TOKENS}\nk = tok: param([1, 4])\nc = cat(k, t, dim=0)\n"
                    "p = pos: param([65, 4], std=0.02)\nadd(c, p) -> self_attention: "
                    "multihead_attention(2)",
                    lambda: Model(learned, tok=nn.Parameter(torch.zeros(1, 1, 4)),
                                  pos=nn.Parameter(torch.randn(1, 65, 4) * 0.02),
                                  self_attention=nn.MultiheadAttention(4, 2, batch_first=True)),
                    {"param", "cat", "add", "linear", "attention"}),
    "broadcast": Case("m = mean(dims=[0], keepdim=true)\nelementwise(input, m, fn=\"sub\")",
                      lambda: Model(lambda m, x: x - x.mean(1, keepdim=True)),
                      {"mean", "elementwise"}),
    "interpolate": Case("interpolate(scale=2, mode=\"bilinear\") -> interpolate(size=5x6)",
                        lambda: Model(lambda m, x: m.up(F.interpolate(
                            x, scale_factor=2, mode="bilinear", align_corners=False)),
                            up=nn.Upsample(size=(5, 6))), {"interpolate"}),
}


def counts(report: resgraph.Report) -> tuple[int, int, int]:
    return report.macs, report.flops, report.params


def test_the_cases_write_every_op_but_opaque() -> None:
    written = {n.op for case in CASES.values() for n in resgraph.load(case.spec())} - {"input"}
    assert written == set(OPS) - {"opaque"}
    assert all(case.ops <= {n.op for n in resgraph.load(case.spec())} for case in CASES.values())


@pytest.mark.parametrize("name", CASES)
def test_a_spec_is_counted_as_the_import_counts_its_module(name: str) -> None:
    case = CASES[name]
    spec = resgraph.analyze(case.spec())
    model = case.model().eval()
    imported = resgraph.analyze(model, input_shape=INPUT, strict=True)
    assert counts(spec) == counts(imported)
    compiled = resgraph.compile(case.spec()).eval()
    x = torch.randn(2, *INPUT)
    assert compiled(x).shape == model(x).shape


@pytest.mark.parametrize("name", CASES)
def test_the_compiled_spec_imports_back_to_its_ops(name: str) -> None:
    graph = resgraph.load(CASES[name].spec())
    module = resgraph.compile(graph).eval()
    imported = resgraph.analyze(module, input_shape=INPUT, strict=True).graph
    assert [n.op for n in imported] == [n.op for n in graph]
    assert [n.shape for n in imported] == [n.shape for n in graph]


def test_explain_shows_token_shapes_of_a_stage_of_token_blocks() -> None:
    spec = resgraph.Source(
        "resgraph 1\nblock mixer(width) {\n  n = layer_norm -> linear(width) -> gelu\n"
        "  add(input, n)\n}\nnetwork tokens\ninput 4x8x8\nstem {\n  " + TOKENS + "\n}\n"
        "stage mix: mixer(4) x 2\nhead {\n  mean(dims=[0]) -> linear(3)\n}\n", "tokens.rg")
    blocks = api.explain(spec)["stages"][0]["blocks"]
    assert [(b["input"], b["output"]) for b in blocks] == [("64x4", "64x4")] * 2
