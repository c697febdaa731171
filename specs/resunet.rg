resgraph 1
# Zhang, Liu, Wang. "Road Extraction by Deep Residual U-Net", IEEE GRSL 2018 (Fig. 3, Table I):
# a residual encoder (the first unit without its leading BN and ReLU, each further one halving
# the size), a bridge, a decoder of upsampling, concatenation with the encoder's level and a
# residual unit, then a 1x1 convolution and a sigmoid. Each unit is He et al. 2016b's full
# pre-activation unit of two 3x3 convolutions; its shortcut a 1x1 convolution and a BN, as in
# the paper's own Keras model. depth counts the encoder's levels (the paper's 3), base the
# first level's width (64); each level doubles it.

variant resunet(depth=3, base=64) "ResUNet: 3 residual encoder levels of 64, 128, 256, a 512 bridge, 3 decoder levels"
variant resunet_small(depth=2, base=32) "ResUNet with 2 encoder levels of 32 and 64, a 128 bridge"

param depth = 3
param base = 64
param classes = 1
param image = 224

require depth >= 1 and depth <= 5, "depth counts the encoder's levels: 1 to 5"
require base >= 8 and base % 8 == 0, "base is the first level's width, a multiple of 8"
require image % 2 ** depth == 0, "the image halves at each level below the first and at the bridge: a multiple of 2**depth"
require classes >= 1, "classes counts the output maps"

block unit(out, stride = 1, first = false) "ResUNet's residual unit: BN, ReLU and a 3x3 convolution twice (the first unit of the network without its leading BN and ReLU), the stride on the first convolution; the shortcut a 1x1 convolution and a BN" {
  if first {
    res = conv1: conv(3, out, bias=true) -> bn2: bn -> relu -> conv2: conv(3, out, bias=true)
  } else {
    res = bn1: bn -> relu -> conv1: conv(3, out, stride=stride, bias=true) -> bn2: bn -> relu
      -> conv2: conv(3, out, bias=true)
  }
  skip = input -> shortcut: downsample(out, stride)
  add(res, skip)
}

block up(out, skip) "a decoder level: its input upsampled twice (nearest), concatenated with the encoder's level of that size, a residual unit" {
  upsampled = upsample: interpolate(scale=2)
  merged = concat: concat(upsampled, skip)
  merged -> unit: unit(out)
}

network resunet "ResUNet (Zhang et al. 2018), a residual U-Net"
input [3, image, image]
stage enc1: unit(base, first=true) x 1

for k in range(1, depth) {
  stage f"enc{k + 1}": unit(base * 2 ** k) x 1 stride 2
}

stage bridge: unit(base * 2 ** depth) x 1 stride 2

for k in range(depth, 0, -1) {
  stage f"dec{k}": up(base * 2 ** (k - 1), skip=results[f"enc{k}"]) x 1
}

head {
  out: conv(1, classes, bias=true) -> sigmoid
}
