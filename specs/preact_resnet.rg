resgraph 1
# He, Zhang, Ren, Sun. "Identity Mappings in Deep Residual Networks", ECCV 2016: pre-activation
# bottleneck ResNets for CIFAR of 9n+2 layers (ResNet-164: n=18, 1.7M parameters; ResNet-1001:
# n=111, 10.2M parameters), projection shortcuts where the shape changes.

variant preact_resnet164(n=18) "pre-activation ResNet-164 for CIFAR-10, 1.7M parameters"
variant preact_resnet1001(n=111) "pre-activation ResNet-1001 for CIFAR-10, 10.2M parameters"

param n = 18
param num_classes = 10

network preact_resnet "pre-activation bottleneck ResNet for CIFAR (He et al. 2016b)"
input 3x32x32
stem {
  conv1: conv(3, 16)
}
stage layer1: preact_bottleneck(16) x n
stage layer2: preact_bottleneck(32) x n stride 2
stage layer3: preact_bottleneck(64) x n stride 2
head {
  bn: bn -> relu
  avgpool: global_avgpool -> flatten
  fc: linear(num_classes)
}
