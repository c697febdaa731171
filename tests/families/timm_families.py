"""What the families checked against timm share: its module built without weights, and the
names, shapes, parameter count and MACs (FlopCounterMode / 2) of a variant against it."""

import timm
import torch
from torchvision_families import flop_counter_macs, shapes

import resgraph


def timm_model(name: str, device: str = "cpu", **kwargs) -> torch.nn.Module:
    """timm's module ``name`` (its builder given kwargs), random weights, in eval."""
    with torch.device(device):
        return timm.create_model(name, pretrained=False, **kwargs).eval()


def check_timm_variant(name: str) -> None:
    """Our module has timm's state_dict names and shapes; `analyze` gives its parameter
    count and FlopCounterMode's MACs at the variant's own resolution."""
    theirs = timm_model(name, "meta")
    assert shapes(resgraph.compile(name, device="meta")) == shapes(theirs)
    report = resgraph.analyze(name)
    assert report.params == sum(p.numel() for p in theirs.parameters())
    assert report.macs == flop_counter_macs(theirs, resgraph.load(name).input_shape[1])
