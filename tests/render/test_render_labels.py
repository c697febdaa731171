"""Block labels: a block that concatenates says so instead of naming a shortcut, and long runs
of a repeated pattern fold so that labels stay short."""

from __future__ import annotations

import torch
from torch import nn

import resgraph
from resgraph.import_fx import import_fx
from resgraph.render.labels import block_summary, fold
from resgraph.render.view import build_view


def test_fold_repeated_runs() -> None:
    assert fold(["1x1, 128", "3x3, 32"] * 6) == ["(1x1, 128 · 3x3, 32) × 6"]
    assert fold(["7x7", "a", "a", "a", "b"]) == ["7x7", "a × 3", "b"]
    assert fold(["3x3, 16", "3x3, 16"]) == ["3x3, 16", "3x3, 16"]  # a basic block stays


class _Mixed(nn.Module):
    """Two branches concatenated, as an Inception block; no addition anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(4, 4, 1))
        self.b = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.a(x), self.b(x)], 1)


def test_concatenating_block_names_its_merge_not_a_shortcut() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.Sequential(_Mixed(), nn.Conv2d(8, 4, 1), _Mixed()))
    view = build_view(import_fx(model, (3, 8, 8)), "block")
    assert block_summary(view, "1.0")[1] == "merge: concatenation of 2 branches"


def test_residual_block_keeps_its_shortcut() -> None:
    view = build_view(resgraph.load("resnet18"), "block")
    assert block_summary(view, "layer1.0")[1] == "shortcut: identity"
