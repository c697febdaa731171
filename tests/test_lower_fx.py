"""lower_fx: the GraphModule runs, re-traces, exports, and equals an independent ResNet."""

import pytest
import torch
from torchvision_resnet import TINY_SPEC, randomise_bn, resnet50, tiny

import resgraph
from resgraph.lower_fx import lower_fx


def test_forward_equals_an_independent_implementation():
    torch.manual_seed(0)
    ref = randomise_bn(tiny(2, 1))
    gm = resgraph.compile(TINY_SPEC, d1=2).eval()
    gm.load_state_dict(ref.eval().state_dict(), strict=True)
    x = torch.randn(2, 3, 16, 16)
    torch.testing.assert_close(gm(x), ref(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name, kwargs", [
    ("resnet50", {}),
    ("resnext50_32x4d", {"groups": 32, "width_per_group": 4}),
    ("wide_resnet50_2", {"width_per_group": 128}),
])
def test_torchvision_weights_load_by_name_and_compute_the_same(name, kwargs):
    """A torchvision checkpoint loads with strict=True, no renaming, and gives the same output."""
    ref = randomise_bn(resnet50(**kwargs)).eval()
    gm = resgraph.compile(name).eval()
    gm.load_state_dict(ref.state_dict(), strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(gm(x), ref(x), rtol=1e-4, atol=1e-4)


def test_meta_device_builds_without_memory():
    gm = resgraph.compile("resnet152", device="meta")
    assert all(p.is_meta for p in gm.parameters())


def test_symbolic_trace_and_export_and_meta_keys():
    gm = resgraph.compile("cifar_resnet20").eval()
    x = torch.randn(2, 3, 32, 32)
    retraced = torch.fx.symbolic_trace(gm)
    torch.testing.assert_close(retraced(x), gm(x))
    program = torch.export.export(gm, (x,))
    torch.testing.assert_close(program.module()(x), gm(x))
    convs = [n for n in gm.graph.nodes if n.meta.get("resgraph.op") == "conv"]
    assert convs[0].meta["resgraph.scope"] == "conv1"
    assert convs[0].meta["resgraph.span"].file == "specs/cifar_resnet.rg"


def test_option_a_shortcut_is_parameter_free_and_pads():
    gm = resgraph.compile("cifar_resnet20").eval()
    assert not any("downsample" in name for name, _ in gm.named_parameters())
    y = gm(torch.randn(1, 3, 32, 32))
    assert y.shape == (1, 10)


def test_zero_init_last_bn():
    gm = resgraph.compile("resnet18", zero_init=True)
    assert torch.count_nonzero(gm.get_submodule("layer1.0.bn2").weight) == 0
    assert torch.count_nonzero(gm.get_submodule("layer1.0.bn1").weight) > 0


def test_torch_compile_traces_the_module():
    # aot_eager runs dynamo and AOTAutograd without generating C++, so the test stays fast;
    # the benchmarks run inductor.
    gm = resgraph.compile(TINY_SPEC).eval()
    x = torch.randn(2, 3, 16, 16)
    compiled = torch.compile(gm, backend="aot_eager", fullgraph=True)
    torch.testing.assert_close(compiled(x), gm(x))


def test_seed_gives_the_same_weights_and_leaves_the_global_rng_alone():
    graph = resgraph.load(TINY_SPEC)
    torch.manual_seed(1)
    expected_next = torch.rand(1)
    torch.manual_seed(1)
    a, b = lower_fx(graph, seed=3), lower_fx(graph, seed=3)
    assert torch.rand(1) == expected_next
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                 b.state_dict().values(), strict=True))
    assert not torch.equal(a.conv1.weight, lower_fx(graph, seed=4).conv1.weight)


NEW_OPS = """resgraph 1
network t
input 4x6x6
stem {
  a: relu6 -> b: silu -> c: hardswish -> d: hardsigmoid -> e: gelu
  norm: layernorm -> drop: dropout(0.2) -> sd: stochastic_depth(0.5)
}
"""


def test_new_ops_lower_to_torch_and_are_the_identity_in_eval():
    import torch.nn.functional as F
    from torchvision.models.convnext import LayerNorm2d

    gm = resgraph.compile(resgraph.Source(NEW_OPS)).eval()
    ref = LayerNorm2d(4, eps=1e-6)
    ref.load_state_dict({k.removeprefix("norm."): v for k, v in gm.state_dict().items()})
    x = torch.randn(3, 4, 6, 6)
    want = ref(F.gelu(F.hardsigmoid(F.hardswish(F.silu(F.relu6(x))))))
    assert torch.equal(gm(x), want)
    gm.train()
    torch.manual_seed(0)
    assert not torch.equal(gm(x), want)  # dropout and stochastic depth act in training
    assert set(dict(gm.named_modules())) >= {"norm", "drop", "sd"}


def test_new_ops_costs():
    g = resgraph.load(resgraph.Source(NEW_OPS))
    per = {n.name: n.opdef.flops(n.attrs, [g.nodes[i].shape for i in n.inputs], n.shape)
           for n in g if n.op != "input"}
    assert per == {"a": 288, "b": 720, "c": 720, "d": 576, "e": 720, "norm": 1008, "drop": 0,
                   "sd": 0}
    assert g.nodes["norm"].opdef.params({}, [(4, 6, 6)]) == {"weight": (4,), "bias": (4,)}


BN_EPS = """resgraph 1
network bn_eps
input 4x5x5
stem {
  a: bn(eps=1e-3, momentum=0.01) -> b: bn
}
"""


def test_bn_takes_torchs_eps_and_momentum_and_says_only_what_the_spec_chose():
    g = resgraph.load(resgraph.Source(BN_EPS))
    assert g.nodes["a"].attrs == {"zero_init": False, "eps": 1e-3, "momentum": 0.01}
    assert g.nodes["b"].attrs == {"zero_init": False}  # torch's defaults, left implicit
    gm = resgraph.compile(resgraph.Source(BN_EPS))
    assert (gm.a.eps, gm.a.momentum, gm.b.eps, gm.b.momentum) == (1e-3, 0.01, 1e-5, 0.1)
    with pytest.raises(resgraph.SpecError, match="'bn' argument 'eps' must be at most 1"):
        resgraph.load(resgraph.Source(BN_EPS.replace("1e-3", "2.0")))


CONVNEXT_OPS = """resgraph 1
network cl
input 4x3x5
stem {
  fc: channel_linear(6) -> scale: layer_scale(0.5)
}
"""


def test_channel_linear_and_layer_scale_are_torchvisions_linear_and_parameter():
    gm = resgraph.compile(resgraph.Source(CONVNEXT_OPS))
    assert {k: tuple(v.shape) for k, v in gm.state_dict().items()} == {
        "fc.weight": (6, 4), "fc.bias": (6,), "scale": (6, 1, 1)}
    x = torch.randn(2, 4, 3, 5)
    want = torch.nn.functional.linear(x.permute(0, 2, 3, 1), gm.fc.weight, gm.fc.bias)
    torch.testing.assert_close(gm(x), 0.5 * want.permute(0, 3, 1, 2))
    report = resgraph.analyze(resgraph.Source(CONVNEXT_OPS))
    assert (report.params, report.macs) == (4 * 6 + 6 + 6, 3 * 5 * 4 * 6)


@pytest.mark.parametrize("name", ["resnet152", "efficientnet_b0", "convnext_tiny"])
def test_layers_copied_on_meta_are_the_layers_constructed(name):
    graph = resgraph.load(name)
    meta, cpu = lower_fx(graph, "meta"), lower_fx(graph, "cpu", seed=0)

    def layers(gm):
        return [(path, type(m), {k: v for k, v in vars(m).items() if not k.startswith("_")},
                 [(k, t.shape, t.dtype, t.requires_grad)
                  for k, t in [*m.named_parameters(recurse=False), *m.named_buffers(recurse=False)]])
                for path, m in gm.named_modules() if path]

    assert layers(meta) == layers(cpu)
    tensors = [id(t) for t in [*meta.parameters(), *meta.buffers()]]
    assert len(set(tensors)) == len(tensors)  # no two layers share a tensor
    convs = [m for m in meta.modules() if isinstance(m, torch.nn.Conv2d)]
    convs[1].register_forward_hook(lambda *a: None)
    assert [bool(c._forward_hooks) for c in convs].count(True) == 1  # nor a hook
    meta.to_empty(device="cpu").load_state_dict(cpu.state_dict(), strict=True)


def test_attention_of_heads_folded_into_the_last_side_splits_them() -> None:
    """Not the import's nn.MultiheadAttention group (no q_proj, ...): the heads are split
    off the last side, attended apart and put side by side again."""
    spec = resgraph.Source(
        "resgraph 1\nnetwork heads\ninput 4x8x8\nstem {\n"
        "  t = reshape([4, -1]) -> permute([1, 0])\n  attention(t, t, t, heads=2)\n}\n", "h.rg")
    module = resgraph.compile(spec)
    x = torch.randn(2, 4, 8, 8)
    t = x.flatten(2).transpose(1, 2).reshape(2, 64, 2, 2).transpose(1, 2)
    expected = torch.nn.functional.scaled_dot_product_attention(t, t, t)
    torch.testing.assert_close(module(x), expected.transpose(1, 2).reshape(2, 64, 4))
    assert not any(isinstance(m, torch.nn.MultiheadAttention) for m in module.modules())
