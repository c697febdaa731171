"""GoogLeNet (specs/googlenet.rg) against torchvision's module with its auxiliary classifiers:
names, shapes, counts, MACs, published figures and outputs in eval (the logits alone) and in
training (the logits and both auxiliary heads', torchvision's GoogLeNetOutputs), the paths
the auxiliary heads shorten, the inception modules' concatenated widths, and the parameters'
domain."""

import pytest
import torch
import torchvision
from torchvision.models import GoogLeNet
from torchvision_families import (
    check_refused_at_require,
    check_same_outputs,
    flop_counter_macs,
    on_meta,
    shapes,
)

import resgraph
from resgraph.backends.tolerance import tolerance

# torchvision's builder without weights keeps the auxiliary classifiers (aux_logits=True);
# init_weights as torchvision's without weights
BUILT = {"aux_logits": True, "init_weights": True}
# torchvision 0.29's GoogLeNet_Weights.IMAGENET1K_V1.meta: num_params, _ops (its "GFLOPS",
# GMACs at 224x224): of the network without the auxiliary classifiers, which its weights
# drop, as the analysis counts the network in eval
PUBLISHED = (6_624_904, 1.498)


def test_names_params_and_macs_in_eval_and_in_training_are_torchvisions():
    theirs = on_meta("googlenet", **BUILT)
    assert shapes(resgraph.compile("googlenet", device="meta")) == shapes(theirs)
    report = resgraph.analyze("googlenet")
    # in eval torchvision runs no auxiliary head: the figures of the module without them
    without = on_meta("googlenet", aux_logits=False, init_weights=True)
    assert report.params == PUBLISHED[0] == sum(p.numel() for p in without.parameters())
    assert report.macs == flop_counter_macs(theirs, 224) == flop_counter_macs(without, 224)
    assert round(report.macs / 1e9, 3) == PUBLISHED[1]
    assert report.training is not None
    assert report.training.params == sum(p.numel() for p in theirs.parameters())
    assert report.training.macs == flop_counter_macs(theirs.train(), 224)


def test_loads_torchvision_weights_strictly_and_computes_the_same_in_eval():
    check_same_outputs("googlenet", 64, **BUILT)


def test_computes_torchvisions_three_outputs_in_training():
    # dropout off on both sides, so that training mode is deterministic (batch norm then
    # normalises by the batch's statistics, the same on both)
    torch.manual_seed(0)
    theirs = torchvision.models.googlenet(**BUILT, dropout=0.0, dropout_aux=0.0).train()
    graph = resgraph.load("googlenet", dropout_p=0.0, dropout_aux=0.0)
    ours = resgraph.compile(graph).train()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        mine, their = ours(x), theirs(x)
    assert isinstance(mine, tuple) and len(mine) == len(their) == 3  # logits, aux2, aux1
    for a, b in zip(mine, their):
        assert (a - b).norm() / b.norm() <= tolerance(graph.training, "fp32")
    assert isinstance(ours.eval()(x), torch.Tensor)


def test_the_auxiliary_heads_shorten_the_gradients_paths():
    # Section 5: the heads are there to "increase the gradient signal that gets propagated
    # back": paths to aux1 (on 4a) and aux2 (on 4d) are shorter than those to the logits
    training = resgraph.analyze("googlenet").training
    assert training is not None
    ranges = {k: (d.shortest, d.longest) for k, d in training.paths_by_output.items()}
    assert list(ranges) == ["logits", "aux2", "aux1"]
    assert ranges["aux1"][1] < ranges["aux2"][1] < ranges["logits"][1]
    assert ranges["aux1"][0] < ranges["aux2"][0] < ranges["logits"][0]


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
        theirs = GoogLeNet(**BUILT)
    ours = resgraph.compile("googlenet", device="meta", branch3_kernel=5)
    assert shapes(ours).keys() == shapes(theirs).keys()
    for name, shape in shapes(ours).items():
        want = shapes(theirs)[name]
        assert shape == (want[:2] + (5, 5) if ".branch3.1.conv." in name else want)


@pytest.mark.parametrize("setting,message", [
    ({"branch3_kernel": 7}, "branch3_kernel must be 3"),
    ({"dropout_p": 2.0}, "dropout_p must be between 0 and 1"),
    ({"dropout_aux": -0.1}, "dropout_aux must be between 0 and 1")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("googlenet", setting, message)
