"""Networks as dataflow: results read by name, several outputs, each output's paths."""

from pathlib import Path

import torch

import resgraph
from resgraph.import_fx import import_fx

AUX = """resgraph 1
network aux
input 3x32x32
stem {
  conv(3, 16)
}
stage layer1: basic(16) x 1
stage layer2: basic(32) x 1 stride 2
head logits {
  global_avgpool -> flatten -> fc: linear(10)
}
head aux on layer1 {
  global_avgpool -> flatten -> fc: linear(10)
}
"""


def spec(tmp_path: Path, text: str) -> str:
    path = tmp_path / "net.rg"
    path.write_text(text)
    return str(path)


def test_a_dict_of_outputs_compiles_to_a_dict(tmp_path):
    graph = resgraph.load(spec(tmp_path, AUX + "output { out: logits, aux: aux }\n"))
    assert graph.outputs == {"out": "logits.fc", "aux": "aux.fc"}
    assert graph.output == "logits.fc" and graph.nodes["aux.global_avgpool1"].inputs == ("layer1.0.relu2",)
    out = resgraph.compile(graph)(torch.randn(2, 3, 32, 32))
    assert set(out) == {"out", "aux"} and out["aux"].shape == (2, 10)


def test_an_output_key_that_is_no_name_is_a_string_kept_by_fmt(tmp_path):
    # FPN's levels are "0" to "3" in torchvision's OrderedDict
    text = AUX + 'output { "0": logits, aux: aux }\n'
    formatted = resgraph.fmt(resgraph.Source(text))
    assert formatted.endswith('output { "0": logits, aux: aux }\n')
    assert resgraph.fmt(resgraph.Source(formatted)) == formatted
    out = resgraph.compile(resgraph.load(spec(tmp_path, text)))(torch.randn(1, 3, 32, 32))
    assert list(out) == ["0", "aux"]


def test_the_import_of_a_module_of_several_outputs_has_them_in_its_form(tmp_path):
    graph = resgraph.load(spec(tmp_path, AUX + 'output { "0": logits, aux: aux }\n'))
    traced = import_fx(resgraph.compile(graph), (3, 32, 32))
    assert traced.output_form == "dict" and list(traced.outputs) == ["0", "aux"]
    assert [traced.nodes[n].shape for n in traced.outputs.values()] == [(10,), (10,)]
    ours, theirs = (resgraph.analyze(g).to_json()["paths_by_output"] for g in (graph, traced))
    assert ours == theirs


def test_a_tuple_of_outputs_and_paths_per_output(tmp_path):
    graph = resgraph.load(spec(tmp_path, AUX + "output logits, aux\n"))
    out = resgraph.compile(graph)(torch.randn(1, 3, 32, 32))
    assert isinstance(out, tuple) and len(out) == 2
    report = resgraph.analyze(graph).to_json()
    # aux: stem conv, layer1's two convs or its identity, fc: 4 or 2 weighted layers;
    # logits: stem, layer1 (2 or 0), layer2 (2 convs or the 1x1 projection), fc: 3 to 6
    assert report["paths_by_output"]["aux"]["counts"] == {"2": "1", "4": "1"}
    assert report["paths_by_output"]["logits"]["counts"] == {
        "3": "1", "4": "1", "5": "1", "6": "1"}
    assert report["paths"]["lengths"]["total"] == "6"


def test_a_head_on_an_earlier_result_leaves_one_output(tmp_path):
    text = AUX.split("head logits")[0] + "head on layer1 {\n  global_avgpool -> flatten\n}\n"
    text = text.replace("stage layer2: basic(32) x 1 stride 2\n", "")
    graph = resgraph.load(spec(tmp_path, text))
    assert graph.output_form == "one" and graph.output_nodes() == {"output": "flatten1"}
    assert "paths_by_output" not in resgraph.analyze(graph).to_json()


def test_blocks_reading_tensors_copy_as_they_run(monkeypatch):
    """A block given a tensor (a decoder level's skip) is kept by the tensor's node: the
    copies of reused runs are what runs with caches off give."""
    kept = resgraph.load("resunet", depth=4).to_text()
    monkeypatch.setenv("RESGRAPH_NO_CACHE", "1")
    assert resgraph.load("resunet", depth=4).to_text() == kept
    assert "dec2.0.concat = concat(dec2.0.upsample, enc2.0.add1)" in kept


TRAINING = AUX + "output logits\noutput training { logits: logits, aux: aux }\n"


def test_training_outputs_are_returned_in_training_and_absent_in_eval(tmp_path):
    graph = resgraph.load(spec(tmp_path, TRAINING))
    # the graph is the network in eval: what its one output reads, the aux head left out
    assert graph.output_form == "one" and graph.outputs == {"logits": "logits.fc"}
    assert not any(n.startswith("aux.") for n in graph.nodes)
    assert graph.training is not None and graph.training.output_form == "dict"
    assert graph.training.outputs == {"logits": "logits.fc", "aux": "aux.fc"}
    assert set(graph.nodes) < set(graph.training.nodes)
    module = resgraph.compile(graph)
    assert "aux.fc.weight" in module.state_dict()
    x = torch.randn(2, 3, 32, 32)
    out = module.train()(x)
    assert set(out) == {"logits", "aux"} and out["aux"].shape == (2, 10)
    logits = module.eval()(x)
    assert isinstance(logits, torch.Tensor) and logits.shape == (2, 10)
    assert graph.to_text().splitlines()[-1] == "output training dict logits=logits.fc, aux=aux.fc"


def test_the_analysis_counts_the_eval_network_and_the_training_one_beside_it(tmp_path):
    report = resgraph.analyze(spec(tmp_path, TRAINING))
    plain = resgraph.analyze(spec(tmp_path, AUX.split("head aux")[0]))
    # aux's linear layer: 16 features to 10 classes, and its bias
    assert report.training is not None
    assert (report.params, report.macs) == (plain.params, plain.macs)
    assert report.training.params == report.params + 16 * 10 + 10
    assert report.training.macs == report.macs + 16 * 10
    paths = report.to_json()["training"]["paths_by_output"]
    assert paths["aux"]["longest"] < paths["logits"]["longest"]
    assert "training" not in plain.to_json()


def test_a_result_read_only_in_training_is_used(tmp_path):
    # without the training line, aux is made and never used: an error (tests/errors)
    with_line = resgraph.load(spec(tmp_path, AUX + "output logits\noutput training logits, aux\n"))
    assert with_line.training is not None and with_line.training.output_form == "tuple"


def test_fmt_keeps_the_training_line(tmp_path):
    text = resgraph.fmt(spec(tmp_path, TRAINING))
    assert "output training { logits: logits, aux: aux }" in text
