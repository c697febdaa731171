"""MnasNet 0.5/0.75/1.0/1.3 (specs/mnasnet.rg) against torchvision's modules: names, shapes,
counts, MACs, published figures, outputs, BN momentum, every counter's figure and the
multiplier's domain."""

import importlib
from pathlib import Path

import pytest
import torchvision
from torchvision_families import (
    bn_settings,
    check_names_params_and_macs,
    check_same_outputs,
    on_meta,
)

import resgraph

# torchvision 0.29's MNASNet*_Weights.IMAGENET1K_V1.meta: num_params, _ops (GMACs at 224)
PUBLISHED = {
    "mnasnet0_5": (2_218_512, 0.104), "mnasnet0_75": (3_170_208, 0.215),
    "mnasnet1_0": (4_383_312, 0.314), "mnasnet1_3": (6_282_256, 0.526),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    check_names_params_and_macs(name, on_meta(name), 224, PUBLISHED[name])


def test_loads_torchvision_weights_strictly_and_computes_the_same():
    check_same_outputs("mnasnet0_75", 64)


def test_bn_momentum_is_tensorflows_decay_as_torchvision_has_it():
    assert bn_settings(resgraph.compile("mnasnet1_0", device="meta")) == bn_settings(
        on_meta("mnasnet1_0"))


def test_every_counter_gives_the_spec_what_it_gives_torchvisions_module(monkeypatch):
    """torchvision pools by x.mean([2, 3]), a method call, which fvcore, thop, ptflops and
    DeepSpeed count unlike an nn.AdaptiveAvgPool2d: the spec's spatial_mean is that call, so
    each figure is the released library's on torchvision's module (the released counters as
    tests/imports runs them)."""
    monkeypatch.syspath_prepend(Path(__file__).resolve().parents[1] / "imports")
    released = importlib.import_module("test_imports_counters")._released(
        torchvision.models.mnasnet0_5().eval(), (3, 32, 32))
    figures = resgraph.analyze("mnasnet0_5", input_shape=(3, 32, 32)).conventions
    assert {k: figures[k] for k in released} == released


def test_a_multiplier_outside_its_domain_is_refused_at_its_require():
    with pytest.raises(resgraph.SpecError, match="alpha must be more than 0") as info:
        resgraph.load("mnasnet1_0", alpha=0.0)
    assert info.value.span.file.endswith("mnasnet.rg")
