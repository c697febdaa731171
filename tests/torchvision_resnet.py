"""torchvision's ResNet, written out here independently of resgraph, as the outside reference.

It follows ``torchvision/models/resnet.py`` (v0.20) line for line where it matters: module
names, the stride on the 3x3 of the bottleneck (ResNet v1.5), ``width = planes * base_width /
64 * groups``, projection shortcuts only where the shape changes, one ``ReLU`` module called
several times and the ``out += identity`` shortcut. Two small additions let tests build tiny
networks with the same code: ``widths`` (torchvision's is 64, 128, 256, 512) and a ``small``
stem (one 3x3 convolution, no max pooling) in place of the 7x7 convolution and max pooling.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn


def conv3x3(c_in: int, c_out: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 3, stride, 1, groups=groups, bias=False)


def conv1x1(c_in: int, c_out: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 1, stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, c_in: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1,
                 base_width: int = 64) -> None:
        super().__init__()
        self.conv1 = conv3x3(c_in, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, c_in: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1,
                 base_width: int = 64) -> None:
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(c_in, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self, block: type[BasicBlock | Bottleneck], layers: Sequence[int],
                 num_classes: int = 1000, groups: int = 1, width_per_group: int = 64,
                 widths: Sequence[int] = (64, 128, 256, 512), stem: str = "imagenet") -> None:
        super().__init__()
        self.groups, self.base_width, self.c_in = groups, width_per_group, widths[0]
        if stem == "imagenet":
            self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        else:
            self.conv1 = conv3x3(3, widths[0])
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        if stem == "imagenet":
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.stages = [f"layer{i + 1}" for i in range(len(layers))]
        for i, (name, planes, depth) in enumerate(zip(self.stages, widths, layers, strict=True)):
            self.add_module(name, self._make_layer(block, planes, depth, 1 if i == 0 else 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[len(layers) - 1] * block.expansion, num_classes)

    def _make_layer(self, block: type[BasicBlock | Bottleneck], planes: int, depth: int,
                    stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.c_in != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.c_in, planes * block.expansion, stride),
                                       nn.BatchNorm2d(planes * block.expansion))
        blocks = [block(self.c_in, planes, stride, downsample, self.groups, self.base_width)]
        self.c_in = planes * block.expansion
        blocks += [block(self.c_in, planes, groups=self.groups, base_width=self.base_width)
                   for _ in range(1, depth)]
        return nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        if hasattr(self, "maxpool"):
            x = self.maxpool(x)
        for name in self.stages:
            x = getattr(self, name)(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet50(**kwargs: int) -> ResNet:
    """torchvision's ``resnet50``; ``groups=32, width_per_group=4`` is ``resnext50_32x4d``,
    ``width_per_group=128`` is ``wide_resnet50_2``."""
    return ResNet(Bottleneck, [3, 4, 6, 3], **kwargs)


#: :func:`tiny` as a spec, with the same three parameters (defaults 1, 1, 5)
TINY_SPEC = str(Path(__file__).resolve().parent / "specs_fixtures" / "tiny_resnet.rg")


def tiny(d1: int = 1, d2: int = 1, classes: int = 5) -> ResNet:
    """Two stages of basic blocks (8 and 16 channels) on 16x16 inputs: :data:`TINY_SPEC`."""
    return ResNet(BasicBlock, [d1, d2], num_classes=classes, widths=(8, 16), stem="small")


def randomise_bn(model: nn.Module, seed: int = 0) -> nn.Module:
    """Give every BatchNorm non-trivial statistics and affine weights, so that a comparison
    of outputs would notice a BN applied wrongly or not at all."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    return model
