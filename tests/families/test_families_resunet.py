"""The residual U-Net (specs/resunet.rg) against a plain torch module written from the paper
(Zhang et al. 2018, Fig. 3 and Table I), not from the spec: names and shapes, weights loaded
strictly both ways, outputs in eval within the derived bound, parameter counts. No library
ships this network, so the module below is the reference, as torchvision's are for the other
families."""

import torch
from torch import nn
from torchvision_families import check_computes_as, shapes

import resgraph


class Unit(nn.Module):
    """He et al. 2016b's full pre-activation unit of two 3x3 convolutions with biases (the
    network's first without its leading BN and ReLU); the shortcut a 1x1 convolution and a BN,
    as the paper's Keras model has it."""

    def __init__(self, cin: int, out: int, stride: int = 1, first: bool = False) -> None:
        super().__init__()
        self.first = first
        if not first:
            self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, out, 3, stride, 1)
        self.bn2 = nn.BatchNorm2d(out)
        self.conv2 = nn.Conv2d(out, out, 3, 1, 1)
        self.shortcut = nn.Sequential(nn.Conv2d(cin, out, 1, stride, bias=False),
                                      nn.BatchNorm2d(out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        res = x if self.first else torch.relu(self.bn1(x))
        res = self.conv2(torch.relu(self.bn2(self.conv1(res))))
        return res + self.shortcut(x)


class Up(nn.Module):
    """A decoder level: nearest upsampling x2, concatenation with the encoder's level of that
    size (the upsampled map first), a residual unit."""

    def __init__(self, cin: int, skip: int, out: int) -> None:
        super().__init__()
        self.unit = Unit(cin + skip, out)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        up = nn.functional.interpolate(x, scale_factor=2, mode="nearest")
        return self.unit(torch.cat([up, skip], dim=1))


class ResUNet(nn.Module):
    """Encoder levels of base, 2 base, ... (each below the first halving the size), a bridge
    of twice the deepest width, a decoder level per encoder level, a 1x1 convolution and a
    sigmoid. Levels are one-module lists so their weights are named as the spec's stages."""

    def __init__(self, depth: int = 3, base: int = 64, classes: int = 1) -> None:
        super().__init__()
        widths = [base * 2 ** k for k in range(depth + 1)]
        self.depth = depth
        self.add_module("enc1", nn.ModuleList([Unit(3, base, first=True)]))
        for k in range(1, depth):
            self.add_module(f"enc{k + 1}", nn.ModuleList([Unit(widths[k - 1], widths[k], 2)]))
        self.bridge = nn.ModuleList([Unit(widths[depth - 1], widths[depth], 2)])
        for k in range(depth, 0, -1):
            self.add_module(f"dec{k}", nn.ModuleList([Up(widths[k], widths[k - 1],
                                                         widths[k - 1])]))
        self.out = nn.Conv2d(base, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for k in range(1, self.depth + 1):
            x = getattr(self, f"enc{k}")[0](x)
            skips.append(x)
        x = self.bridge[0](x)
        for k in range(self.depth, 0, -1):
            x = getattr(self, f"dec{k}")[0](x, skips[k - 1])
        return torch.sigmoid(self.out(x))


def test_names_and_shapes_and_params_are_the_papers():
    ours, theirs = resgraph.compile("resunet", device="meta"), ResUNet()
    assert shapes(ours) == shapes(theirs)
    params = sum(p.numel() for p in theirs.parameters())
    assert resgraph.analyze("resunet").params == params == 8_222_401


def test_weights_load_strictly_both_ways_and_compute_the_same():
    # at 64x64: the spec's upsampling is sized for its image, so both are built for it
    graph = resgraph.load("resunet", image=64)
    torch.manual_seed(0)
    theirs = ResUNet().eval()
    check_computes_as(graph, theirs, 64)
    theirs.load_state_dict(resgraph.compile(graph, seed=1).state_dict(), strict=True)


def test_the_small_variant_is_the_module_at_its_depth_and_width():
    torch.manual_seed(0)
    theirs = ResUNet(depth=2, base=32).eval()
    assert shapes(resgraph.compile("resunet_small", device="meta")) == shapes(theirs)
    check_computes_as(resgraph.load("resunet_small", image=32), theirs, 32)
