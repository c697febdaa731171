"""Spec text → torch.fx.GraphModule on the meta device, against a hand-written baseline.

For each network: milliseconds from spec text to GraphModule (parse, elaborate, lower), the
time per block and per IR op (they must stay flat as depth grows, and the families beyond
ResNet must cost per op what the ResNets do), and the ratio to the baseline measured in the
same run: the same network written as plain nn.Modules, built on meta and traced with
torch.fx.symbolic_trace — what a user would otherwise do to get an FX graph (a hand-written
ResNet; torchvision's own module for EfficientNet-B7, RegNetY-128GF and ConvNeXt-Large).

    python benchmarks/compile_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

import torch
from torch import fx, nn

from resgraph.catalog import resolve
from resgraph.elaborate import elaborate
from resgraph.lower_fx import lower_fx
from resgraph.parse import parse


def text_to_module(text: str, file: str, params: dict) -> fx.GraphModule:
    return lower_fx(elaborate(parse(text, file), file, params), "meta")


class Bottleneck(nn.Module):
    def __init__(self, cin: int, planes: int, stride: int):
        super().__init__()
        out = planes * 4
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.downsample = None
        if stride != 1 or cin != out:
            self.downsample = nn.Sequential(nn.Conv2d(cin, out, 1, stride, bias=False),
                                            nn.BatchNorm2d(out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


class HandWrittenResNet(nn.Module):
    def __init__(self, layers: list[int]):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin, stages = 64, []
        for i, (planes, depth) in enumerate(zip((64, 128, 256, 512), layers)):
            blocks = []
            for b in range(depth):
                blocks.append(Bottleneck(cin, planes, 2 if b == 0 and i > 0 else 1))
                cin = planes * 4
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(2048, 1000)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def baseline(layers: list[int] | str) -> fx.GraphModule:
    """The hand-written ResNet of ``layers``, or torchvision's module of that name."""
    if isinstance(layers, str):
        return fx.symbolic_trace(torchvision_on_meta(layers))
    with torch.device("meta"):
        return fx.symbolic_trace(HandWrittenResNet(layers))


def torchvision_on_meta(name: str) -> nn.Module:
    """torchvision's module built on meta; a RegNet's block widths are computed on the CPU
    first (its builder reads them back with .tolist(), which meta tensors cannot do)."""
    from unittest import mock

    import torchvision
    from torchvision.models import regnet

    if not name.startswith("regnet"):
        with torch.device("meta"):
            return getattr(torchvision.models, name)()
    params: list[object] = []
    build = regnet._regnet
    with mock.patch.object(regnet, "_regnet", lambda p, *a, **k: params.append(p)):
        getattr(regnet, name)()
    with torch.device("meta"):
        return build(params[0], None, False)


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text_to_module(*_spec("resnet18"))  # warm caches: grammar, prelude
    print(f"{'network':<22}{'blocks':>8}{'ops':>7}{'ms':>10}{'ms/block':>10}{'ms/op':>8}"
          f"{'baseline ms':>13}{'ratio':>8}")
    for name, layers in NETWORKS:
        text, file, params = _spec(name)
        graph = elaborate(parse(text, file), file, params)
        blocks, ops = len(graph.blocks), len(graph.nodes)
        repeat = 1 if blocks > 1000 else args.repeat
        ms = best_ms(partial(text_to_module, text, file, params), repeat)
        base = f"{best_ms(partial(baseline, layers), repeat):.1f}" if layers else "-"
        ratio = f"{float(base) / ms:.2f}x" if layers else "-"
        print(f"{name:<22}{blocks:>8}{ops:>7}{ms:>10.1f}{ms / blocks:>10.3f}{ms / ops:>8.3f}"
              f"{base:>13}{ratio:>8}")
    print("ratio = baseline time / resgraph time (above 1: resgraph is faster)")


#: each network and its baseline: a hand-written ResNet's stage depths, torchvision's module
#: by name, or none
NETWORKS: list[tuple[str, list[int] | str | None]] = [
    ("resnet50", [3, 4, 6, 3]), ("resnet152", [3, 8, 36, 3]),
    ("efficientnet_b7", "efficientnet_b7"), ("regnet_y_128gf", "regnet_y_128gf"),
    ("convnext_large", "convnext_large"),
    ("cifar_resnet1202", None), ("generated_10000", None)]


def _spec(name: str) -> tuple[str, str, dict]:
    if name == "generated_10000":
        r = resolve("cifar_resnet20")
        return r.text, r.file, {"n": 3334}
    r = resolve(name)
    return r.text, r.file, r.params


if __name__ == "__main__":
    main()
