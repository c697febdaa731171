resgraph 1
# Han, Wang, Tian, Guo, Xu, Xu. "GhostNet: More Features from Cheap Operations", CVPR 2020
# (Table 1, Fig. 3): a Ghost module makes half its maps with a 1x1 convolution and the other
# half from those with a cheap 3x3 depthwise one, concatenated; a Ghost bottleneck is two
# Ghost modules (the second linear), a depthwise convolution between them where it strides,
# squeeze-excitation where Table 1 says, and the identity or a depthwise-separable shortcut.
# timm's layout and names (timm.models.ghostnet, version 1): each row of Table 1 a stage of
# its own but the runs of 80 and 160 maps, then a stage of the 960-map 1x1 convolution.

variant ghostnet_050(width=0.5) "GhostNet 0.5x (timm's)"
variant ghostnet_100(width=1.0) "GhostNet 1.0x, Table 1"
variant ghostnet_130(width=1.3) "GhostNet 1.3x"

param width = 1.0
param drop_rate = 0.2
param num_classes = 1000
param image = 224

require width > 0 and width <= 4, "width multiplies every layer's maps: above 0, at most 4"
require drop_rate >= 0 and drop_rate <= 1, "drop_rate must be between 0 and 1"
# Table 1, grouped into stages as timm's cfgs: kernel, expansion, output maps, SE ratio, stride
let table = [[[3, 16, 16, 0, 1]], [[3, 48, 24, 0, 2]], [[3, 72, 24, 0, 1]], [[5, 72, 40, 0.25, 2]], [[5, 120, 40, 0.25, 1]], [[3, 240, 80, 0, 2]], [[3, 200, 80, 0, 1], [3, 184, 80, 0, 1], [3, 184, 80, 0, 1], [3, 480, 112, 0.25, 1], [3, 672, 112, 0.25, 1]], [[5, 672, 160, 0.25, 2]], [[5, 960, 160, 0, 1], [5, 960, 160, 0.25, 1], [5, 960, 160, 0, 1], [5, 960, 160, 0.25, 1]]]

block ghost(out, relu_after = true) "Han et al.'s Ghost module (timm's GhostModule): a 1x1 convolution to half the maps and a 3x3 depthwise convolution of those, each with BN (and ReLU unless linear), concatenated" {
  require out % 2 == 0, "a Ghost module makes an even number of maps (timm's widths are multiples of 4)"
  let init = out // 2
  primary = primary_conv.0: conv(1, init) -> primary_conv.1: bn
  if relu_after {
    primary = primary -> relu
  }
  cheap = primary -> cheap_operation.0: conv(3, init, groups=init) -> cheap_operation.1: bn
  if relu_after {
    cheap = cheap -> relu
  }
  concat(primary, cheap)
}

block ghost_bottleneck(out, mid, kernel = 3, stride = 1, se = 0.0) "Han et al.'s Ghost bottleneck (timm's GhostBottleneck): a Ghost module to mid maps, a depthwise convolution and BN where it strides, squeeze-excitation of ratio se (timm's: a hard-sigmoid gate, its width to a multiple of 4), a linear Ghost module to out; the identity shortcut where the shape stays, else a depthwise and a 1x1 convolution, each with BN" {
  res = ghost1: ghost(mid)
  if stride > 1 {
    res = res -> conv_dw: conv(kernel, mid, stride=stride, groups=mid) -> bn_dw: bn
  }
  if se > 0 {
    gate = res -> global_avgpool
      -> se.conv_reduce: conv(1, make_divisible(mid * se, 4, 0.9), bias=true) -> relu
      -> se.conv_expand: conv(1, mid, bias=true) -> hardsigmoid
    res = mul(res, gate)
  }
  res = res -> ghost2: ghost(out, relu_after=false)
  if stride == 1 and in_channels == out {
    skip = input
  } else {
    skip = input -> shortcut.0: conv(kernel, in_channels, stride=stride, groups=in_channels)
      -> shortcut.1: bn -> shortcut.2: conv(1, out) -> shortcut.3: bn
  }
  add(res, skip)
}

block conv_bn_act(out) "a 1x1 convolution, BN and ReLU (timm's ConvBnAct)" {
  conv: conv(1, out) -> bn1: bn -> relu
}

network ghostnet "GhostNet (Han et al. 2020), timm layout"
input [3, image, image]
stem {
  conv_stem: conv(3, make_divisible(16 * width, 4, 0.9), stride=2) -> bn1: bn -> relu
}

for k in range(len(table)) {
  let rows = table[k]
  stage f"blocks{k}": ghost_bottleneck(make_divisible(rows[i][2] * width, 4, 0.9), make_divisible(rows[i][1] * width, 4, 0.9), rows[i][0], se=rows[i][3]) x len(rows) stride rows[0][4] at f"blocks.{k}.{i}"
}

# timm's last stage: one ConvBnAct, the 1x1 convolution to 960 maps
stage f"blocks{len(table)}": conv_bn_act(make_divisible(960 * width, 4, 0.9)) x 1 at f"blocks.{len(table)}.0"
head {
  global_pool: global_avgpool -> conv_head: conv(1, 1280, bias=true) -> act2: relu -> flatten
  dropout(drop_rate) -> classifier: linear(num_classes)
}
