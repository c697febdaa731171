"""ONNX export: every shipped network checks and runs the same on ONNX Runtime, and one of
each family beyond ResNet has the node types of torchvision's module exported straight; batch,
names, BN folding and precision casts are what the module docstring of ``onnx_export``
promises."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import onnx
import pytest
import torch
import torchvision_resnet
from export_fixtures import (
    assert_parity,
    exact,
    op_counts,
    ort_outputs,
    ort_run,
    reference,
    sample,
    tiny_graph,
)
from onnx.reference import ReferenceEvaluator
from small_inputs import load_small

import resgraph
from resgraph.backends.base import MissingExtra, outputs
from resgraph.backends.onnx_export import (
    BATCH_SYMBOL,
    MIN_OPSET,
    SCOPE_KEY,
    ExportError,
    export_onnx,
    fold_batchnorm,
    optimize,
    parse_batch,
)
from resgraph.catalog import catalog

#: cifar_resnet1202 (4,209 ops) and preact_resnet1001 (3,343): over hundreds of residual blocks
#: the activations of random (untrained) weights grow past fp32's range, so the reference
#: output itself is NaN and there is nothing to compare with (and each export takes over a
#: minute on two cores); they are not run
OVERFLOW_OPS = 2000
#: every shipped network at CIFAR's size: ImageNet ones still keep every stage at 1 px or more
SMALL_INPUT = (3, 32, 32)


#: besides the first network of each spec file, the ResNet variants whose blocks differ
#: (bottleneck, grouped, wide, stride on the 1x1) and RegNetY (RegNet's block with SE)
VARIANTS = ("resnet50", "resnext50_32x4d", "wide_resnet50_2", "resnet50_v1", "regnet_y_400mf")
#: ops whose lowering permutes a tensor (ONNX Transpose nodes are theirs, not stray ones)
PERMUTING = {"channel_linear", "layernorm", "permute"}


def catalogue_cases() -> list[object]:
    """One network of each spec file (its first variant) and :data:`VARIANTS`: every block
    and op the shipped specs use, without exporting all 64 networks (goldens cover those)."""
    firsts = {e.file: name for name, e in reversed(catalog().items())}
    cases = []
    for name in sorted({*firsts.values(), *VARIANTS}):
        ops = len(resgraph.load(name).nodes)
        skip = pytest.mark.skipif(ops > OVERFLOW_OPS, reason=(
            f"{name} has {ops} ops: random weights overflow fp32 over so many blocks "
            "(the reference is NaN)"))
        cases.append(pytest.param(name, marks=skip))
    return cases


def checked(path: object) -> onnx.ModelProto:
    """The file as written, after the full check (which runs strict shape inference)."""
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    return model


def bn_after_conv(model: onnx.ModelProto) -> list[str]:
    """BatchNormalization nodes fed straight by a Conv: work folding should have done."""
    conv_outputs = {o for n in model.graph.node if n.op_type == "Conv" for o in n.output}
    return [n.name for n in model.graph.node
            if n.op_type == "BatchNormalization" and n.input[0] in conv_outputs]


# every shipped network --------------------------------------------------------------------


@pytest.mark.parametrize("name", catalogue_cases())
def test_shipped_network_checks_and_matches_pytorch_on_onnxruntime(name, tmp_path):
    graph = load_small(name, SMALL_INPUT)
    module = reference(graph)
    info = export_onnx(module, tmp_path / f"{name}.onnx", batch=2)
    model = checked(info.path)
    x = sample(graph, 2)
    expected = outputs(exact(module, x))
    assert list(info.outputs) == [o.name for o in model.graph.output]
    for got, mine, want in zip(ort_outputs(info.path, x), outputs(module(x)), expected,
                               strict=True):
        assert_parity(graph, got, want)
        assert_parity(graph, mine, want)  # the harness's reference holds the same bound
    counts = op_counts(model)
    permutes = any(n.op in PERMUTING for n in graph)
    assert counts["Identity"] == 0 and (permutes or counts["Transpose"] == 0)
    assert not bn_after_conv(model)
    assert info.nodes == len(model.graph.node)
    if name in TORCHVISION_TWINS:
        theirs = straight_torchvision_counts(name, x)
        assert counts == theirs


#: the networks beyond ResNet tested here whose spec is a torchvision module's: their files hold
#: the same node types (MNASNet's x.mean([2, 3]) is the spec's spatial_mean, one ReduceMean)
TORCHVISION_TWINS = {"convnext_tiny", "efficientnet_b0", "efficientnet_v2_s", "mnasnet0_5",
                     "mobilenet_v2", "mobilenet_v3_large", "regnet_x_400mf", "regnet_y_400mf"}


def straight_torchvision_counts(name: str, x: torch.Tensor) -> Counter[str]:
    """Node types of torchvision's own module exported by torch.onnx alone, its BN folded by
    the same :func:`fold_batchnorm` and cleaned by the same onnxscript passes (:func:`optimize`)
    as resgraph's export: what the spec's file must hold, no more."""
    import torchvision

    twin = torch.fx.symbolic_trace(getattr(torchvision.models, name)().eval())
    fold_batchnorm(twin)
    twin.recompile()
    with torch.no_grad():
        straight = torch.onnx.export(twin, (x,), dynamo=True, optimize=False, verbose=False,
                                     report=False)
    optimize(straight.model)
    return op_counts(straight.model_proto)


# batch ------------------------------------------------------------------------------------


def input_dims(model: onnx.ModelProto) -> list[int | str]:
    dims = model.graph.input[0].type.tensor_type.shape.dim
    return [d.dim_param or d.dim_value for d in dims]


def metadata(model: onnx.ModelProto) -> dict[str, str]:
    return {p.key: p.value for p in model.metadata_props}


@pytest.fixture(scope="module")
def tiny():
    graph = tiny_graph()
    return graph, reference(graph)


@pytest.fixture(scope="module")
def tiny_file(tiny, tmp_path_factory):
    """The tiny spec exported at a fixed batch of 2, folded, fp32: what several tests look at."""
    return export_onnx(tiny[1], tmp_path_factory.mktemp("tiny") / "tiny.onnx", batch=2)


@pytest.mark.parametrize("batch, runs, recorded", [
    ("dynamic", (1, 3), "1:"),
    ((2, 6), (2, 6), "2:6"),
    ((5, None), (5, 7), "5:"),  # traced inside the range, not at 2
])
def test_one_dynamic_file_runs_at_two_batch_sizes(tiny, tmp_path, batch, runs, recorded):
    graph, module = tiny
    info = export_onnx(module, tmp_path / "d.onnx", batch=batch)
    model = checked(info.path)
    assert input_dims(model) == [BATCH_SYMBOL, 3, 16, 16] and info.dynamic
    assert metadata(model)["resgraph.batch"] == recorded
    assert (info.batch_min, info.batch_max) == parse_batch(batch)
    for n in runs:
        x = sample(graph, n)
        assert_parity(graph, ort_run(info.path, x), exact(module, x))


def test_fixed_batch_refuses_another(tiny, tiny_file):
    graph, _ = tiny
    model = checked(tiny_file.path)
    assert input_dims(model) == [2, 3, 16, 16] and metadata(model)["resgraph.batch"] == "2"
    with pytest.raises(Exception, match="invalid dimensions"):
        ort_run(tiny_file.path, sample(graph, 3))


@pytest.mark.parametrize("text, expected", [
    (1, (1, 1)), (8, (8, 8)), ("dynamic", (1, None)), ((1, 32), (1, 32)), ((4, 4), (4, 4)),
])
def test_parse_batch(text, expected):
    assert parse_batch(text) == expected


@pytest.mark.parametrize("text, message", [
    (0, "from 1 to 65,536, got 0"), ((8, 4), "is empty: MIN is above MAX"),
    ("1:8", "a size, 'dynamic' or \\(MIN, MAX\\)"), ("8", "a size, 'dynamic'"),
    ((1, 2, 3), "got \\(1, 2, 3\\)"), ((1, 70000), "from 1 to 65,536, got 70000"),
    ((2, 0), "got 0"), (True, "got True"), ((1.5, 2), "got 1.5"),
    (10**30, "from 1 to 65,536"),
])
def test_bad_batch_says_why(text, message):
    with pytest.raises(ExportError, match=message):
        parse_batch(text)


# names ------------------------------------------------------------------------------------


def test_nodes_are_named_after_spec_scopes(tiny, tiny_file):
    graph, _ = tiny
    info = tiny_file
    model = checked(info.path)
    names = {n.name for n in model.graph.node}
    assert {"conv1", "layer1.0.conv1", "layer2.0.conv1", "layer2.0.downsample.0",
            "layer2.0.add1", "fc"} <= names
    assert info.folded["layer2.0.downsample.1"] == "layer2.0.downsample.0"
    scoped = {n.name: {p.key: p.value for p in n.metadata_props}[SCOPE_KEY]
              for n in model.graph.node}
    assert scoped == info.scopes and set(info.scopes.values()) <= set(graph.nodes)


def test_an_op_of_several_nodes_names_each_after_its_scope(tmp_path):
    """Option-A shortcuts: one ``pad_channels`` op becomes Slice, Slice and Pad."""
    graph = resgraph.load("cifar_resnet20", n=1, input_shape=(3, 16, 16))
    info = export_onnx(graph, tmp_path / "a.onnx")
    scope = "layer2.0.downsample.pad_channels1"
    parts = sorted(name for name, s in info.scopes.items() if s == scope)
    assert parts == [f"{scope}/Pad", f"{scope}/Slice", f"{scope}/Slice_1"]


# no work left behind ----------------------------------------------------------------------


def test_export_has_the_nodes_of_a_straight_torchvision_export(tiny, tiny_file, tmp_path):
    """The same network written as an nn.Module and exported by torch.onnx alone: resgraph's
    file has exactly its node types, no more, and the same output for the same weights."""
    graph, module = tiny
    info = tiny_file
    twin = torchvision_resnet.tiny()
    twin.load_state_dict(module.state_dict(), strict=True)
    x = sample(graph, 2)
    straight = torch.onnx.export(twin.eval(), (x,), dynamo=True, verbose=False)
    straight.save(tmp_path / "t.onnx")
    ours = checked(info.path)
    assert op_counts(ours) == op_counts(straight.model_proto)
    assert {"Identity", "Transpose", "BatchNormalization"}.isdisjoint(op_counts(ours))
    theirs = torch.from_numpy(ReferenceEvaluator(str(tmp_path / "t.onnx")).run(
        None, {"x": x.numpy()})[0])
    assert_parity(graph, theirs, exact(module, x))
    assert_parity(graph, ort_run(info.path, x), exact(module, x))


@pytest.fixture(scope="module")
def preact():
    graph = resgraph.load("preact_resnet164", n=1, input_shape=(3, 16, 16))
    return graph, reference(graph)


def test_pre_activation_bn_stays_and_the_rest_folds(preact, tmp_path):
    graph, module = preact
    info = export_onnx(module, tmp_path / "p.onnx", batch=2)
    model = checked(info.path)
    convs = {n.name for n in graph.nodes.values() if n.op == "conv"}
    unfoldable = [n for n in graph.nodes.values()
                  if n.op == "bn" and n.inputs[0] not in convs]
    assert op_counts(model)["BatchNormalization"] == len(unfoldable) > 0
    assert not bn_after_conv(model) and set(info.folded.values()) <= convs
    x = sample(graph, 2)
    assert_parity(graph, ort_run(info.path, x), exact(module, x))


def test_no_fold_bn_keeps_every_bn(preact, tmp_path):
    graph, module = preact
    info = export_onnx(module, tmp_path / "k.onnx", batch=2, fold_bn=False)
    model = checked(info.path)
    bns = [n for n in graph.nodes.values() if n.op == "bn"]
    assert op_counts(model)["BatchNormalization"] == len(bns) and info.folded == {}
    x = sample(graph, 2)
    assert_parity(graph, ort_run(info.path, x), exact(module, x))


# precision --------------------------------------------------------------------------------

ELEM_TYPE = {"fp16": onnx.TensorProto.FLOAT16, "bf16": onnx.TensorProto.BFLOAT16}


def run_reduced(precision, path, x):
    """fp16 on ONNX Runtime's CPU provider; bf16 on onnx's reference evaluator (ONNX Runtime
    has no bfloat16 Conv on the CPU)."""
    if precision == "fp16":
        return ort_run(path, x)
    return torch.from_numpy(ReferenceEvaluator(str(path)).run(None, {"input": x.numpy()})[0])


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_reduced_precision_casts_only_at_the_edges(tiny, tmp_path, precision):
    graph, module = tiny
    info = export_onnx(module, tmp_path / f"{precision}.onnx", batch=2, precision=precision)
    model = checked(info.path)
    casts = [n.name for n in model.graph.node if n.op_type == "Cast"]
    assert casts == ["input/Cast", "output/Cast"]
    edges = [*model.graph.input, *model.graph.output]
    assert {v.type.tensor_type.elem_type for v in edges} == {onnx.TensorProto.FLOAT}
    floats = {t.data_type for t in model.graph.initializer} - {onnx.TensorProto.INT64}
    assert floats == {ELEM_TYPE[precision]}
    x = sample(graph, 2)
    out = run_reduced(precision, info.path, x)
    assert out.dtype == torch.float32
    assert_parity(graph, out, exact(module, x), precision)


# bad requests -----------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    ({"precision": "int8"}, "unknown precision 'int8'; known: bf16, fp16, fp32"),
    ({"opset": MIN_OPSET - 1}, f"opset must be from {MIN_OPSET}"),
    ({"opset": onnx.defs.onnx_opset_version() + 1}, "the installed onnx's newest"),
    ({"opset": "20"}, "got '20'"),
    ({"precision": "bf16", "opset": 20}, "bf16 needs opset 22"),
    ({"batch": (0, 4)}, "got 0"),
])
def test_bad_request_is_refused_before_any_work(kwargs, message, tmp_path):
    with pytest.raises(ExportError, match=message):
        export_onnx(tiny_graph(), tmp_path / "x.onnx", **kwargs)
    assert not (tmp_path / "x.onnx").exists()


def test_a_module_not_made_by_lower_fx_is_refused(tmp_path):
    with pytest.raises(ExportError, match="resgraph Graph or the module lower_fx made"):
        export_onnx(torch.fx.symbolic_trace(torchvision_resnet.tiny()), tmp_path / "x.onnx")


@pytest.mark.parametrize("missing", ["onnx", "onnxscript"])
def test_missing_onnx_names_the_extra(monkeypatch, tmp_path, missing):
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(MissingExtra, match=rf"{missing} is not installed: pip install "
                                           r"'resgraph\[onnx\]'"):
        export_onnx(tiny_graph(), tmp_path / "x.onnx")


def test_python_api_needs_no_onnx_to_import():
    code = ("import sys; sys.modules['onnx'] = sys.modules['onnxruntime'] = None\n"
            "import resgraph.backends as b, resgraph.backends.api as a\n"
            "import resgraph.backends.onnx_export as e\n"
            "assert b.export_onnx is a.export_onnx and b.ExportInfo is e.ExportInfo")
    subprocess.run([sys.executable, "-c", code], check=True)
