resgraph 1
# Tan et al. "MnasNet: Platform-Aware Neural Architecture Search for Mobile", CVPR 2019: the
# B1 network of Figure 7 with a depth multiplier alpha, in torchvision's layout and names
# (torchvision.models.mnasnet, its version 2).

variant mnasnet0_5(alpha=0.5) "MnasNet-B1 0.5"
variant mnasnet0_75(alpha=0.75) "MnasNet-B1 0.75"
variant mnasnet1_0(alpha=1.0) "MnasNet-B1 1.0"
variant mnasnet1_3(alpha=1.3) "MnasNet-B1 1.3"

param alpha = 1.0
param dropout_p = 0.2
param num_classes = 1000
param image = 224

require alpha > 0, "alpha must be more than 0"
require dropout_p >= 0 and dropout_p <= 1, "dropout_p must be between 0 and 1"
# TensorFlow's batch norm decay 0.9997, as torch's momentum
let momentum = 1 - 0.9997
# every width is alpha times the paper's, to a multiple of 8 and never 10% below it
let widths = [make_divisible(d * alpha, 8, 0.9) for d in [32, 16, 24, 40, 80, 96, 192, 320]]
# the stacks of inverted residuals: kernel, first stride, expansion, repeats
let stacks = [[3, 2, 3, 3], [5, 2, 3, 3], [5, 2, 6, 3], [3, 1, 6, 2], [5, 2, 6, 4], [3, 1, 6, 1]]

block mnas_block(out, kernel = 3, stride = 1, expand = 3, momentum = 0.1) "MnasNet's inverted residual: a 1x1 expansion, a depthwise convolution, a linear 1x1 projection, the identity shortcut where the shapes allow" {
  let mid = in_channels * expand
  res = layers.0: conv(1, mid) -> layers.1: bn(momentum=momentum) -> layers.2: relu
    -> layers.3: conv(kernel, mid, stride=stride, groups=mid) -> layers.4: bn(momentum=momentum)
    -> layers.5: relu -> layers.6: conv(1, out) -> layers.7: bn(momentum=momentum)
  if stride == 1 and in_channels == out {
    add(res, input)
  } else {
    return res
  }
}

network mnasnet "MnasNet (Tan et al. 2019), torchvision layout"
input [3, image, image]
stem {
  layers.0: conv(3, widths[0], stride=2) -> layers.1: bn(momentum=momentum) -> layers.2: relu
  layers.3: conv(3, widths[0], groups=widths[0]) -> layers.4: bn(momentum=momentum)
    -> layers.5: relu -> layers.6: conv(1, widths[1]) -> layers.7: bn(momentum=momentum)
}

for k in range(len(stacks)) {
  stage f"stack{k + 1}": mnas_block(widths[k + 2], stacks[k][0], expand=stacks[k][2], momentum=momentum) x stacks[k][3] stride stacks[k][1] at f"layers.{k + 8}.{i}"
}

head {
  layers.14: conv(1, 1280) -> layers.15: bn(momentum=momentum) -> layers.16: relu
  mean: spatial_mean
  classifier.0: dropout(dropout_p) -> classifier.1: linear(num_classes)
}
