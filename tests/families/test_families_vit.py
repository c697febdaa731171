"""The Vision Transformer (specs/vit.rg) against torchvision's modules: names, shapes,
parameters, MACs (FlopCounterMode's, torchvision's published and the paper's by hand), outputs,
another resolution, and the domains of patch and heads."""

import pytest
import torch
import torchvision
from torchvision_families import (
    check_computes_as,
    check_names_params_and_macs,
    check_refused_at_require,
    on_meta,
    shapes,
)

import resgraph

# torchvision 0.29's ViT_*_Weights meta at 224x224: num_params, _ops (its "GFLOPS", GMACs);
# ViT-H/14's from IMAGENET1K_SWAG_LINEAR_V1, the one of its weights at 224
PUBLISHED = {
    "vit_b_16": (86_567_656, 17.564), "vit_b_32": (88_224_232, 4.409),
    "vit_l_16": (304_326_632, 61.555), "vit_l_32": (306_535_400, 15.378),
    "vit_h_14": (632_045_800, 167.295),
}
# (patch, layers, hidden, mlp_dim) of Dosovitskiy et al. 2021, Table 1
TABLE_1 = {"vit_b_16": (16, 12, 768, 3072), "vit_l_16": (16, 24, 1024, 4096),
           "vit_h_14": (14, 32, 1280, 5120)}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_variant_has_torchvision_names_params_and_macs(name):
    check_names_params_and_macs(name, on_meta(name), 224, PUBLISHED[name])


@pytest.mark.parametrize("name", list(TABLE_1))
def test_macs_are_the_transformer_s_by_hand(name):
    """N tokens of E features, MLP width M: per block the four projections 4·N·E², q·kᵀ and
    the weights times v 2·N²·E, the MLP 2·N·E·M; the patch embedding (224/p)²·E·3p², the
    head E·1000."""
    patch, layers, e, m = TABLE_1[name]
    patches = (224 // patch) ** 2
    n = patches + 1
    block = 4 * n * e * e + 2 * n * n * e + 2 * n * e * m
    assert resgraph.analyze(name).macs == layers * block + patches * e * 3 * patch ** 2 + e * 1000


def with_random_head(name, **kwargs):
    """torchvision's module with its random initialisation, but the head drawn too
    (torchvision starts it at zero, which would make every output 0)."""
    torch.manual_seed(0)
    theirs = getattr(torchvision.models, name)(**kwargs).eval()
    torch.nn.init.normal_(theirs.heads.head.weight, std=0.02)
    return theirs


def test_loads_torchvision_weights_strictly_and_computes_the_same():
    check_computes_as(resgraph.load("vit_b_32"), with_random_head("vit_b_32"), 224)


def test_another_resolution_is_torchvision_s_image_size():
    """At 384 (SWAG's ViT-B/16): 577 tokens, and the published 86,859,496 parameters and
    55.484 GMACs of ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1."""
    graph = resgraph.load("vit_b_16", image=384)
    theirs = on_meta("vit_b_16", image_size=384)
    assert shapes(resgraph.compile(graph, device="meta")) == shapes(theirs)
    report = resgraph.analyze(graph)
    assert report.params == 86_859_496
    assert round(report.macs / 1e9, 3) == 55.484
    assert graph.nodes["encoder.pos_embedding"].shape == (577, 768)


def test_compiles_to_one_multihead_attention_per_block_with_torch_s_names():
    module = resgraph.compile("vit_b_32", device="meta")
    attention = [m for m in module.modules() if isinstance(m, torch.nn.MultiheadAttention)]
    assert len(attention) == 12 and {m.num_heads for m in attention} == {12}
    assert "encoder.layers.encoder_layer_0.self_attention.in_proj_weight" in module.state_dict()


def test_the_compiled_spec_imports_back_to_the_same_graph():
    """Its class token, position embedding and heads' attention read back as the spec writes
    them (the position embedding's std from its 38,400 weights drawn with 0.02)."""
    graph = resgraph.load("vit_b_32", layers=2)
    module = resgraph.compile(graph).eval()
    imported = resgraph.analyze(module, input_shape=(3, 224, 224), strict=True).graph
    assert [(n.op, n.attrs, n.shape) for n in imported] == [(n.op, n.attrs, n.shape) for n in graph]


@pytest.mark.parametrize(("params", "message"), [
    ({"hidden": 100, "heads": 12}, "hidden must be a multiple of heads"),
    ({"patch": 15}, "image must be a multiple of patch"),
])
def test_a_size_outside_the_domain_is_refused_at_its_require(params, message):
    check_refused_at_require("vit_b_16", params, message)
