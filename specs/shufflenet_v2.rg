resgraph 1
# Ma, Zhang, Zheng, Sun. "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture
# Design", ECCV 2018: the unit of Figure 3 (c, d) and Table 5's stages at widths 0.5x to 2x,
# in torchvision's layout and names (torchvision.models.shufflenetv2).

variant shufflenet_v2_x0_5(width_mult=0.5) "ShuffleNetV2 0.5x"
variant shufflenet_v2_x1_0(width_mult=1.0) "ShuffleNetV2 1.0x"
variant shufflenet_v2_x1_5(width_mult=1.5) "ShuffleNetV2 1.5x"
variant shufflenet_v2_x2_0(width_mult=2.0) "ShuffleNetV2 2.0x"

param width_mult = 1.0
param num_classes = 1000
param image = 224

require width_mult in [0.5, 1.0, 1.5, 2.0], "width_mult must be one of Table 5's: 0.5, 1.0, 1.5 or 2.0"
# Table 5: output channels of conv1, stage2, stage3, stage4 and conv5 at each width
let mults = [0.5, 1.0, 1.5, 2.0]
let table = [[24, 48, 96, 192, 1024], [24, 116, 232, 464, 1024], [24, 176, 352, 704, 1024], [24, 244, 488, 976, 2048]]
let widths = [table[j] for j in range(len(mults)) if mults[j] == width_mult][0]
let repeats = [4, 8, 4]

block shuffle_unit(out, stride = 1) "Ma et al.'s unit: a stride-1 unit splits the channels in two halves and transforms one (1x1, 3x3 depthwise, 1x1); a stride-2 unit transforms the whole input in two branches; the halves are concatenated and shuffled, each half's channels interleaved with the other's" {
  require out % 2 == 0, "a shuffle unit's output channels must be even"
  let half = out // 2
  if stride > 1 {
    left = branch1.0: conv(3, in_channels, stride=stride, groups=in_channels) -> branch1.1: bn
      -> branch1.2: conv(1, half) -> branch1.3: bn -> branch1.4: relu
    right = input
  } else {
    require in_channels == out, "a stride-1 shuffle unit keeps its width"
    left = part(input, dim=0, start=0, size=half)
    right = part(input, dim=0, start=half, size=half)
  }
  right = right -> branch2.0: conv(1, half) -> branch2.1: bn -> branch2.2: relu
    -> branch2.3: conv(3, half, stride=stride, groups=half) -> branch2.4: bn
    -> branch2.5: conv(1, half) -> branch2.6: bn -> branch2.7: relu
  both = concat(left, right)
  both -> reshape([2, half, -1]) -> permute([1, 0, 2]) -> reshape(shape(both))
}

network shufflenet_v2 "ShuffleNetV2 (Ma et al. 2018), torchvision layout"
input [3, image, image]
stem {
  conv1.0: conv(3, widths[0], stride=2) -> conv1.1: bn -> conv1.2: relu
  maxpool: maxpool(3, stride=2, pad=1)
}

for k in range(3) {
  stage f"stage{k + 2}": shuffle_unit(widths[k + 1]) x repeats[k] stride 2
}

head {
  conv5.0: conv(1, widths[4]) -> conv5.1: bn -> conv5.2: relu
  spatial_mean
  fc: linear(num_classes)
}
