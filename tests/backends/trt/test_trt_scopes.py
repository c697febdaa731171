"""Layer names in the formats TensorRT prints (profiler, trtexec --dumpProfile, engine
inspector) → spec scopes → times per block and stage."""

import json

import pytest

from resgraph.api import load
from resgraph.backends.trt import scopes as s
from resgraph.backends.trt.sidecar import places


@pytest.fixture(scope="module")
def graph():
    return load("resnet50")


@pytest.fixture(scope="module")
def resolver(graph):
    # the export's table for two nodes; the rest found by name
    table = {"node_conv2d_7": "layer1.0.conv3", "node_add_1": "layer1.0.add1"}
    return s.ScopeResolver(table, places(graph))


@pytest.mark.parametrize("layer,parts", [
    ("Conv_8 + Add_9 + Relu_10", ["Conv_8", "Add_9", "Relu_10"]),
    ("Conv_68 || Conv_72", ["Conv_68", "Conv_72"]),
    ("Conv_531 + PWN(LeakyRelu_532)", ["Conv_531", "LeakyRelu_532"]),
    ("PWN(PWN(/a/Constant_output_0 + (Unnamed Layer* 720) [Shuffle], /a/Pow), /a/Div)",
     ["/a/Constant_output_0", "/a/Pow", "/a/Div"]),
    ("Reformatting CopyNode for Input Tensor 0 to PWN(/encoder/fc.1/Relu)", ["/encoder/fc.1/Relu"]),
    ("Reformatting CopyNode for Output Tensor 0 to /fc/Gemm", ["/fc/Gemm"]),
    ("{ForeignNode[encoder.fea_bn1.weight.../softmax/Softmax]}",
     ["encoder.fea_bn1.weight", "/softmax/Softmax"]),
    ("ForeignNode[/layer1/layer1.0/conv1/Conv.../fc/Gemm]",
     ["/layer1/layer1.0/conv1/Conv", "/fc/Gemm"]),
    ("(Unnamed Layer* 778) [Shuffle]", []),
    ("shuffle_between_(Unnamed Layer* 778) [Shuffle]_output_and_/enc/mconv.5/conv/Conv",
     ["/enc/mconv.5/conv/Conv"]),
    ("shuffle_after_(Unnamed Layer* 779) [Convolution]_output", []),
    ("reshape_after_/model/encoder/linear1/MatMul", ["/model/encoder/linear1/MatMul"]),
    ("node_of_layer2.0.relu1", ["layer2.0.relu1"]),
    ("[trainStation1]", []),
    ("/layer1/layer1.0/conv1/Conv", ["/layer1/layer1.0/conv1/Conv"]),
])
def test_layer_parts(layer, parts):
    assert s.layer_parts(layer) == parts


@pytest.mark.parametrize("name,scope", [
    ("/layer1/layer1.0/conv1/Conv", "layer1.0.conv1"),  # TorchScript exporter
    ("/conv1/Conv", "conv1"),
    ("layer2.0.downsample.0", "layer2.0.downsample.0"),
    ("layer2.0.downsample.1_output_0", "layer2.0.downsample.1"),
    ("/layer3/layer3.5/relu3/Relu", "layer3.5.relu3"),
    ("node_conv2d_7", "layer1.0.conv3"),  # from the export's table
    ("node_add_1_output_0", "layer1.0.add1"),
    ("/fc/Gemm", "fc"),
    ("__myl_AddRelu_myl0_12", None),
    ("layer1.0.conv10", "layer1.0"),  # not conv1: only its block matches
])
def test_resolve(resolver, name, scope):
    assert resolver.resolve(name) == scope


def test_layer_scopes_of_a_fused_layer(resolver):
    layer = "/layer1/layer1.0/conv3/Conv + /layer1/layer1.0/Add + /layer1/layer1.0/relu3/Relu"
    assert s.layer_scopes(layer, resolver) == ["layer1.0.conv3", "layer1.0", "layer1.0.relu3"]


def test_metadata_wins_over_the_name(resolver):
    meta = "[ONNX Layer: /layer2/layer2.0/conv1/Conv]\x1f[ONNX Layer: /layer2/layer2.0/relu1/Relu]"
    nodes = s.metadata_parts(meta)
    scopes = s.layer_scopes("myelin_fused_17", resolver, nodes)
    assert scopes == ["layer2.0.conv1", "layer2.0.relu1"]


def test_attribute_sums_onto_blocks_and_stages(graph, resolver):
    times = {
        "/conv1/Conv + /relu1/Relu": 1.0,
        "/maxpool/MaxPool": 0.5,
        "/layer1/layer1.0/conv1/Conv + /layer1/layer1.0/relu1/Relu": 2.0,
        "/layer2/layer2.1/conv2/Conv || /layer3/layer3.0/conv1/Conv": 3.0,
        "Reformatting CopyNode for Input Tensor 0 to /layer4/layer4.2/conv1/Conv": 0.25,
        "/fc/Gemm": 0.75,
        "__myl_Unknown_12": 0.1,
    }
    a = s.attribute(times, resolver, places(graph))
    assert a.total == pytest.approx(7.6)
    assert a.reformat == pytest.approx(0.25)
    assert a.unmapped == {"__myl_Unknown_12": 0.1}
    assert dict(a.stages) == pytest.approx({"stem": 1.5, "layer1": 2.0, "layer2": 1.5,
                                            "layer3": 1.5, "layer4": 0.25, "head": 0.75})
    assert dict(a.blocks) == pytest.approx({"layer1.0": 2.0, "layer2.1": 1.5, "layer3.0": 1.5,
                                            "layer4.2": 0.25})
    assert a.scopes["conv1"] == pytest.approx(0.5)
    assert sum(a.stages.values()) + sum(a.unmapped.values()) == pytest.approx(a.total)
    assert json.loads(json.dumps(a.to_dict()))["total_ms"] == pytest.approx(7.6)


def test_inspector_json_tensorrt10_detailed_and_names_only():
    detailed = json.dumps({
        "Layers": [{"Name": "/conv1/Conv + /relu1/Relu", "LayerType": "CaskConvolution",
                    "Metadata": "[ONNX Layer: /conv1/Conv]\x1f[ONNX Layer: /relu1/Relu]"},
                   {"Name": "/fc/Gemm", "LayerType": "CaskGemmConvolution"}],
        "Bindings": ["input", "output"]})
    assert s.inspector_layers(detailed) == {
        "/conv1/Conv + /relu1/Relu": ["/conv1/Conv", "/relu1/Relu"], "/fc/Gemm": []}
    names_only = json.dumps({"Layers": ["/conv1/Conv + /relu1/Relu", "/fc/Gemm"],
                             "I/O Tensors": [{"Name": "input", "IOMode": "Input"}]})
    assert s.inspector_layers(names_only) == {"/conv1/Conv + /relu1/Relu": [], "/fc/Gemm": []}


def test_trtexec_profile():
    data = [{"count": 100},
            {"name": "/conv1/Conv + /relu1/Relu", "timeMs": 10.0, "averageMs": 0.1,
             "medianMs": 0.1, "percentage": 50.0},
            {"name": "/fc/Gemm", "timeMs": 10.0, "averageMs": 0.1, "medianMs": 0.1,
             "percentage": 50.0}]
    assert s.trtexec_profile(data) == {"/conv1/Conv + /relu1/Relu": 0.1, "/fc/Gemm": 0.1}


def test_parser_issues_name_node_scope_and_spec_line(resolver):
    issues = [s.ParserIssue(12, "/layer2/layer2.0/conv1/Conv", "Conv",
                            "kernel weights must be constant"),
              s.ParserIssue(-1, "", "", "unsupported opset 30"),
              s.ParserIssue(3, "mystery", "Foo", "no importer registered for op: Foo")]
    lines = s.describe_parser_issues(issues, resolver, {"layer2.0.conv1": "specs/resnet.rg:40:3"})
    assert lines == [
        ("node 12 Conv '/layer2/layer2.0/conv1/Conv' (spec scope layer2.0.conv1 at "
         "specs/resnet.rg:40:3): kernel weights must be constant"),
        "model: unsupported opset 30",
        "node 3 Foo 'mystery': no importer registered for op: Foo"]
