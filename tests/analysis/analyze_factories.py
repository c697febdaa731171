"""Model factories for the ``--module`` tests (imported by name from the command line)."""

from __future__ import annotations

import torch
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
