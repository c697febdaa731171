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


class _Split(nn.Module):
    """InceptionE's branches: one layer, a layer split in two, pooling then a layer."""

    def __init__(self) -> None:
        super().__init__()
        self.one = nn.Conv2d(4, 4, 1)
        self.reduce = nn.Conv2d(4, 4, 1)
        self.wide = nn.Conv2d(4, 4, (1, 3), padding=(0, 1))
        self.tall = nn.Conv2d(4, 4, (3, 1), padding=(1, 0))
        self.pool_proj = nn.Conv2d(4, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = torch.relu(self.reduce(x))
        split = torch.cat([self.wide(r), self.tall(r)], 1)
        pooled = self.pool_proj(nn.functional.avg_pool2d(x, 3, 1, 1))
        return torch.cat([self.one(x), split, pooled], 1)


class _Dense(nn.Module):
    """DenseNet's layers: each reads what the ones before it made, so no branch is its own."""

    def __init__(self) -> None:
        super().__init__()
        self.l1 = nn.Conv2d(4, 2, 3, padding=1)
        self.l2 = nn.Conv2d(6, 2, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y1 = self.l1(x)
        return torch.cat([x, y1, self.l2(torch.cat([x, y1], 1))], 1)


def _block(module: nn.Module) -> tuple[str, str]:
    view = build_view(import_fx(nn.Sequential(nn.Conv2d(3, 4, 1), nn.Sequential(module)),
                                (3, 8, 8)), "block")
    return block_summary(view, "1.0")


def test_multi_branch_block_names_its_branches() -> None:
    assert _block(_Mixed()) == ("branches: 1x1 · 3x3", "merge: concatenation of 2 branches")
    assert _block(_Split()) == ("branches: 1x1 · 1x1→(1x3 | 3x1) · pool→1x1",
                                "merge: concatenation of 3 branches")
    body, merge = _block(_Dense())
    assert not body.startswith("branches") and merge == "merge: concatenation × 2"


def test_googlenet_blocks_and_stages() -> None:
    import torchvision.models as tvm

    with torch.device("meta"):
        model = tvm.googlenet(init_weights=False).eval()
    view = build_view(import_fx(model, (3, 64, 64)), "block")
    assert block_summary(view, "inception3a")[0] == "branches: 1x1 · 1x1→3x3 · 1x1→3x3 · pool→1x1"
    assert [s.name for s in view.graph.stages] == ["inception3a–b", "inception4a–e",
                                                  "inception5a–b"]
