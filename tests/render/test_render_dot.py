"""Golden DOT text for small specs at every level; regenerate with RESGRAPH_REGENERATE=1."""

import os
import re
from pathlib import Path

import pytest

import resgraph
from resgraph.api import draw
from resgraph.render import DrawError, DrawOptions, render_dot

TINY = Path(__file__).resolve().parent / "tiny.rg"

GOLDEN = Path(__file__).resolve().parent / "golden"

CASES = {
    "tiny-network": (TINY, {"level": "network"}),
    "tiny-stage": (TINY, {"level": "stage"}),
    "tiny-block": (TINY, {"level": "block"}),
    "tiny-op": (TINY, {"level": "op", "annotate": "shapes,macs,params", "color": "params"}),
    "tiny-expand": (TINY, {"level": "network", "expand": "layer2.1", "rankdir": "LR"}),
    "cifar20-stage": ("cifar_resnet20", {"level": "stage", "annotate": "macs,paths",
                                         "color": "depth"}),
    # blocks with and without a shortcut, the depthwise layers, the expansion left out of t=1
    "mobilenet_v2-block": ("mobilenet_v2", {"level": "block"}),
    # a U: the encoder down, the decoder up, each long skip flat between one resolution's pair
    "resunet-stage": ("resunet", {"level": "stage"}),
    # a pyramid: each stage's lateral a flat long skip to its level, the top-down path rising
    "resnet50_fpn-stage": ("resnet50_fpn", {"level": "stage"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_dot(case: str) -> None:
    spec, options = CASES[case]
    text = draw(spec, **options)
    path = GOLDEN / f"{case}.dot"
    if os.environ.get("RESGRAPH_REGENERATE") == "1":
        path.write_text(text)
    assert text == path.read_text(), f"{path.name} differs; RESGRAPH_REGENERATE=1 regenerates it"


def test_same_input_same_bytes() -> None:
    assert draw("resnet50", level="op") == draw("resnet50", level="op")


def test_identical_blocks_fold_into_one_node(tiny) -> None:
    text = render_dot(tiny, DrawOptions(level="stage"))
    assert '"layer2.1..layer2.2"' in text and "layer2.1–2  × 2" in text
    assert '"layer2.1"' not in text


def test_expanded_block_is_drawn_op_by_op_and_the_rest_stays_folded(tiny) -> None:
    text = render_dot(tiny, DrawOptions(level="stage", expand=("layer2.1",)))
    assert '"layer2.1.conv1"' in text and '"layer2.1.bn1"' in text
    assert '"layer2.0"' in text and '"layer2.2"' in text
    assert '"layer1.0..layer1.1"' in text and "layer2.1..layer2.2" not in text


def test_shortcuts_are_styled_apart_and_the_main_column_is_one_group(tiny) -> None:
    text = render_dot(tiny, DrawOptions(level="block"))
    shortcut = re.findall(r'-> "([^"]+)" \[color="#2b6cb0", style=dashed', text)
    # every block has one shortcut into its merge; layer2.0's starts with its projection
    assert shortcut == ["layer1.0.add1", "layer1.1.add1", "layer2.0.downsample.0",
                        "layer2.0.add1", "layer2.1.add1", "layer2.2.add1"]
    assert '"layer2.0.conv1" [' in text and text.count('group="main"') > 10
    assert '"layer2.0.downsample.0" [tooltip' in text
    assert 'shape=circle, label="+"' in text


def test_values_colour_by_any_number_per_scope(tiny) -> None:
    text = render_dot(tiny, DrawOptions(level="stage", color="values", legend="GPU time (ms)",
                                        values={"layer1.0": 1.0, "layer2.0.conv1": 4.0}))
    assert "GPU time (ms)" in text
    assert re.search(r'"layer1.0" \[tooltip="[^"]*GPU time \(ms\): 1\\n|GPU time \(ms\): 1"', text)
    assert "GPU time (ms): 4" in text and "GPU time (ms): -" in text


@pytest.mark.parametrize("options, message", [
    ({"level": "stages"}, "unknown level 'stages'; did you mean 'stage'? (known: block, "),
    ({"expand": ("layer2.9",)}, "no stage or block 'layer2.9'; did you mean 'layer2.2'?"),
    ({"color": "flops"}, "unknown color 'flops'"),
    ({"annotate": ("shape",)}, "unknown annotation 'shape'; did you mean 'shapes'?"),
    ({"rankdir": "TD"}, "unknown rankdir 'TD'"),
    ({"color": "values"}, "needs values="),
])
def test_bad_requests_say_what_to_do(tiny, options, message) -> None:
    with pytest.raises(DrawError, match=re.escape(message)):
        render_dot(tiny, DrawOptions(**options))


def test_unknown_draw_option_is_an_error() -> None:
    with pytest.raises(DrawError, match="unknown draw\\(\\) option 'colour'; did you mean 'color'"):
        draw(TINY, colour="macs")


def test_draw_takes_spec_parameters() -> None:
    assert "layer2.1–17  × 17" in draw("cifar_resnet20", params={"n": 18})
    assert resgraph.draw is draw


def test_network_level_shares_of_macs_add_up() -> None:
    text = draw("resnet50", level="network")
    shares = [float(s) for s in re.findall(r"([0-9.]+)% of MACs", text)]
    assert len(shares) == 6 and abs(sum(shares) - 100) < 0.3  # stem, four stages, head


def test_one_graph_drawn_at_two_batches_shows_each_batch_costs() -> None:
    graph = resgraph.load(TINY)
    resgraph.analyze(graph)  # costs of batch 1 already on the graph
    texts = {b: render_dot(graph, DrawOptions(level="op", annotate=("macs",), batch=b))
             for b in (8, 1)}
    conv1 = 3 * 3 * 3 * 8 * 16 * 16  # kernel x in-channels x out-channels x output pixels
    for batch, label in ((1, "55.3K MACs"), (8, "442K MACs")):
        assert f"MACs: {batch * conv1:,}" in texts[batch] and label in texts[batch]
    assert "55.3K MACs" not in texts[8]
