resgraph 1
# Zagoruyko, Komodakis. "Wide Residual Networks", BMVC 2016: WRN-d-k for CIFAR, written with a
# block of its own (not the prelude's): pre-activation, two 3x3 convolutions k times wider
# than the CIFAR ResNet's, a 1x1 projection where the shape changes; dropout left out
# (it has no cost at inference). WRN-16-4 has 2.7M parameters (the paper's Table 1 and 4).

param depth = 16
param k = 4
param num_classes = 10

let n = (depth - 4) / 6

block wide_basic(planes, stride = 1) "BN-ReLU-conv3x3 twice; the projection reads the pre-activated input" {
  require planes > 0, "planes must be positive"
  pre = input -> bn1: bn -> relu
  res = pre -> conv1: conv(3, planes, stride=stride) -> bn2: bn -> relu -> conv2: conv(3, planes)
  if stride != 1 or in_channels != planes {
    skip = pre -> shortcut: conv(1, planes, stride=stride)
  } else {
    skip = input
  }
  add(res, skip)
}

network wide_resnet "Wide ResNet for CIFAR-10 (Zagoruyko and Komodakis 2016)"
input 3x32x32
stem {
  conv1: conv(3, 16)
}
stage block1: wide_basic(16 * k) x n
stage block2: wide_basic(32 * k) x n stride 2
stage block3: wide_basic(64 * k) x n stride 2
head {
  bn: bn -> relu
  avgpool: global_avgpool -> flatten
  fc: linear(num_classes)
}
