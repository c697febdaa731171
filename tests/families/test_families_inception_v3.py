"""Inception v3 (specs/inception_v3.rg) against torchvision's module with its auxiliary
classifier: names, shapes, counts, MACs and published figures in eval and in training,
outputs in eval (the logits) and in training (torchvision's InceptionOutputs), the modules'
concatenated widths, and the parameters' domain."""

import pytest
import torch
import torchvision
from torchvision_families import check_refused_at_require, flop_counter_macs, on_meta, shapes

import resgraph
from resgraph.backends.tolerance import tolerance

# torchvision's builder without weights: aux_logits=True, transform_input=False
BUILT = {"aux_logits": True, "init_weights": True}
# torchvision 0.29's Inception_V3_Weights.IMAGENET1K_V1.meta: num_params (its weights keep
# the auxiliary classifier: the module's every parameter) and _ops (GMACs at 299x299, in eval)
PUBLISHED = (27_161_264, 5.713)


def training_macs(module: torch.nn.Module) -> int:
    """FlopCounterMode's MACs per sample in training mode, on a batch of two (batch norm in
    training refuses the auxiliary head's 1x1 map of a batch of one)."""
    counter = torch.utils.flop_counter.FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module.train()(torch.empty(2, 3, 299, 299, device="meta"))
    return counter.get_total_flops() // 2 // 2


def test_names_params_and_macs_in_eval_and_in_training_are_torchvisions():
    theirs = on_meta("inception_v3", **BUILT)
    assert shapes(resgraph.compile("inception_v3", device="meta")) == shapes(theirs)
    report = resgraph.analyze("inception_v3")
    assert report.training is not None
    assert report.training.params == PUBLISHED[0] == sum(p.numel() for p in theirs.parameters())
    # in eval the auxiliary classifier does not run: the figures of the module without it
    without = on_meta("inception_v3", aux_logits=False, init_weights=True)
    assert report.params == sum(p.numel() for p in without.parameters())
    assert report.macs == flop_counter_macs(theirs, 299) == flop_counter_macs(without, 299)
    assert round(report.macs / 1e9, 3) == PUBLISHED[1]
    assert report.training.macs == training_macs(theirs)


def test_loads_torchvision_weights_strictly_and_computes_the_same_in_both_modes():
    # dropout off, so that training mode is deterministic on both sides
    torch.manual_seed(0)
    theirs = torchvision.models.inception_v3(**BUILT, dropout=0.0)
    graph = resgraph.load("inception_v3", dropout_p=0.0)
    ours = resgraph.compile(graph)
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, 299, 299)
    with torch.no_grad():
        mine, their = ours.eval()(x), theirs.eval()(x)
        assert (mine - their).norm() / their.norm() <= tolerance(graph, "fp32")
        mine, their = ours.train()(x), theirs.train()(x)
    assert isinstance(mine, tuple) and len(mine) == len(their) == 2  # logits, aux_logits
    for a, b in zip(mine, their):
        assert (a - b).norm() / b.norm() <= tolerance(graph.training, "fp32")


def test_each_module_concatenates_table_1s_widths():
    # Table 1's grids: 35x35x288 after Figure 5's modules, 17x17x768 after Figure 6's,
    # 8x8x2048 after Figure 7's (torchvision's 5b's pool projection of 32: 256 first)
    graph = resgraph.load("inception_v3")
    outs = {st.name: graph.nodes[graph.blocks[st.blocks[-1]].output].shape
            for st in graph.stages}
    assert outs == {"mixed5": (288, 35, 35), "mixed6a": (768, 17, 17),
                    "mixed6": (768, 17, 17), "mixed7a": (1280, 8, 8), "mixed7": (2048, 8, 8)}
    first = graph.blocks[graph.stages[0].blocks[0]].output
    assert graph.nodes[first].shape == (256, 35, 35)


@pytest.mark.parametrize("setting,message", [
    ({"image": 298}, "image must be at least 299"),
    ({"dropout_p": 1.5}, "dropout_p must be between 0 and 1")])
def test_a_parameter_outside_its_domain_is_refused_at_its_require(setting, message):
    check_refused_at_require("inception_v3", setting, message)
