"""The JSON beside an engine: round trip, and refusal on another GPU or TensorRT release."""

import pytest

from resgraph.api import load
from resgraph.backends.trt import sidecar as sc

H100 = sc.Machine("10.13.0.35", "NVIDIA H100 80GB HBM3", "9.0")


def make(machine=H100, **kw):
    profile = {"input": "input", "min": [1, 3, 224, 224], "opt": [8, 3, 224, 224],
               "max": [8, 3, 224, 224]}
    data = {"engine": "resnet50.engine", "source_kind": "spec", "source": "resnet50",
            "source_hash": "ab" * 32, "params": {"depth": 50}, "machine": machine,
            "precision": "fp16", "profiles": [profile], "build_seconds": 42.5,
            "input_name": "input", "output_name": "output", "plan": {"precision": "fp16"},
            "scopes": {"node_conv2d": "conv1"}, "places": {"conv1": [None, "stem"]}}
    return sc.Sidecar(**{**data, **kw})


def test_round_trip(tmp_path):
    path = tmp_path / "resnet50.engine.json"
    sc.write(make(), path)
    assert sc.read(path) == make()


def test_same_machine_is_accepted():
    sc.check_compatible(make(), sc.Machine("10.13.0.35", "NVIDIA H100 80GB HBM3", "9.0"))


@pytest.mark.parametrize("here,what", [
    (sc.Machine("11.4.0.106", "NVIDIA H100 80GB HBM3", "9.0"), "TensorRT version differ"),
    (sc.Machine("10.13.0.35", "NVIDIA A100-SXM4-80GB", "8.0"), "GPU and compute capability differ"),
    (sc.Machine("10.13.0.35", "NVIDIA H100 PCIe", "9.0"), "(GPU differ)"),
])
def test_other_machine_is_refused_saying_what_it_was_built_for(here, what):
    with pytest.raises(sc.SidecarError) as exc:
        sc.check_compatible(make(), here)
    msg = str(exc.value)
    assert msg.startswith("resnet50.engine was built with TensorRT 10.13.0.35 on "
                          "NVIDIA H100 80GB HBM3 (compute capability 9.0); this machine has "
                          f"{here.describe()}")
    assert what in msg and "resgraph build resnet50 -o resnet50.engine" in msg


def test_missing_sidecar(tmp_path):
    with pytest.raises(sc.SidecarError, match="no sidecar beside the engine"):
        sc.read(tmp_path / "x.engine.json")


@pytest.mark.parametrize("text,match", [
    ("not json", "not a resgraph engine sidecar"),
    ('{"format": 1, "engine": "x"}', "not a resgraph engine sidecar"),
    ('{"format": 99}', "sidecar format 99, this resgraph reads format 1"),
    ("[]", "not a resgraph engine sidecar"),
])
def test_bad_sidecar(tmp_path, text, match):
    path = tmp_path / "x.engine.json"
    path.write_text(text)
    with pytest.raises(sc.SidecarError, match=match):
        sc.read(path)


def test_hashes_follow_the_network(tmp_path):
    assert sc.graph_hash(load("resnet50")) == sc.graph_hash(load("resnet50"))
    assert sc.graph_hash(load("resnet50")) != sc.graph_hash(load("resnet50", depth=101))
    f = tmp_path / "m.onnx"
    f.write_bytes(b"abc")
    assert sc.file_hash(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_places_cover_ops_and_blocks():
    places = sc.places(load("resnet50"))
    assert places["layer2.0.conv1"] == ["layer2.0", "layer2"]
    assert places["layer2.0"] == ["layer2.0", "layer2"]
    assert places["fc"] == [None, "head"] and "input" not in places
