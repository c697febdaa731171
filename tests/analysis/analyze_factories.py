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


def tiny_vit() -> nn.Module:
    """torchvision's ViT at a reduced size (two layers of width 32 on 32x32 images): its
    nn.MultiheadAttention, layer norms over the last dimension, GELU MLP and class token."""
    from torchvision.models.vision_transformer import VisionTransformer

    return VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4,
                             hidden_dim=32, mlp_dim=64, num_classes=10)


class TinyFPN(nn.Module):
    """A feature pyramid's top-down path: coarse maps brought up by F.interpolate (nearest,
    by scale and by size) and nn.Upsample (bilinear, by a size of one number), added to
    lateral 1x1 convolutions; the levels mixed by einsum with a parameter and pooled by an
    einsum of two maps."""

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(3, width, 3, padding=1)
        self.c2 = nn.Conv2d(width, 2 * width, 3, stride=2, padding=1)
        self.c3 = nn.Conv2d(2 * width, 4 * width, 3, stride=2, padding=1)
        self.lat2 = nn.Conv2d(2 * width, width, 1)
        self.lat3 = nn.Conv2d(4 * width, width, 1)
        self.up = nn.Upsample(size=16, mode="bilinear", align_corners=False)
        self.mix = nn.Parameter(torch.zeros(2 * width, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f1 = F.relu(self.c1(x))
        f2 = F.relu(self.c2(f1))
        p3 = self.lat3(F.relu(self.c3(f2)))
        p2 = self.lat2(f2) + F.interpolate(p3, scale_factor=2, mode="nearest")
        p1 = f1 + self.up(p2) + F.interpolate(p3, size=(16, 16))
        mixed = torch.einsum("bchw,oc->bohw", p1, self.mix)
        return torch.einsum("bohw,bchw->boc", mixed, p1).flatten(1)


def tiny_fpn() -> nn.Module:
    return TinyFPN()


class CrossAttention(nn.Module):
    """nn.MultiheadAttention as many models outside torchvision call it: query from one map,
    key and value from another of other widths (kdim, vdim), the weights computed (the
    default need_weights) though unused. Contiguous inputs, as after a layer norm: torch
    folds a linear layer's bias into its product (aten.addmm) only on those."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.b = nn.Conv2d(3, 8, 3, stride=4, padding=1)
        self.attn = nn.MultiheadAttention(16, 2, kdim=8, vdim=8, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q = self.a(x).flatten(2).transpose(1, 2).contiguous()
        kv = self.b(x).flatten(2).transpose(1, 2).contiguous()
        out, _ = self.attn(q, kv, kv)
        return out.mean(1)


def cross_attention() -> nn.Module:
    return CrossAttention()


class FunctionalLayerNorm(nn.Module):
    """A layer norm written with F.layer_norm and its own parameters (timm's, Swin's), its
    normalised shape read from the input (``x.shape[-1]``)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias)


class TokenNorms(nn.Module):
    """Layer norms over the last dimension of (N, L, C) tokens: a module, a function with
    parameters and one without."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(3, 8)
        self.norm = FunctionalLayerNorm(8)
        self.final = nn.LayerNorm(8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.proj(x.flatten(2).transpose(1, 2).contiguous())  # see CrossAttention
        return self.final(F.layer_norm(self.norm(tokens), (8,)))


def token_norms() -> nn.Module:
    return TokenNorms()


class LeakyNet(nn.Module):
    """CSPNet's activation as a module (nn.LeakyReLU, a slope of its own) and as a function."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.act = nn.LeakyReLU(0.1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.nn.functional.leaky_relu(self.act(self.conv(x)))
        return self.fc(x.mean([2, 3]))


def leaky_net() -> nn.Module:
    return LeakyNet()
