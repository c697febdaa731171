resgraph 1
# Sandler, Howard, Zhu, Zhmoginov, Chen. "MobileNetV2: Inverted Residuals and Linear
# Bottlenecks", CVPR 2018: the inverted residual block and Table 2's stages, in torchvision's
# layout and names (torchvision.models.mobilenetv2).

variant mobilenet_v2() "MobileNetV2 1.0"

param width_mult = 1.0
param num_classes = 1000
param dropout_p = 0.2
param image = 224

require width_mult > 0, "width_mult must be more than 0"
require dropout_p >= 0 and dropout_p <= 1, "dropout_p must be between 0 and 1"
# Table 2: expansion t, channels c, repeats n, first stride s of each stage
let table = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
# every width is width_mult times the paper's, to a multiple of 8 and never 10% below it
let widths = [make_divisible(row[1] * width_mult, 8, 0.9) for row in table]
# features.0 is the stem, then the blocks are numbered on across stages
let firsts = [1 + sum([table[j][2] for j in range(k)]) for k in range(len(table))]

block inverted_residual(out, stride = 1, expand = 1) "Sandler et al.'s inverted residual: a 1x1 expansion (none when expand is 1), a 3x3 depthwise convolution, a linear 1x1 projection; the identity shortcut only where the shapes allow it" {
  let hidden = in_channels * expand
  if expand != 1 {
    res = conv.0.0: conv(1, hidden) -> conv.0.1: bn -> conv.0.2: relu6
      -> conv.1.0: conv(3, hidden, stride=stride, groups=hidden) -> conv.1.1: bn
      -> conv.1.2: relu6 -> conv.2: conv(1, out) -> conv.3: bn
  } else {
    res = conv.0.0: conv(3, hidden, stride=stride, groups=hidden) -> conv.0.1: bn
      -> conv.0.2: relu6 -> conv.1: conv(1, out) -> conv.2: bn
  }
  if stride == 1 and in_channels == out {
    add(input, res)
  } else {
    return res
  }
}

network mobilenet_v2 "MobileNetV2 (Sandler et al. 2018), torchvision layout"
input [3, image, image]
stem {
  features.0.0: conv(3, make_divisible(32 * width_mult, 8, 0.9), stride=2) -> features.0.1: bn
    -> features.0.2: relu6
}

for k in range(len(table)) {
  stage f"stage{k + 1}": inverted_residual(widths[k], expand=table[k][0]) x table[k][2] stride table[k][3] at f"features.{firsts[k] + i}"
}

head {
  features.18.0: conv(1, make_divisible(1280 * max(1.0, width_mult), 8, 0.9))
    -> features.18.1: bn -> features.18.2: relu6
  avgpool: global_avgpool -> flatten
  classifier.0: dropout(dropout_p) -> classifier.1: linear(num_classes)
}
