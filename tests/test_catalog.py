"""The catalog of shipped networks, and the torchvision names and state_dicts of its ResNets.

Parameter counts and MACs against their published figures are checked once, in
tests/analysis/test_analysis_published.py.
"""

import pytest
import torch

import resgraph
from resgraph.catalog import catalog

# torchvision.models documentation: the number of state_dict entries of each weights entry
# (a checkpoint loads with strict=True only if resgraph's module has exactly these).
STATE_DICT_ENTRIES = {"resnet18": 122, "resnet34": 218, "resnet50": 320, "resnet101": 626,
                      "resnet152": 932, "resnext50_32x4d": 320, "resnext101_32x8d": 626,
                      "wide_resnet50_2": 320}


@pytest.mark.parametrize(("name", "entries"), STATE_DICT_ENTRIES.items())
def test_state_dicts_have_torchvisions_entries(name, entries):
    assert len(resgraph.compile(name, device="meta").state_dict()) == entries


def test_every_shipped_name_loads_and_has_a_source():
    entries = catalog()
    expected = {"resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet18_v1",
                "resnet34_v1", "resnet50_v1", "resnet101_v1", "resnet152_v1", "resnext50_32x4d",
                "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
                "resnet50d", "se_resnet50", "cifar_resnet20", "cifar_resnet32", "cifar_resnet44",
                "cifar_resnet56", "cifar_resnet110", "cifar_resnet1202", "preact_resnet164",
                "preact_resnet1001"}
    assert expected <= set(entries)
    for e in entries.values():
        assert e.source, e.name


def test_v1_moves_the_stride_to_the_first_1x1():
    v15 = resgraph.load("resnet50")
    v1 = resgraph.load("resnet50_v1")
    assert v15.nodes["layer2.0.conv2"].attrs["stride"] == (2, 2)
    assert v1.nodes["layer2.0.conv1"].attrs["stride"] == (2, 2)
    assert v1.nodes["layer2.0.conv2"].attrs["stride"] == (1, 1)


def test_torchvision_module_names():
    names = set(dict(resgraph.compile("resnet50", device="meta").named_modules()))
    for expected in ("conv1", "bn1", "layer1.0.conv1", "layer1.0.downsample.0",
                     "layer1.0.downsample.1", "layer4.2.bn3", "fc"):
        assert expected in names
    sd = resgraph.compile("resnet18", device="meta").state_dict()
    assert tuple(sd["layer2.0.downsample.0.weight"].shape) == (128, 64, 1, 1)
    assert tuple(sd["fc.weight"].shape) == (1000, 512)
    assert sd["bn1.num_batches_tracked"].dtype == torch.long
