"""The parity rule: what each op adds, how it adds up through a network, and that it is the
rule the harness checks by. Whether real backends stay within it is what the parity tests of
the export and the backends check, against float64."""

import math

import pytest

import resgraph
from resgraph.backends.tolerance import (
    ARITHMETIC,
    FP32,
    LAMBDA,
    error_bound,
    op_variance,
    terms,
    tolerance,
)

U32 = 2.0**-24


@pytest.fixture(scope="module")
def resnet18():
    return resgraph.load("resnet18")


def test_each_op_sums_the_terms_its_outputs_are_made_of(resnet18):
    nodes = resnet18.nodes
    assert terms(nodes["conv1"], resnet18) == 3 * 7 * 7
    assert terms(nodes["layer4.1.conv2"], resnet18) == 512 * 3 * 3
    assert terms(nodes["fc"], resnet18) == 512
    pool = next(n for n in resnet18 if n.op == "global_avgpool")
    assert terms(pool, resnet18) == 7 * 7
    relu = next(n for n in resnet18 if n.op == "relu")
    assert terms(relu, resnet18) == 1 and terms(resnet18.input, resnet18) == 0


def test_an_op_adds_accumulation_storage_and_weight_rounding(resnet18):
    conv = resnet18.nodes["layer4.1.conv2"]
    assert op_variance(conv, resnet18, FP32) == pytest.approx((4608 + 2) * U32**2)
    tf32 = op_variance(conv, resnet18, ARITHMETIC["tf32"])
    assert tf32 == pytest.approx((4608 + 2) * U32**2 + 2 * 2.0**-22)
    relu = next(n for n in resnet18 if n.op == "relu")
    assert op_variance(relu, resnet18, ARITHMETIC["fp16"]) == pytest.approx(
        U32**2 + 2.0**-22)


def test_the_bound_is_lambda_sigma_along_the_worst_path():
    chain = resgraph.load(resgraph.Source(
        "resgraph 1\nnetwork chain\ninput 4x2x2\nstem {\n  conv(1, 4) -> relu\n}\n"))
    conv, relu = (n for n in chain if n.op != "input")
    expected = LAMBDA * math.sqrt((4 + 2) * U32**2 + 2 * U32**2)
    assert (conv.op, relu.op) == ("conv", "relu")
    assert error_bound(chain) == pytest.approx(expected)


def test_deeper_and_coarser_means_a_larger_bound():
    depths = [error_bound(resgraph.load(f"cifar_resnet{n}")) for n in (20, 56, 110)]
    assert depths == sorted(depths) and len(set(depths)) == 3
    graph = resgraph.load("resnet50")
    bounds = [error_bound(graph, p) for p in ("fp32", "tf32", "fp16", "bf16")]
    assert bounds == sorted(bounds) and bounds[-1] < 1  # still tells right from wrong


def test_against_an_fp32_reference_both_bounds_add(resnet18):
    assert tolerance(resnet18, "fp16") == error_bound(resnet18, "fp16") + error_bound(resnet18)
    assert tolerance(resnet18) == 2 * error_bound(resnet18)
