resgraph 1
# He, Zhang, Zhang, Zhang, Xie, Li. "Bag of Tricks for Image Classification with Convolutional
# Neural Networks", CVPR 2019: ResNet-D (a deep stem of three 3x3 convolutions, and shortcuts
# that average-pool before their 1x1 projection), in timm's layout and module names.

variant resnet50d(depth=50) "ResNet-50-D: deep stem, average-pool shortcuts (timm resnet50d)"
variant resnet101d(depth=101) "ResNet-101-D: deep stem, average-pool shortcuts (timm resnet101d)"

param depth = 50
param num_classes = 1000

let layers = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}[depth]
let unit = bottleneck(shortcut="D")

network resnet_d "ResNet-D (He et al. 2019), timm layout"
input 3x224x224
stem {
  conv1: deep_stem -> bn1: bn -> relu
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
