resgraph 1
# He, Zhang, Ren, Sun. "Deep Residual Learning for Image Recognition", CVPR 2016 (Table 1),
# in torchvision's layout ("v1.5": the stride of a bottleneck sits on its 3x3 convolution).
# stride_on="1x1" gives the paper's own layout, as in its Caffe models ("v1").
# ResNeXt: Xie et al., "Aggregated Residual Transformations for Deep Neural Networks", CVPR 2017.
# Wide ResNet: Zagoruyko and Komodakis, "Wide Residual Networks", BMVC 2016 (torchvision's form).

variant resnet18(depth=18) "ResNet-18, basic blocks [2, 2, 2, 2]"
variant resnet34(depth=34) "ResNet-34, basic blocks [3, 4, 6, 3]"
variant resnet50(depth=50) "ResNet-50, bottlenecks [3, 4, 6, 3], stride on the 3x3"
variant resnet101(depth=101) "ResNet-101, bottlenecks [3, 4, 23, 3], stride on the 3x3"
variant resnet152(depth=152) "ResNet-152, bottlenecks [3, 8, 36, 3], stride on the 3x3"
variant resnet18_v1(depth=18, stride_on="1x1") "ResNet-18 as in the paper (same as resnet18)"
variant resnet34_v1(depth=34, stride_on="1x1") "ResNet-34 as in the paper (same as resnet34)"
variant resnet50_v1(depth=50, stride_on="1x1") "ResNet-50 as in the paper: stride on the first 1x1"
variant resnet101_v1(depth=101, stride_on="1x1") "ResNet-101 as in the paper: stride on the first 1x1"
variant resnet152_v1(depth=152, stride_on="1x1") "ResNet-152 as in the paper: stride on the first 1x1"
variant resnext50_32x4d(depth=50, groups=32, width_per_group=4) "ResNeXt-50 32x4d"
variant resnext101_32x8d(depth=101, groups=32, width_per_group=8) "ResNeXt-101 32x8d"
variant resnext101_64x4d(depth=101, groups=64, width_per_group=4) "ResNeXt-101 64x4d"
variant wide_resnet50_2(depth=50, width_per_group=128) "Wide ResNet-50-2: bottlenecks twice as wide"
variant wide_resnet101_2(depth=101, width_per_group=128) "Wide ResNet-101-2: bottlenecks twice as wide"

param depth = 50
param groups = 1
param width_per_group = 64
param stride_on = "3x3"
param shortcut = "B"
param zero_init = false
param num_classes = 1000
param image = 224

let layers = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}[depth]
let kind = depth < 50 ? basic : bottleneck
let unit = kind(groups=groups, base_width=width_per_group, stride_on=stride_on, shortcut=shortcut, zero_init=zero_init)

network resnet "ResNet (He et al. 2016), torchvision layout"
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
  avgpool: global_avgpool -> flatten
  fc: linear(num_classes)
}
