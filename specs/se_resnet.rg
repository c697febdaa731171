resgraph 1
# Hu, Shen, Sun. "Squeeze-and-Excitation Networks", CVPR 2018: SE-ResNet, a squeeze-excitation
# gate (reduction 16) on each bottleneck's residual branch, before the addition; timm's names
# (se.fc1, se.fc2) and torchvision's layout otherwise.

variant se_resnet50(depth=50) "SE-ResNet-50: bottlenecks with squeeze-excitation, reduction 16"
variant se_resnet101(depth=101) "SE-ResNet-101: bottlenecks with squeeze-excitation, reduction 16"

param depth = 50
param reduction = 16
param num_classes = 1000

let layers = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}[depth]
let unit = bottleneck(se=reduction)

network se_resnet "SE-ResNet (Hu et al. 2018)"
input 3x224x224
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
