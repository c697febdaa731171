resgraph 1
# Gao, Cheng, Zhao, Zhang, Yang, Torr. "Res2Net: A New Multi-scale Backbone Architecture",
# TPAMI 2021 (section 3.1, Fig. 2): a bottleneck whose 3x3 convolution is split into scale
# groups of width channels, each group's convolution reading its own split plus the group
# before's output, so one block holds receptive fields of 1 to scale - 1 convolutions; the
# last split passes as it is. timm's layout and names (timm.models.res2net, Bottle2neck on
# timm's ResNet): in a block that strides or changes width ("stage" blocks) no split adds
# the one before, and the last split is average-pooled (3x3, the block's stride, zeros
# counted) instead. groups > 1 is Res2NeXt (each group's convolution grouped).

variant res2net50_26w_4s(depth=50, base_width=26, scale=4) "Res2Net-50 26w×4s (timm's)"
variant res2net50_26w_6s(depth=50, base_width=26, scale=6) "Res2Net-50 26w×6s"
variant res2net50_26w_8s(depth=50, base_width=26, scale=8) "Res2Net-50 26w×8s"
variant res2net50_48w_2s(depth=50, base_width=48, scale=2) "Res2Net-50 48w×2s"
variant res2net50_14w_8s(depth=50, base_width=14, scale=8) "Res2Net-50 14w×8s"
variant res2net101_26w_4s(depth=101, base_width=26, scale=4) "Res2Net-101 26w×4s"
variant res2next50(depth=50, base_width=4, scale=4, groups=8) "Res2NeXt-50 4w×4s×8c"

param depth = 50
param base_width = 26
param scale = 4
param groups = 1
param num_classes = 1000
param image = 224

require depth in [50, 101, 152], "depth must be 50, 101 or 152"
require scale >= 2 and scale <= 16, "scale counts the splits of a block's 3x3 convolution: 2 to 16"
require base_width >= 1 and base_width <= 256, "base_width is a split's width at planes 64: 1 to 256"
require groups >= 1, "groups is the splits' convolutions' cardinality (Res2NeXt), at least 1"
let layers = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}[depth]

block bottle2neck(planes, stride = 1, base_width = 26, scale = 4, groups = 1) "Gao et al.'s Res2Net bottleneck (timm's Bottle2neck): a 1x1 convolution to scale splits of width channels, each but the last convolved 3x3 after adding the split before's output, concatenated, a 1x1 convolution to 4 planes; a block that strides or changes width neither adds nor keeps the last split as it is but pools it" {
  let width = planes * base_width // 64 * groups
  let first = stride > 1 or in_channels != planes * 4
  out = conv1: conv(1, width * scale) -> bn1: bn -> relu
  let pieces = []
  sp = out
  for i in range(scale - 1) {
    split = part(out, start=i * width, size=width)
    if i == 0 or first {
      sp = split
    } else {
      sp = add(sp, split)
    }
    sp = sp -> f"convs.{i}": conv(3, width, stride=stride, groups=groups) -> f"bns.{i}": bn
      -> relu
    let pieces = pieces + [sp]
  }
  last = part(out, start=(scale - 1) * width, size=width)
  if first {
    last = last -> pool: avgpool(3, stride=stride, pad=1)
  }
  res = concat(pieces + [last]) -> conv3: conv(1, planes * 4) -> bn3: bn
  if first {
    skip = input -> downsample: downsample(planes * 4, stride)
  } else {
    skip = input
  }
  add(res, skip) -> relu
}

let unit = bottle2neck(base_width=base_width, scale=scale, groups=groups)

network res2net "Res2Net (Gao et al. 2021), timm layout"
input [3, image, image]
stem {
  conv1: conv(7, 64, stride=2) -> bn1: bn -> relu
  maxpool: maxpool(3, stride=2, pad=1)
}
stage layer1: unit(64) x layers[0]
stage layer2: unit(128) x layers[1] stride 2
stage layer3: unit(256) x layers[2] stride 2
stage layer4: unit(512) x layers[3] stride 2
head {
  global_pool: global_avgpool -> flatten
  fc: linear(num_classes)
}
