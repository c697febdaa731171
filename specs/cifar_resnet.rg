resgraph 1
# He, Zhang, Ren, Sun. "Deep Residual Learning for Image Recognition", CVPR 2016, Section 4.2 and Table 6:
# CIFAR-10 networks of 6n+2 layers, three stages of 16, 32 and 64 filters, option-A shortcuts
# (identity, zero-padded channels where the shape changes: no extra parameters).

variant cifar_resnet20(n=3) "ResNet-20 for CIFAR-10, 0.27M parameters"
variant cifar_resnet32(n=5) "ResNet-32 for CIFAR-10, 0.46M parameters"
variant cifar_resnet44(n=7) "ResNet-44 for CIFAR-10, 0.66M parameters"
variant cifar_resnet56(n=9) "ResNet-56 for CIFAR-10, 0.85M parameters"
variant cifar_resnet110(n=18) "ResNet-110 for CIFAR-10, 1.7M parameters"
variant cifar_resnet1202(n=200) "ResNet-1202 for CIFAR-10, 19.4M parameters"

param n = 3
param shortcut = "A"
param num_classes = 10

let unit = basic(shortcut=shortcut)

network cifar_resnet "ResNet for CIFAR-10 (He et al. 2016, Table 6)"
input 3x32x32
stem {
  conv1: conv(3, 16) -> bn1: bn -> relu
}
stage layer1: unit(16) x n
stage layer2: unit(32) x n stride 2
stage layer3: unit(64) x n stride 2
head {
  avgpool: global_avgpool -> flatten
  fc: linear(num_classes)
}
