resgraph 1
# torchvision's ResNet at its smallest, as a spec: the network of tests/torchvision_resnet.py's
# tiny(d1, d2, classes), basic blocks with one projection shortcut (layer2.0.downsample)

param d1 = 1
param d2 = 1
param classes = 5

network tiny "two stages of basic blocks on 16x16 inputs"
input 3x16x16
stem {
  conv1: conv(3, 8) -> bn1: bn -> relu
}
stage layer1: basic(8) x d1
stage layer2: basic(16) x d2 stride 2
head {
  avgpool: global_avgpool -> flatten
  fc: linear(classes)
}
