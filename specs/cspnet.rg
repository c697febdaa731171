resgraph 1
# Wang, Liao, Wu, Chen, Hsieh, Yeh. "CSPNet: A New Backbone that can Enhance Learning
# Capability of CNN", CVPR Workshops 2020: cross-stage partial ResNets in timm's layout and
# names (timm.models.cspnet, CrossStage and BottleneckBlock). Each stage (but the first)
# halves the resolution with a 3x3 convolution, expands with a linear 1x1 convolution and
# splits its maps in two (Fig. 2 (b)): one half goes through the stage's residual blocks and a
# 1x1 transition, the other bypasses them, and the two are concatenated and mixed by a last
# 1x1 transition. Every activation is a leaky ReLU (slope 0.01).

variant cspresnet50() "CSPResNet-50"
variant cspresnet50d(deep_stem=true) "CSPResNet-50 with a three-convolution stem"
variant cspresnet50w(deep_stem=true, width=256, expand_ratio=1.0, bottle_ratio=0.25, block_ratio=0.5) "a wide CSPResNet-50"
variant cspresnext50(width=256, groups=32, expand_ratio=1.0, bottle_ratio=1.0, block_ratio=0.5) "CSPResNeXt-50 (32 groups)"

param width = 128
param groups = 1
param expand_ratio = 2.0
param bottle_ratio = 0.5
param block_ratio = 1.0
param deep_stem = false
param num_classes = 1000
param image = 256

require width >= 8 and width % 8 == 0, "width, the first stage's output maps, must be a multiple of 8"
require groups >= 1, "groups must be at least 1"
require expand_ratio > 0 and bottle_ratio > 0 and block_ratio > 0, "expand_ratio, bottle_ratio and block_ratio must be more than 0"
# timm's CspStagesCfg for these four: blocks per stage, widths doubling
let depths = [3, 3, 5, 2]
let widths = [width * 2 ** k for k in range(4)]

block conv_norm_act(out, kernel = 1, stride = 1, groups = 1, act = true) "timm's ConvNormAct: a convolution, batch norm and (but for a linear one) a leaky ReLU, its modules conv, bn and bn.act" {
  x = conv: conv(kernel, out, stride=stride, groups=groups) -> bn: bn
  if act {
    x = x -> bn.act: leaky_relu
  }
  x
}

block cross_entry(out, expanded, stride, groups) "a stage's entry: a strided 3x3 convolution where the stage downsamples, then the linear 1x1 expansion (cross_linear) whose maps the stage splits" {
  x = input
  if stride > 1 {
    x = x -> conv_down: conv_norm_act(in_channels, 3, stride, groups)
  }
  x -> conv_exp: conv_norm_act(expanded, act=false)
}

block csp_bottleneck(out, mid, groups, split = false) "timm's BottleneckBlock: 1x1, 3x3 (grouped), linear 1x1 convolutions added to the input, a leaky ReLU; the stage's first block takes the second half of the expanded maps" {
  x = input
  if split {
    x = x -> part(dim=0, start=in_channels // 2, size=in_channels // 2)
  }
  res = x -> conv1: conv_norm_act(mid) -> conv2: conv_norm_act(mid, 3, groups=groups)
    -> conv3: conv_norm_act(out, act=false)
  add(res, x) -> act3: leaky_relu
}

block cross_exit(out, expanded) "a stage's exit: the blocks' 1x1 transition, concatenated after the first half of the expanded maps, and the 1x1 transition of both" {
  bypass = expanded -> part(dim=0, start=0, size=channels(expanded) // 2)
  blocks = input -> conv_transition_b: conv_norm_act(in_channels)
  concat(bypass, blocks) -> conv_transition: conv_norm_act(out)
}

network cspnet "a cross-stage partial ResNet (Wang et al. 2020), timm layout"
input [3, image, image]
stem {
  if deep_stem {
    stem.conv1: conv_norm_act(32, 3, 2) -> stem.conv2: conv_norm_act(32, 3)
      -> stem.conv3: conv_norm_act(64, 3)
  } else {
    stem.conv1: conv_norm_act(64, 7, 2)
  }
  stem.pool: maxpool(3, stride=2, pad=1)
}

for k in range(4) {
  let expanded = round(widths[k] * expand_ratio)
  let out = round(widths[k] * block_ratio)
  stage f"entry{k}": cross_entry(widths[k], expanded, k > 0 ? 2 : 1, groups) x 1 at f"stages.{k}"
  stage f"blocks{k}": csp_bottleneck(out, round(out * bottle_ratio), groups, split=i == 0) x depths[k] at f"stages.{k}.blocks.{i}"
  stage f"exit{k}": cross_exit(widths[k], results[f"entry{k}"]) x 1 at f"stages.{k}" on results[f"blocks{k}"]
}

head {
  head.global_pool: global_avgpool -> flatten -> head.fc: linear(num_classes)
}
