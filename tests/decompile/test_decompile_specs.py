"""Every shipped spec round-trips through ``resgraph import``: compiled, its module decompiled,
and the text elaborated again gives the same computation with the same state names (every
node's op, attributes, shape and inputs; the names of the nodes that hold state), the same
figures, and calls the prelude blocks the shipped spec calls."""

from __future__ import annotations

import re

import pytest
from small_inputs import load_small

import resgraph
from resgraph.catalog import catalog
from resgraph.decompile import decompile
from resgraph.decompile.canon import same_graph

#: small enough for a CPU, large enough for every stride of the shipped networks
SHAPE = (3, 64, 64)
#: one network of each spec file (its first variant by name)
FIRSTS = sorted({e.file: name for name, e in sorted(catalog().items(), reverse=True)}.values())
_PRELUDE_CALL = re.compile(r"\b(basic|bottleneck|mbconv|fused_mbconv|multihead_attention)\(")


def _figures(graph: resgraph.Graph) -> dict[str, object]:
    report = resgraph.analyze(graph).to_json()
    return {k: report[k] for k in ("macs", "params", "paths")}


@pytest.mark.parametrize("name", FIRSTS)
def test_a_shipped_spec_decompiles_to_the_same_network(name: str) -> None:
    shipped = load_small(name, SHAPE)
    text = decompile(resgraph.compile(shipped), shipped.input_shape)
    rebuilt = resgraph.load(resgraph.Source(text))
    assert same_graph(shipped, rebuilt)
    assert _figures(rebuilt) == _figures(shipped)
    spec_text = (resgraph.catalog.specs_dir() / catalog()[name].file).read_text()
    assert set(_PRELUDE_CALL.findall(spec_text)) <= set(_PRELUDE_CALL.findall(text))


def test_a_dataflow_network_reads_its_results_by_name() -> None:
    # the U-Net's decoder blocks take the encoder's level as a tensor parameter, passed by
    # the stage's name; the FPN's layers outside blocks are a head that names its outputs
    unet = decompile(resgraph.compile(resgraph.load("resunet", input_shape=SHAPE)), SHAPE)
    assert re.search(r"^block \w+\(.*\bskip\)", unet, re.MULTILINE)
    assert re.search(r"^stage dec1: \w+\(.*skip=enc1\) x 1", unet, re.MULTILINE), unet
    fpn = decompile(resgraph.compile(resgraph.load("resnet50_fpn", input_shape=SHAPE)), SHAPE)
    assert re.search(r"^head on \w+ \{\n  pool = maxpool", fpn, re.MULTILINE), fpn
    assert fpn.rstrip().endswith('output { "0": stage11, "1": stage9, "2": stage7, '
                                 '"3": layer_blocks, pool: pool }'), fpn
