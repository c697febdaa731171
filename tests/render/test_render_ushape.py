"""The U of a U-Net at stage level: each long skip joins an encoder stage to the decoder stage
of its resolution on one rank, the decoder rises; chain networks have no U and draw as before."""

import re

import pytest

import resgraph
from resgraph.render.dot import U_LEVELS
from resgraph.render.ushape import u_shape
from resgraph.render.view import build_view


def test_each_long_skip_pairs_an_encoder_stage_with_its_decoder_stage():
    shape = u_shape(build_view(resgraph.load("resunet"), "stage"))
    assert shape is not None
    assert shape.skips == (("enc3.0", "dec3.0"), ("enc2.0", "dec2.0"), ("enc1.0", "dec1.0"))
    # the decoder and the head rise; the bridge is the U's bottom, on the way down
    assert shape.rising == {"dec3.0", "dec2.0", "dec1.0", "out", "sigmoid1"}


def test_the_pairs_share_a_rank_and_the_skips_carry_their_shapes():
    text = resgraph.draw("resunet_small", level="stage")
    assert re.findall(r'rank=same; "(\S+)"; "(\S+)";', text) == [
        ("enc2.0", "dec2.0"), ("enc1.0", "dec1.0")]
    assert '"enc1.0" -> "dec1.0" [color="#2f855a", style=dashed, penwidth=1.3, ' \
        'label="32x224x224"' in text
    assert '"dec2.0" -> "bridge.0" [weight=8, dir=back];' in text


@pytest.mark.parametrize("spec", ["resnet50", "googlenet", "mobilenet_v2"])
def test_a_chain_network_has_no_u(spec):
    for level in U_LEVELS:
        assert u_shape(build_view(resgraph.load(spec), level)) is None


def test_the_u_is_drawn_only_where_a_stage_is_a_node_or_two():
    assert "rank=same" not in resgraph.draw("resunet_small", level="block")
    assert "rank=same" in resgraph.draw("resunet_small", level="network")
