resgraph 1
# Huang, Liu, van der Maaten, Weinberger. "Densely Connected Convolutional Networks", CVPR
# 2017: DenseNet-BC (Table 1) in torchvision's layout and names (torchvision.models.densenet).
# A dense layer's output is its input and its growth_rate new maps concatenated, so a layer
# reads the maps of every layer before it in its block; a transition halves the maps
# (compression 0.5) and the resolution.

variant densenet121(depth=121) "DenseNet-121 (k = 32)"
variant densenet161(depth=161, growth_rate=48, init_features=96) "DenseNet-161 (k = 48)"
variant densenet169(depth=169) "DenseNet-169 (k = 32)"
variant densenet201(depth=201) "DenseNet-201 (k = 32)"

param depth = 121
param growth_rate = 32
param init_features = 64
param bn_size = 4
param drop_rate = 0.0
param num_classes = 1000
param image = 224

require depth in [121, 161, 169, 201], "depth must be one of Table 1's: 121, 161, 169 or 201"
require growth_rate >= 1, "growth_rate must be at least 1"
require init_features >= 1, "init_features must be at least 1"
require bn_size >= 1, "bn_size must be at least 1"
require drop_rate >= 0 and drop_rate <= 1, "drop_rate must be between 0 and 1"
# Table 1: the dense layers of each dense block
let blocks = {121: [6, 12, 24, 16], 161: [6, 12, 36, 24], 169: [6, 12, 32, 32], 201: [6, 12, 48, 32]}[depth]

block dense_layer(growth, bn_size = 4, drop = 0.0) "Huang et al.'s bottleneck layer (BN-ReLU-Conv 1x1 to bn_size times growth maps, BN-ReLU-Conv 3x3 to growth maps), its new maps concatenated to its input" {
  new = norm1: bn -> relu1: relu -> conv1: conv(1, bn_size * growth) -> norm2: bn -> relu2: relu
    -> conv2: conv(3, growth)
  if drop > 0 {
    new = new -> dropout(drop)
  }
  concat(input, new)
}

block transition() "between dense blocks: BN-ReLU-Conv 1x1 to half the maps, a 2x2 average pool of stride 2" {
  norm: bn -> relu: relu -> conv: conv(1, in_channels // 2) -> pool: avgpool(2, stride=2)
}

network densenet "DenseNet-BC (Huang et al. 2017), torchvision layout"
input [3, image, image]
stem {
  features.conv0: conv(7, init_features, stride=2) -> features.norm0: bn -> features.relu0: relu
    -> features.pool0: maxpool(3, stride=2, pad=1)
}

# each dense block, then (before the next one, none after the last) its transition
for k in range(len(blocks)) {
  stage f"denseblock{k + 1}": dense_layer(growth_rate, bn_size, drop_rate) x blocks[k] at f"features.denseblock{k + 1}.denselayer{i + 1}"
  for t in k + 1 < len(blocks) ? [k + 1] : [] {
    stage f"transition{t}": transition() x 1 at f"features.transition{t}"
  }
}

head {
  features.norm5: bn -> relu
  avgpool: global_avgpool -> flatten
  classifier: linear(num_classes)
}
