resgraph 1
# Radosavovic, Kosaraju, Girshick, He, Dollar. "Designing Network Design Spaces", CVPR 2020:
# RegNetX and RegNetY from the design space's parameters (depth, w0, wa, wm, group_width,
# bottleneck_ratio, se_ratio), in torchvision's layout and names (torchvision.models.regnet).

variant regnet_x_400mf(depth=22, w0=24, wa=24.48, wm=2.54, group_width=16, se_ratio=0.0) "RegNetX-400MF"
variant regnet_x_800mf(depth=16, w0=56, wa=35.73, wm=2.28, group_width=16, se_ratio=0.0) "RegNetX-800MF"
variant regnet_x_1_6gf(depth=18, w0=80, wa=34.01, wm=2.25, group_width=24, se_ratio=0.0) "RegNetX-1.6GF"
variant regnet_x_3_2gf(depth=25, w0=88, wa=26.31, wm=2.25, group_width=48, se_ratio=0.0) "RegNetX-3.2GF"
variant regnet_x_8gf(depth=23, w0=80, wa=49.56, wm=2.88, group_width=120, se_ratio=0.0) "RegNetX-8GF"
variant regnet_x_16gf(depth=22, w0=216, wa=55.59, wm=2.1, group_width=128, se_ratio=0.0) "RegNetX-16GF"
variant regnet_x_32gf(depth=23, w0=320, wa=69.86, wm=2.0, group_width=168, se_ratio=0.0) "RegNetX-32GF"
variant regnet_y_400mf(depth=16, w0=48, wa=27.89, wm=2.09, group_width=8) "RegNetY-400MF"
variant regnet_y_800mf(depth=14, w0=56, wa=38.84, wm=2.4, group_width=16) "RegNetY-800MF"
variant regnet_y_1_6gf(depth=27, w0=48, wa=20.71, wm=2.65, group_width=24) "RegNetY-1.6GF"
variant regnet_y_3_2gf(depth=21, w0=80, wa=42.63, wm=2.66, group_width=24) "RegNetY-3.2GF"
variant regnet_y_8gf(depth=17, w0=192, wa=76.82, wm=2.19, group_width=56) "RegNetY-8GF"
variant regnet_y_16gf(depth=18, w0=200, wa=106.23, wm=2.48, group_width=112) "RegNetY-16GF"
variant regnet_y_32gf(depth=20, w0=232, wa=115.89, wm=2.53, group_width=232) "RegNetY-32GF"
variant regnet_y_128gf(depth=27, w0=456, wa=160.83, wm=2.52, group_width=264) "RegNetY-128GF"

param depth = 16
param w0 = 48
param wa = 27.89
param wm = 2.09
param group_width = 8
param bottleneck_ratio = 1.0
param se_ratio = 0.25
param num_classes = 1000
param image = 224

require depth >= 1, "depth must be at least 1"
require w0 > 0 and w0 % 8 == 0, "w0 must be a positive multiple of 8"
require wa >= 0, "wa must be at least 0"
require wm > 1, "wm must be more than 1"
require group_width >= 1, "group_width must be at least 1"
require bottleneck_ratio > 0, "bottleneck_ratio must be more than 0"
require se_ratio >= 0, "se_ratio must be at least 0"
# block j's width: w0 + wa·j, quantised to w0·wm^s (s the nearest whole step), to multiples of 8
let widths = [round(w0 * wm ** round(log((w0 + wa * j) / w0, wm)) / 8) * 8 for j in range(depth)]
# a stage is a run of blocks of one width
let starts = [j for j in range(depth) if j == 0 or widths[j] != widths[j - 1]]
let depths = [(k + 1 < len(starts) ? starts[k + 1] : depth) - starts[k] for k in range(len(starts))]
# each stage's bottleneck width is a multiple of its group width (torchvision's adjustment)
let bottlenecks = [floor(widths[j] * bottleneck_ratio) for j in starts]
let group_widths = [min(group_width, b) for b in bottlenecks]
let stage_widths = [floor(make_divisible(bottlenecks[k], group_widths[k], 0.9) / bottleneck_ratio) for k in range(len(starts))]

block regnet_block(width, stride = 1, group_width = 8, bottleneck_ratio = 1.0, se_ratio = 0.0) "RegNet's residual bottleneck: 1x1, grouped 3x3, 1x1; X without squeeze-excitation, Y with it" {
  let w_b = round(width * bottleneck_ratio)
  res = f.a.0: conv(1, w_b) -> f.a.1: bn -> f.a.2: relu
    -> f.b.0: conv(3, w_b, stride=stride, groups=w_b // group_width) -> f.b.1: bn -> f.b.2: relu
  if se_ratio > 0 {
    res = res -> f.se: squeeze_excitation(round(se_ratio * in_channels))
  }
  res = res -> f.c.0: conv(1, width) -> f.c.1: bn
  if stride != 1 or in_channels != width {
    skip = input -> proj.0: conv(1, width, stride=stride) -> proj.1: bn
  } else {
    skip = input
  }
  add(skip, res) -> activation: relu
}

network regnet "RegNet (Radosavovic et al. 2020), torchvision layout"
input [3, image, image]
stem {
  stem.0: conv(3, 32, stride=2) -> stem.1: bn -> stem.2: relu
}

for k in range(len(starts)) {
  stage f"block{k + 1}": regnet_block(stage_widths[k], group_width=group_widths[k], bottleneck_ratio=bottleneck_ratio, se_ratio=se_ratio) x depths[k] stride 2 at f"trunk_output.block{k + 1}.block{k + 1}-{i}"
}

head {
  avgpool: global_avgpool -> flatten
  fc: linear(num_classes)
}
