"""GoogLeNet (specs/googlenet.rg) against torchvision's module as in eval, without its
auxiliary classifiers: names, shapes, counts, MACs, published figures and outputs, the
inception modules' concatenated widths, and the parameters' domain."""

import pytest
import torch
from torchvision.models import GoogLeNet
from torchvision_families import (
    check_names_params_and_macs,
    check_refused_at_require,
    check_same_outputs,
    on_meta,
    shapes,
)

import resgraph

# the auxiliary classifiers run only in training: torchvision's weights drop them
# (aux_logits=False) unless asked for; init_weights as torchvision's without weights
EVAL = {"aux_logits": False, "init_weights": True}
# torchvision 0.29's GoogLeNet_Weights.IMAGENET1K_V1.meta: num_params, _ops (its "GFLOPS",
# GMACs at 224x224)
PUBLISHED = (6_624_904, 1.498)


def test_names_params_and_macs_are_torchvisions():
    check_names_params_and_macs("googlenet", on_meta("googlenet", **EVAL), 224, PUBLISHED)


def test_loads_torchvision_weights_strictly_and_computes_the_same():
    check_same_outputs("googlenet", 64, **EVAL)


def test_each_inception_module_concatenates_its_four_branches_as_table_1():
    # Table 1's output sizes: 256, 480 (3a, 3b), 512, 512, 512, 528, 832 (4a-4e), 832, 1024
    graph = resgraph.load("googlenet")
    blocks = [b for st in graph.stages if st.name.startswith("inception") for b in st.blocks]
    concats = [n for n in graph if n.op == "concat"]
    assert [n.block for n in concats] == blocks
    assert [len(n.inputs) for n in concats] == [4] * 9
    assert [n.shape[0] for n in concats] == [256, 480, 512, 512, 512, 528, 832, 832, 1024]


def test_the_papers_5x5_branch_is_a_parameter():
    with torch.device("meta"):
        theirs = GoogLeNet(aux_logits=False, init_weights=True)
    ours = resgraph.compile("googlenet", device="meta", branch3_kernel=5)
    assert shapes(ours).keys() == shapes(theirs).keys()
    for name, shape in shapes(ours).items():
        want = shapes(theirs)[name]
        assert shape == (want[:2] + (5, 5) if ".branch3.1.conv." in name else want)


@pytest.mark.parametrize("setting,message", [
    ({"branch3_kernel": 7}, "branch3_kernel must be 3"),
    ({"dropout_p": 2.0}, "dropout_p must be between 0 and 1")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("googlenet", setting, message)
