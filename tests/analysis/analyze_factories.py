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
