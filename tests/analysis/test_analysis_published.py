"""The figures published for the shipped networks, typed here with their sources, against the
golden reports (tests/golden/analysis/, which test_analysis_golden.py holds equal to what
resgraph computes). MACs are multiply-accumulates of conv and linear layers at batch 1, the
figure torchvision calls GFLOPS and the ResNet paper calls FLOPs ("multiply-adds")."""

from __future__ import annotations

import math

import pytest
from test_analysis_golden import golden

# torchvision.models documentation: num_params and GFLOPS (its MACs) of each weights entry
# (v1.5: the stride on the bottleneck's 3x3), exact as its model builders count them.
TORCHVISION = {
    "resnet18": (11_689_512, 1_814_073_344), "resnet34": (21_797_672, 3_663_761_408),
    "resnet50": (25_557_032, 4_089_184_256), "resnet101": (44_549_160, 7_801_405_440),
    "resnet152": (60_192_808, 11_513_626_624), "resnext50_32x4d": (25_028_904, 4_230_479_872),
    "resnext101_32x8d": (88_791_336, 16_414_015_488),
    "wide_resnet50_2": (68_883_240, 11_398_021_120),
}
# torchvision.models documentation: num_params, and GFLOPS as printed (two decimals).
TORCHVISION_ROUNDED = {"resnext101_64x4d": (83_455_272, 15.46),
                       "wide_resnet101_2": (126_886_696, 22.75)}
# timm model cards: resnet50d and seresnet50 parameters.
TIMM = {"resnet50d": 25_576_264, "se_resnet50": 28_088_024}
# He, Zhang, Ren, Sun, Deep Residual Learning for Image Recognition, CVPR 2016, Table 1: FLOPs
# (multiply-adds) of the ImageNet networks, stride on the first 1x1 (resgraph's _v1), printed
# with one decimal, which the table rounds or truncates (3.66 is printed 3.6, 7.57 is 7.6).
HE2016_TABLE1 = {"resnet18_v1": 1.8e9, "resnet34_v1": 3.6e9, "resnet50_v1": 3.8e9,
                 "resnet101_v1": 7.6e9, "resnet152_v1": 11.3e9}
# the same paper, Table 6: CIFAR-10 networks with option-A shortcuts: layers (6n + 2 for n
# blocks per stage) and parameters as printed (0.27M, 1.7M).
HE2016_TABLE6 = {20: 0.27e6, 32: 0.46e6, 44: 0.66e6, 56: 0.85e6, 110: 1.7e6, 1202: 19.4e6}
# He, Zhang, Ren, Sun, Identity Mappings in Deep Residual Networks, ECCV 2016, pre-activation
# networks on CIFAR: parameters as printed. The paper's 10.2M is 1.3% below the 10.33M
# resgraph and PyTorch count for ResNet-1001.
HE2016B = {"preact_resnet164": (1.7e6, 0.05e6), "preact_resnet1001": (10.2e6, 0.15e6)}


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_torchvision_params_and_macs(name: str) -> None:
    report = golden(name)
    assert (report["params"], report["macs"]) == TORCHVISION[name]


@pytest.mark.parametrize("name", sorted(TORCHVISION_ROUNDED))
def test_torchvision_params_and_rounded_gflops(name: str) -> None:
    params, gflops = TORCHVISION_ROUNDED[name]
    report = golden(name)
    assert report["params"] == params and round(report["macs"] / 1e9, 2) == gflops


@pytest.mark.parametrize("name", sorted(TIMM))
def test_timm_params(name: str) -> None:
    assert golden(name)["params"] == TIMM[name]


@pytest.mark.parametrize("name", sorted(HE2016_TABLE1))
def test_resnet_paper_flops(name: str) -> None:
    assert abs(golden(name)["macs"] - HE2016_TABLE1[name]) < 0.1e9


@pytest.mark.parametrize("layers", sorted(HE2016_TABLE6))
def test_resnet_paper_cifar_layers_and_params(layers: int) -> None:
    report = golden(f"cifar_resnet{layers}")
    printed = HE2016_TABLE6[layers]
    digits = 2 if printed < 1e6 else 1
    assert report["paths"]["nominal_depth"] == layers
    assert round(report["params"] / 1e6, digits) == pytest.approx(printed / 1e6)


@pytest.mark.parametrize("layers", sorted(HE2016_TABLE6))
def test_veit_paths_through_k_residual_branches(layers: int) -> None:
    # Veit, Wilber, Belongie, Residual Networks Behave Like Ensembles of Relatively Shallow
    # Networks, NeurIPS 2016: n blocks give 2^n paths, C(n, k) of them through k branches.
    blocks = 3 * (layers - 2) // 6
    branches = golden(f"cifar_resnet{layers}")["paths"]["branches"]
    assert branches["total"] == str(2**blocks)
    assert branches["counts"] == {str(k): str(math.comb(blocks, k)) for k in range(blocks + 1)}


@pytest.mark.parametrize("name", sorted(HE2016B))
def test_preactivation_paper_params(name: str) -> None:
    printed, within = HE2016B[name]
    assert abs(golden(name)["params"] - printed) < within
