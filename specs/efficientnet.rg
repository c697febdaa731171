resgraph 1
# Tan and Le. "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", ICML
# 2019: B0's table (Table 1) scaled by width and depth multipliers, in torchvision's layout and
# names (torchvision.models.efficientnet). Widths are multiples of 8, never 10% below the
# scaled width; depths are rounded up; stochastic depth grows from 0 over the blocks; the
# resolution is torchvision's for each variant (its weights' crop size).

variant efficientnet_b0(width_mult=1.0, depth_mult=1.0, dropout_p=0.2, image=224) "EfficientNet-B0"
variant efficientnet_b1(width_mult=1.0, depth_mult=1.1, dropout_p=0.2, image=240) "EfficientNet-B1"
variant efficientnet_b2(width_mult=1.1, depth_mult=1.2, dropout_p=0.3, image=288) "EfficientNet-B2"
variant efficientnet_b3(width_mult=1.2, depth_mult=1.4, dropout_p=0.3, image=300) "EfficientNet-B3"
variant efficientnet_b4(width_mult=1.4, depth_mult=1.8, dropout_p=0.4, image=380) "EfficientNet-B4"
variant efficientnet_b5(width_mult=1.6, depth_mult=2.2, dropout_p=0.4, image=456, bn_eps=0.001, bn_momentum=0.01) "EfficientNet-B5"
variant efficientnet_b6(width_mult=1.8, depth_mult=2.6, dropout_p=0.5, image=528, bn_eps=0.001, bn_momentum=0.01) "EfficientNet-B6"
variant efficientnet_b7(width_mult=2.0, depth_mult=3.1, dropout_p=0.5, image=600, bn_eps=0.001, bn_momentum=0.01) "EfficientNet-B7"

param width_mult = 1.0
param depth_mult = 1.0
param dropout_p = 0.2
param stochastic_depth_prob = 0.2
param bn_eps = 1e-5
param bn_momentum = 0.1
param num_classes = 1000
param image = 224

require width_mult > 0, "width_mult must be more than 0"
require depth_mult > 0, "depth_mult must be more than 0"
require dropout_p >= 0 and dropout_p <= 1, "dropout_p must be between 0 and 1"
require stochastic_depth_prob >= 0 and stochastic_depth_prob <= 1, "stochastic_depth_prob must be between 0 and 1"
# B0, Table 1: expansion, kernel, first stride, input and output channels, layers
let table = [[1, 3, 1, 32, 16, 1], [6, 3, 2, 16, 24, 2], [6, 5, 2, 24, 40, 2], [6, 3, 2, 40, 80, 3], [6, 5, 1, 80, 112, 3], [6, 5, 2, 112, 192, 4], [6, 3, 1, 192, 320, 1]]
let ins = [make_divisible(row[3] * width_mult, 8, 0.9) for row in table]
let outs = [make_divisible(row[4] * width_mult, 8, 0.9) for row in table]
let depths = [ceil(row[5] * depth_mult) for row in table]
let firsts = [sum([depths[j] for j in range(k)]) for k in range(len(table))]
let total = sum(depths)

network efficientnet "EfficientNet (Tan and Le 2019), torchvision layout"
input [3, image, image]
stem {
  features.0.0: conv(3, ins[0], stride=2) -> features.0.1: bn(eps=bn_eps, momentum=bn_momentum)
    -> features.0.2: silu
}

# a stage's first block takes the previous stage's width, the others its own
for k in range(len(table)) {
  stage f"stage{k + 1}": mbconv(outs[k], table[k][1], expanded=make_divisible((i == 0 ? ins[k] : outs[k]) * table[k][0], 8, 0.9), act=silu, squeeze=max(1, (i == 0 ? ins[k] : outs[k]) // 4), eps=bn_eps, momentum=bn_momentum, sd=true, drop=stochastic_depth_prob * (firsts[k] + i) / total) x depths[k] stride table[k][2] at f"features.{k + 1}.{i}"
}

head {
  features.8.0: conv(1, 4 * outs[6]) -> features.8.1: bn(eps=bn_eps, momentum=bn_momentum)
    -> features.8.2: silu
  avgpool: global_avgpool -> flatten
  classifier.0: dropout(dropout_p) -> classifier.1: linear(num_classes)
}
