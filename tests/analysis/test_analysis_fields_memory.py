"""Receptive fields and activation memory against values derived by hand."""

from __future__ import annotations

import resgraph

RF_SPEC = resgraph.Source("""resgraph 1
network rf "receptive fields by hand"
input 1x32x32
stem {
  c1: conv(3, 4) -> c2: conv(3, 4, stride=2) -> p: maxpool(2)
}
stage s1: basic(4) x 1
head { g: global_avgpool -> flatten }
""")

MEMORY_SPEC = resgraph.Source("""resgraph 1
network m "memory by hand"
input 1x4x4
stem { c: conv(1, 2) -> relu -> flatten }
head { fc: linear(3) }
""")


def test_receptive_fields_by_hand() -> None:
    # c1 3x3/1 pad 1: size 3, jump 1, start -1; c2 3x3/2 pad 1: 5, 2, -2; maxpool 2/2: 7, 4, -2
    # (centre -2 + 3 = 1); the block's two 3x3 convs: 15 then 23, start -6 then -10, and the
    # identity shortcut's 7 lies inside: 23, stride 4, centre -10 + 11 = 1
    fields = resgraph.analyze(RF_SPEC).receptive_fields
    assert [(f.stage, f.node, f.size, f.stride, f.centre) for f in fields] == [
        ("stem", "p", (7, 7), (4, 4), (1.0, 1.0)),
        ("s1", "s1.0.relu2", (23, 23), (4, 4), (1.0, 1.0))]


def test_published_receptive_fields() -> None:
    fields = resgraph.analyze("resnet18").receptive_fields
    assert fields[-1].size == (435, 435) and fields[-1].stride == (32, 32)
    assert resgraph.analyze("resnet50").receptive_fields[-1].size == (427, 427)


def test_input_override_changes_shapes_not_fields() -> None:
    small = resgraph.analyze("resnet18", input_shape=(3, 64, 64))
    assert small.input_shape == (3, 64, 64)
    assert small.receptive_fields[-1].size == (435, 435)
    assert small.macs < resgraph.analyze("resnet18").macs


def test_memory_by_hand() -> None:
    # fp16 at batch 2 = 4 bytes per element-sample: input 16 elements = 64 B, conv 32 = 128 B,
    # relu 128 B, flatten a view (0 B), fc 3 = 12 B. Live while relu runs: conv + relu = 256 B
    # (the input was freed after conv); the relu tensor lives on through the view to fc.
    memory = resgraph.analyze(MEMORY_SPEC, batch=2, dtype="fp16").memory
    assert memory.activation_bytes == 64 + 128 + 128 + 0 + 12
    assert (memory.peak_bytes, memory.peak_at) == (256, "relu1")
    assert memory.param_bytes == (2 * 1 + 3 * 32 + 3) * 2


def test_live_bytes_by_hand() -> None:
    # the spec of test_memory_by_hand: input 64 B; conv 64 + 128; relu 128 + 128 (input freed);
    # flatten a view of relu (conv freed); fc 128 + 12: the curve peaks where memory does
    from resgraph.analysis.memory import live_bytes

    report = resgraph.analyze(MEMORY_SPEC, batch=2, dtype="fp16")
    assert live_bytes(report.graph) == [64, 192, 256, 128, 140]


def test_adaptive_pooling_by_hand() -> None:
    # 14 to 4 (GoogLeNet's auxiliary heads): torch's windows [0, 4), [3, 7), [7, 11), [10, 14),
    # each 4 wide, starting 3 or 4 apart: a field of 4 stepping by 3; 4 + 4 + 4 + 4 = 16 rows
    # and 16 columns per channel, one add or divide each: 2 * 16 * 16 FLOPs
    spec = resgraph.Source("resgraph 1\nnetwork a\ninput 2x14x14\nstem { p: adaptive_avgpool(4) }\n")
    report = resgraph.analyze(spec)
    assert [(f.node, f.size, f.stride) for f in report.receptive_fields] == [
        ("p", (4, 4), (3, 3))]
    assert report.flops == 2 * 16 * 16
