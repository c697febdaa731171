resgraph 1
# Zhang, Wu, Zhang, Zhu, Lin, Zhang, Sun, He, Mueller, Manmatha, Li, Smola. "ResNeSt:
# Split-Attention Networks", CVPR 2022 workshops (section 3, Fig. 2): a ResNet-D whose
# bottleneck's 3x3 convolution makes radix x cardinality groups of maps, and a split attention
# weighs the radix splits of each cardinal group by a softmax over them (a sigmoid where the
# radix is 1), computed from the splits' pooled sum. timm's layout and names
# (timm.models.resnest, SplitAttn): a deep stem, average-pool shortcuts, and in a block that
# strides the stride on an average pool after the split attention (avd), or before it
# (avd_first, the ablation models of the ResNeSt repository).

variant resnest14d(depth=14) "ResNeSt-14d: 2s1x64d, one block per stage (timm's)"
variant resnest26d(depth=26) "ResNeSt-26d: 2s1x64d, two blocks per stage"
variant resnest50d(depth=50) "ResNeSt-50d: 2s1x64d"
variant resnest101e(depth=101, stem_width=64, image=256) "ResNeSt-101e: 2s1x64d, a stem of width 64, at 256x256"
variant resnest50d_4s2x40d(depth=50, radix=4, cardinality=2, base_width=40, avd_first=true) "ResNeSt-50d 4s2x40d"
variant resnest50d_1s4x24d(depth=50, radix=1, cardinality=4, base_width=24, avd_first=true) "ResNeSt-50d 1s4x24d: a sigmoid gate per cardinal group"

param depth = 50
param radix = 2
param cardinality = 1
param base_width = 64
param stem_width = 32
param avd_first = false
param num_classes = 1000
param image = 224

require depth in [14, 26, 50, 101, 200, 269], "depth must be 14, 26, 50, 101, 200 or 269 (timm's ResNeSts)"
require radix >= 1 and radix <= 8, "radix counts the splits of a cardinal group: 1 to 8"
require cardinality >= 1 and cardinality <= 64, "cardinality counts the groups: 1 to 64"
require base_width >= 1 and base_width <= 256, "base_width is a group's width at planes 64: 1 to 256"
let layers = {14: [1, 1, 1, 1], 26: [2, 2, 2, 2], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 200: [3, 24, 36, 3], 269: [3, 30, 48, 8]}[depth]

block split_attention(out, radix = 2, groups = 1) "Zhang et al.'s split attention (timm's SplitAttn): a 3x3 convolution to radix splits of out maps, grouped radix x groups, BN and ReLU; the splits' sum pooled, two 1x1 convolutions (the first to a quarter of radix x out, at least 32), a softmax over each cardinal group's radix splits, and the splits weighed by it and summed" {
  let attn = max(32, make_divisible(in_channels * radix // 4, 8))
  x = conv: conv(3, out * radix, groups=groups * radix) -> bn0: bn -> relu
  if radix > 1 {
    splits = reshape(x, [radix, out, shape(x)[1], shape(x)[2]])
    pooled = sum(splits, dims=[0])
  } else {
    pooled = x
  }
  a = pooled -> global_avgpool -> fc1: conv(1, attn, groups=groups, bias=true) -> bn1: bn
    -> relu -> fc2: conv(1, out * radix, groups=groups, bias=true)
  if radix > 1 {
    w = a -> reshape([groups, radix, -1]) -> permute([1, 0, 2]) -> softmax(dim=0)
      -> reshape([radix, out, 1, 1])
    elementwise(splits, w, fn="mul") -> sum(dims=[0])
  } else {
    w = a -> sigmoid
    mul(x, w)
  }
}

block resnest_bottleneck(planes, stride = 1, radix = 2, groups = 1, base_width = 64, avd_first = false) "timm's ResNestBottleneck: a 1x1 convolution, split attention, an average pool of the stride after it (avd) or before it (avd_first), a 1x1 convolution to 4 planes, BN; the ResNet-D shortcut" {
  let width = planes * base_width // 64 * groups
  res = conv1: conv(1, width) -> bn1: bn -> relu
  if stride > 1 and avd_first {
    res = res -> avd_first: avgpool(3, stride=stride, pad=1)
  }
  res = res -> conv2: split_attention(width, radix, groups)
  if stride > 1 and not avd_first {
    res = res -> avd_last: avgpool(3, stride=stride, pad=1)
  }
  res = res -> conv3: conv(1, planes * 4) -> bn3: bn
  if stride > 1 or in_channels != planes * 4 {
    skip = input -> downsample: downsample(planes * 4, stride, "D")
  } else {
    skip = input
  }
  add(res, skip) -> relu
}

let unit = resnest_bottleneck(radix=radix, groups=cardinality, base_width=base_width, avd_first=avd_first)

network resnest "ResNeSt (Zhang et al. 2022), timm layout"
input [3, image, image]
stem {
  conv1: deep_stem(stem_width, stem_width * 2) -> bn1: bn -> relu
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
