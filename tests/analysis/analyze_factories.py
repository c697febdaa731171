"""Model factories for the ``--module`` tests (imported by name from the command line)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Branchy(nn.Module):
    """Data-dependent control flow: torch.fx cannot trace it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if x.sum() > 0 else -x


def small_cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))


def untraceable() -> nn.Module:
    return Branchy()


def broken() -> nn.Module:
    raise RuntimeError("no weights here")


class TwoInputs(nn.Module):
    """Two required tensors: not a model of one input."""

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return x + y


class WithOptions(nn.Module):
    """Extra ``forward`` arguments with defaults, and a branch that runs only in training."""

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1)
        self.aux = nn.Conv2d(width, width, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None,
                scale: float = 2.0) -> torch.Tensor:
        x = self.conv(x)
        if mask is not None:
            x = x * mask
        if self.training:
            x = self.aux(x)
        return x * scale


def two_inputs() -> nn.Module:
    return TwoInputs()


def with_options(width: int = 8) -> nn.Module:
    return WithOptions(width)


def not_a_model() -> int:
    return 3


class FunctionalSE(nn.Module):
    """Squeeze-excitation written with functions (``x.mean``, ``F.relu``, ``torch.sigmoid``),
    as timm writes it: the counters that see only modules count it differently."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // 4, 1)
        self.fc2 = nn.Conv2d(channels // 4, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(w))))


class FunctionalNet(nn.Module):
    """A small network that calls functions where torchvision has modules: pooling, ReLU,
    ``torch.add`` and ``torch.matmul`` (counted by ptflops' patches) beside ``+`` (not)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)
        self.se = FunctionalSE(16)
        self.fc = nn.Linear(16 * 16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn(self.conv(x)))
        x = torch.add(self.se(x), x)
        x = F.avg_pool2d(F.max_pool2d(x, 2), 2) + x[:, :, ::4, ::4]
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(torch.matmul(x.unsqueeze(2), x.unsqueeze(1)).flatten(1))  # outer product


def functional_net() -> nn.Module:
    return FunctionalNet()
