"""specs/resunet.rg: the residual U-Net of Zhang et al. 2018, its figures derived by hand."""

import resgraph


def unit(cin: int, out: int) -> int:
    """A non-first unit: bn1 (2 cin), conv1 3x3 with bias (9 cin out + out), bn2 (2 out),
    conv2 3x3 with bias (9 out² + out), the 1x1 shortcut (cin out) and its BN (2 out)."""
    return 2 * cin + 10 * cin * out + 9 * out * out + 6 * out


def test_params_are_derived_by_hand():
    # enc1, the first unit: conv1 3·64·9 + 64 = 1,792, bn2 128, conv2 64·64·9 + 64 = 36,928,
    # shortcut 3·64 = 192 and its BN 128: 39,168
    first = 1792 + 128 + 36928 + 192 + 128
    # enc2 64→128, enc3 128→256, the bridge 256→512; each decoder level reads the
    # upsampled level below concatenated with its skip: 512+256, 256+128, 128+64 channels
    levels = unit(64, 128) + unit(128, 256) + unit(256, 512)
    decoder = unit(768, 256) + unit(384, 128) + unit(192, 64)
    head = 64 + 1  # the 1x1 convolution to one map, with its bias
    assert first + levels + decoder + head == 8_222_401
    assert resgraph.analyze("resunet").params == 8_222_401


def test_macs_are_derived_by_hand():
    # a conv's MACs: kernel·cin·out per output pixel (biases are not MACs)
    def conv(k: int, cin: int, out: int, side: int) -> int:
        return k * k * cin * out * side * side

    def unit_macs(cin: int, out: int, side: int, stride: int) -> int:
        return conv(3, cin, out, side // stride) + conv(3, out, out, side // stride) \
            + conv(1, cin, out, side // stride)

    macs = (conv(3, 3, 64, 224) + conv(3, 64, 64, 224) + conv(1, 3, 64, 224)
            + unit_macs(64, 128, 224, 2) + unit_macs(128, 256, 112, 2)
            + unit_macs(256, 512, 56, 2)
            + unit_macs(768, 256, 56, 1) + unit_macs(384, 128, 112, 1)
            + unit_macs(192, 64, 224, 1) + conv(1, 64, 1, 224))
    assert resgraph.analyze("resunet").macs == macs == 34_627_059_712


def test_the_long_skips_make_short_paths():
    """enc1's skip to dec1 bypasses the bridge: its shortest path is 3 weighted layers
    (enc1's shortcut, dec1's shortcut, the 1x1 head), the longest 15 (every 3x3 in line)."""
    lengths = resgraph.analyze("resunet").paths.lengths
    assert (lengths.shortest, lengths.longest) == (3, 15)
