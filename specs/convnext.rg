resgraph 1
# Liu, Mao, Wu, Feichtenhofer, Darrell, Xie. "A ConvNet for the 2020s", CVPR 2022: ConvNeXt
# T/S/B/L in torchvision's layout and names (torchvision.models.convnext). Widths double from
# stage to stage (C, 2C, 4C, 8C, section 3 of the paper); a LayerNorm and a 2x2 convolution
# of stride 2 go between stages; stochastic depth grows linearly from 0 to its rate over all
# blocks.

variant convnext_tiny(width=96, stage3_depth=9, stochastic_depth_prob=0.1) "ConvNeXt-T"
variant convnext_small(width=96, stage3_depth=27, stochastic_depth_prob=0.4) "ConvNeXt-S"
variant convnext_base(width=128, stage3_depth=27, stochastic_depth_prob=0.5) "ConvNeXt-B"
variant convnext_large(width=192, stage3_depth=27, stochastic_depth_prob=0.5) "ConvNeXt-L"

param width = 96
param stage3_depth = 9
param stochastic_depth_prob = 0.1
param layer_scale_init = 1e-6
param num_classes = 1000
param image = 224

require width >= 1, "width must be at least 1"
require stage3_depth >= 1, "stage3_depth must be at least 1"
require stochastic_depth_prob >= 0 and stochastic_depth_prob <= 1, "stochastic_depth_prob must be between 0 and 1"
require layer_scale_init > 0, "layer_scale_init must be more than 0"
# the paper's stage compute ratio 1:1:3:1 (T: 3, 3, 9, 3; S, B, L: 3, 3, 27, 3)
let depths = [3, 3, stage3_depth, 3]
let widths = [width * 2 ** k for k in range(4)]
# the index of each stage's first block among all blocks, which sets its stochastic depth
let firsts = [sum([depths[j] for j in range(k)]) for k in range(4)]
let total = sum(depths)

block convnext_block(drop = 0.0, scale = 1e-6) "Liu et al.'s block: a 7x7 depthwise convolution, LayerNorm, a 4x pointwise expansion with GELU and its projection, a learned per-channel layer scale, stochastic depth, and the identity shortcut" {
  let dim = in_channels
  res = block.0: conv(7, dim, groups=dim, bias=true) -> block.2: layernorm
    -> block.3: channel_linear(4 * dim) -> block.4: gelu -> block.5: channel_linear(dim)
    -> layer_scale: layer_scale(scale) -> stochastic_depth: stochastic_depth(drop)
  add(res, input)
}

block convnext_downsample(out) "between stages: LayerNorm, then a 2x2 convolution of stride 2 to the next width" {
  0: layernorm -> 1: conv(2, out, stride=2, pad=0, bias=true)
}

network convnext "ConvNeXt (Liu et al. 2022), torchvision layout"
input [3, image, image]
stem {
  features.0.0: conv(4, width, stride=4, pad=0, bias=true) -> features.0.1: layernorm
}

# each stage, then (before the next stage, none after the last) the downsample to its width
for k in range(4) {
  stage f"stage{k + 1}": convnext_block(stochastic_depth_prob * (firsts[k] + i) / (total - 1.0), layer_scale_init) x depths[k] at f"features.{2 * k + 1}.{i}"
  for to in k < 3 ? [widths[k + 1]] : [] {
    stage f"downsample{k + 1}": convnext_downsample(to) x 1 at f"features.{2 * k + 2}"
  }
}

head {
  avgpool: global_avgpool
  classifier.0: layernorm -> flatten -> classifier.2: linear(num_classes)
}
