resgraph 1
# Semantic segmentation over a dilated ResNet, in torchvision's layout and names
# (torchvision.models.segmentation, built with aux_loss=True as its published weights are):
# the ResNet's last two stages keep the stride 8 map and dilate their 3x3 convolutions
# instead (Yu and Koltun 2016; torchvision's replace_stride_with_dilation=[False, True, True]),
# a head on stage 4 gives the classes' maps, an auxiliary head on stage 3 gives them again,
# and both are upsampled bilinearly to the image: the outputs {out, aux}.
# FCN: Long, Shelhamer, Darrell. "Fully Convolutional Networks for Semantic Segmentation",
# CVPR 2015, torchvision's FCNHead. DeepLabV3: Chen, Papandreou, Schroff, Adam. "Rethinking
# Atrous Convolution for Semantic Image Segmentation", 2017 (section 3.3): atrous spatial
# pyramid pooling at rates 12, 24, 36 for output stride 8, and the image's pooled features.

variant fcn_resnet50(decoder="fcn") "FCN over a dilated ResNet-50, torchvision's"
variant fcn_resnet101(decoder="fcn", depth=101) "FCN over a dilated ResNet-101, torchvision's"
variant deeplabv3_resnet50(decoder="deeplabv3") "DeepLabV3 over a dilated ResNet-50, torchvision's"
variant deeplabv3_resnet101(decoder="deeplabv3", depth=101) "DeepLabV3 over a dilated ResNet-101, torchvision's"

param decoder = "deeplabv3"
param depth = 50
param rates = [12, 24, 36]
param num_classes = 21
param image = 520

require decoder in ["fcn", "deeplabv3"], "decoder must be 'fcn' or 'deeplabv3'"
require depth in [50, 101, 152], "depth must be 50, 101 or 152 (the bottleneck ResNets)"
require len(rates) == 3 and min(rates) >= 1, "rates are the ASPP's three dilations, each at least 1"
require num_classes >= 1, "num_classes counts the output maps"
require image >= 32, "image must be at least 32: the backbone's map is an eighth of it"
let layers = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}[depth]

block fcn_head(classes) "torchvision's FCNHead: a 3x3 convolution to a quarter of the channels, BN, ReLU, dropout 0.1 and a 1x1 convolution to the classes" {
  0: conv(3, in_channels // 4) -> 1: bn -> 2: relu -> 3: dropout(0.1)
    -> 4: conv(1, classes, bias=true)
}

block aspp(rates, out = 256) "Chen et al.'s atrous spatial pyramid pooling (torchvision's ASPP): a 1x1 convolution, three 3x3 convolutions dilated at the rates and the image's pooled features, each with BN and ReLU, concatenated and projected by a 1x1 convolution, BN, ReLU and dropout 0.5" {
  b0 = input -> convs.0.0: conv(1, out) -> convs.0.1: bn -> relu
  b1 = input -> convs.1.0: conv(3, out, dilation=rates[0]) -> convs.1.1: bn -> relu
  b2 = input -> convs.2.0: conv(3, out, dilation=rates[1]) -> convs.2.1: bn -> relu
  b3 = input -> convs.3.0: conv(3, out, dilation=rates[2]) -> convs.3.1: bn -> relu
  pooled = input -> convs.4.0: global_avgpool -> convs.4.1: conv(1, out) -> convs.4.2: bn
    -> relu -> interpolate(size=[shape(input)[1], shape(input)[2]], mode="bilinear")
  concat(b0, b1, b2, b3, pooled) -> project.0: conv(1, out) -> project.1: bn -> relu
    -> project.3: dropout(0.5)
}

block deeplab_head(classes, rates) "torchvision's DeepLabHead: ASPP, a 3x3 convolution, BN, ReLU and a 1x1 convolution to the classes" {
  0: aspp(rates) -> 1: conv(3, 256) -> 2: bn -> relu -> 4: conv(1, classes, bias=true)
}

network segmentation "semantic segmentation over a dilated ResNet, torchvision layout"
input [3, image, image]
stem {
  backbone.conv1: conv(7, 64, stride=2) -> backbone.bn1: bn -> relu
  backbone.maxpool: maxpool(3, stride=2, pad=1)
}
stage layer1: bottleneck(64) x layers[0] at f"backbone.layer1.{i}"
stage layer2: bottleneck(128) x layers[1] stride 2 at f"backbone.layer2.{i}"
# the first block of a dilated stage keeps the stage before's dilation, as torchvision's
stage layer3: bottleneck(256, dilation=i == 0 ? 1 : 2) x layers[2] at f"backbone.layer3.{i}"
stage layer4: bottleneck(512, dilation=i == 0 ? 2 : 4) x layers[3] at f"backbone.layer4.{i}"
head on layer4 {
  out = classifier: decoder == "fcn" ? fcn_head(num_classes) : deeplab_head(num_classes, rates)
    -> interpolate(size=[image, image], mode="bilinear")
}
head on layer3 {
  aux = aux_classifier: fcn_head(num_classes)
    -> interpolate(size=[image, image], mode="bilinear")
}
output { out: out, aux: aux }
