resgraph 1
# The built-in blocks of resgraph, written in resgraph's own language, so that a block a user
# writes is the same kind of thing as these. Module names follow torchvision (conv1, bn1, ...,
# downsample.0, downsample.1) so that its checkpoints load as they are; squeeze-excitation
# and the ResNet-D shortcut follow timm (se.fc1, se.fc2; downsample.0 pool, .1 conv, .2 bn).

block downsample(out, stride = 1, kind = "B") "the shortcut's projection: A pads with zeros, B and C project with a 1x1 convolution, D average-pools first (He et al. 2016; He et al. 2019)" {
  if kind == "A" {
    pad_channels(out, stride=stride)
  } elif kind == "D" {
    if stride > 1 {
      0: avgpool(stride, stride=stride, ceil=true, count_pad=false)
    }
    1: conv(1, out) -> 2: bn
  } else {
    0: conv(1, out, stride=stride) -> 1: bn
  }
}

block deep_stem(width = 32, out = 64) "three 3x3 convolutions in place of one 7x7 (ResNet-C of He et al. 2019; timm's deep stem: ResNet-D, ResNeSt)" {
  0: conv(3, width, stride=2) -> 1: bn -> 2: relu
  3: conv(3, width) -> 4: bn -> 5: relu
  6: conv(3, out)
}

block squeeze_excite(reduction = 16, divisor = 8) "channel attention of Hu et al. 2018, 'Squeeze-and-Excitation Networks'" {
  let hidden = make_divisible(in_channels // reduction, divisor)
  gate = global_avgpool -> fc1: conv(1, hidden, bias=true) -> relu
    -> fc2: conv(1, in_channels, bias=true) -> sigmoid
  mul(input, gate)
}

block squeeze_excitation(squeeze, act = relu, gate = sigmoid) "channel attention with its squeeze width given, torchvision's SqueezeExcitation (RegNetY, EfficientNet, MobileNetV3)" {
  scale = avgpool: global_avgpool -> fc1: conv(1, squeeze, bias=true) -> activation: act
    -> fc2: conv(1, in_channels, bias=true) -> scale_activation: gate
  mul(scale, input)
}

block basic(planes, stride = 1, groups = 1, base_width = 64, shortcut = "B", stride_on = "3x3", se = 0, preact = false, zero_init = false) "two 3x3 convolutions (He et al. 2016); preact=true puts BN and ReLU before each (He et al. 2016b)" {
  require groups == 1 and base_width == 64, "the basic block supports only groups=1 and base_width=64"
  require shortcut in ["A", "B", "C", "D"], "shortcut must be 'A', 'B', 'C' or 'D'"
  require stride_on in ["1x1", "3x3"], "stride_on must be '1x1' or '3x3'"
  let project = shortcut == "C" or stride != 1 or in_channels != planes
  if preact {
    pre = input -> bn1: bn -> relu
    res = pre -> conv1: conv(3, planes, stride=stride) -> bn2: bn -> relu
      -> conv2: conv(3, planes)
    from = pre
  } else {
    res = conv1: conv(3, planes, stride=stride) -> bn1: bn -> relu -> conv2: conv(3, planes)
      -> bn2: bn(zero_init=zero_init)
    from = input
  }
  if se > 0 {
    res = res -> se: squeeze_excite(se)
  }
  if project {
    skip = from -> downsample: downsample(planes, stride, shortcut)
  } else {
    skip = input
  }
  if preact {
    add(res, skip)
  } else {
    add(res, skip) -> relu
  }
}

block bottleneck(planes, stride = 1, groups = 1, base_width = 64, expansion = 4, shortcut = "B", stride_on = "3x3", se = 0, preact = false, zero_init = false, dilation = 1) "1x1, 3x3, 1x1 convolutions (He et al. 2016); groups and base_width give ResNeXt (Xie et al. 2017), base_width=128 the wide ResNet (Zagoruyko and Komodakis 2016), dilation a dilated 3x3 (Yu and Koltun 2016; torchvision's replace_stride_with_dilation)" {
  require shortcut in ["A", "B", "C", "D"], "shortcut must be 'A', 'B', 'C' or 'D'"
  require stride_on in ["1x1", "3x3"], "stride_on must be '1x1' or '3x3'"
  let width = planes * base_width // 64 * groups
  let out = planes * expansion
  let project = shortcut == "C" or stride != 1 or in_channels != out
  let s1 = stride_on == "1x1" ? stride : 1
  let s3 = stride_on == "3x3" ? stride : 1
  if preact {
    pre = input -> bn1: bn -> relu
    res = pre -> conv1: conv(1, width, stride=s1) -> bn2: bn -> relu
      -> conv2: conv(3, width, stride=s3, groups=groups, dilation=dilation) -> bn3: bn -> relu
      -> conv3: conv(1, out)
    from = pre
  } else {
    res = conv1: conv(1, width, stride=s1) -> bn1: bn -> relu
      -> conv2: conv(3, width, stride=s3, groups=groups, dilation=dilation) -> bn2: bn -> relu
      -> conv3: conv(1, out) -> bn3: bn(zero_init=zero_init)
    from = input
  }
  if se > 0 {
    res = res -> se: squeeze_excite(se)
  }
  if project {
    skip = from -> downsample: downsample(out, stride, shortcut)
  } else {
    skip = input
  }
  if preact {
    add(res, skip)
  } else {
    add(res, skip) -> relu
  }
}

let preact_basic = basic(preact=true)
let preact_bottleneck = bottleneck(preact=true)

block mbconv(out, kernel = 3, stride = 1, expanded = 0, act = silu, squeeze = 0, se_act = silu, se_gate = sigmoid, eps = 1e-5, momentum = 0.1, sd = false, drop = 0.0) "the inverted residual of MobileNetV3 and EfficientNet (MBConv, Tan and Le 2019), torchvision's InvertedResidual and MBConv: a 1x1 expansion to 'expanded' channels (none when that is the input's), a depthwise convolution, squeeze-excitation to 'squeeze' channels (none when 0), a linear 1x1 projection; the identity shortcut only where the shapes allow, through stochastic depth at rate drop when sd" {
  require expanded >= 1, "mbconv needs 'expanded', the width of its depthwise convolution"
  # torchvision numbers the layers it has: block.0 is the depthwise one when nothing expands
  let n = expanded != in_channels ? 1 : 0
  res = input
  if n == 1 {
    res = block.0.0: conv(1, expanded) -> block.0.1: bn(eps=eps, momentum=momentum)
      -> block.0.2: act
  }
  res = res -> f"block.{n}.0": conv(kernel, expanded, stride=stride, groups=expanded)
    -> f"block.{n}.1": bn(eps=eps, momentum=momentum) -> f"block.{n}.2": act
  if squeeze > 0 {
    res = res -> f"block.{n + 1}": squeeze_excitation(squeeze, se_act, se_gate)
  }
  let p = squeeze > 0 ? n + 2 : n + 1
  res = res -> f"block.{p}.0": conv(1, out) -> f"block.{p}.1": bn(eps=eps, momentum=momentum)
  if stride != 1 or in_channels != out {
    return res
  } elif sd {
    res = res -> stochastic_depth: stochastic_depth(drop)
  }
  add(res, input)
}

block fused_mbconv(out, kernel = 3, stride = 1, expanded = 0, act = silu, eps = 1e-5, momentum = 0.1, drop = 0.0) "EfficientNetV2's Fused-MBConv (Tan and Le 2021), torchvision's FusedMBConv: one full convolution to 'expanded' channels in place of the expansion and depthwise pair, a linear 1x1 projection (none when nothing expands), stochastic depth and the identity shortcut where the shapes allow" {
  require expanded >= 1, "fused_mbconv needs 'expanded', the width of its convolution"
  if expanded != in_channels {
    res = block.0.0: conv(kernel, expanded, stride=stride)
      -> block.0.1: bn(eps=eps, momentum=momentum) -> block.0.2: act -> block.1.0: conv(1, out)
      -> block.1.1: bn(eps=eps, momentum=momentum)
  } else {
    res = block.0.0: conv(kernel, out, stride=stride)
      -> block.0.1: bn(eps=eps, momentum=momentum) -> block.0.2: act
  }
  if stride != 1 or in_channels != out {
    return res
  }
  res = res -> stochastic_depth: stochastic_depth(drop)
  add(res, input)
}

block multihead_attention(heads, bias = true, weights = false) "self-attention of tokens NxE (Vaswani et al. 2017), torch's nn.MultiheadAttention batch first: q, k and v each a linear layer of the tokens, the heads' scaled dot-product attention, the out-projection; compiled to one nn.MultiheadAttention, whose parameters have torch's names (in_proj_weight, in_proj_bias, out_proj.weight)" {
  let width = shape(input)[len(shape(input)) - 1]
  q = input -> q_proj: linear(width, bias=bias)
  k = input -> k_proj: linear(width, bias=bias)
  v = input -> v_proj: linear(width, bias=bias)
  a = attention: attention(q, k, v, heads=heads, weights=weights)
  a -> out_proj: linear(width, bias=bias)
}
