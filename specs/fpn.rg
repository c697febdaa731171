resgraph 1
# Lin, Dollár, Girshick, He, Hariharan, Belongie. "Feature Pyramid Networks for Object
# Detection", CVPR 2017 (section 3, Fig. 3): a ResNet's four stages, each given a 1x1 lateral
# convolution, merged top-down (the coarser map upsampled twice by nearest neighbour and
# added), each merged map smoothed by a 3x3 convolution; the coarsest map max-pooled once
# more (stride 2, Faster R-CNN's P6). torchvision's layout and names: the backbone of
# torchvision.models.detection.fasterrcnn_resnet50_fpn (built without weights, so with
# nn.BatchNorm2d), whose outputs are the levels "0" to "3" (strides 4 to 32) and "pool".
# image is the side of a square input; Faster R-CNN resizes its images to a shorter side of 800.

variant resnet50_fpn(depth=50) "the ResNet-50 FPN backbone of torchvision's Faster R-CNN"
variant resnet101_fpn(depth=101) "a ResNet-101 FPN backbone (torchvision's resnet_fpn_backbone)"

param depth = 50
param out_channels = 256
param image = 800

require depth in [50, 101, 152], "depth must be 50, 101 or 152 (the bottleneck ResNets)"
require out_channels >= 8 and out_channels % 8 == 0, "out_channels is every level's width, a multiple of 8"
require image % 32 == 0, "image must be a multiple of 32: each level halves the one below"
let layers = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}[depth]

block lateral(out) "the coarsest level's 1x1 lateral convolution (a module of torchvision's inner_blocks)" {
  0: conv(1, out, bias=true)
}

block merge(out, coarser) "a level's 1x1 lateral convolution plus the coarser merged map, upsampled by nearest neighbour to its size" {
  lat = 0: conv(1, out, bias=true)
  down = coarser -> interpolate(size=[shape(lat)[1], shape(lat)[2]])
  add(lat, down)
}

block smooth(out) "a merged map's 3x3 convolution, the level's output (a module of torchvision's layer_blocks)" {
  0: conv(3, out, bias=true)
}

network fpn "a ResNet with a feature pyramid (Lin et al. 2017), torchvision layout"
input [3, image, image]
stem {
  body.conv1: conv(7, 64, stride=2) -> body.bn1: bn -> relu
  body.maxpool: maxpool(3, stride=2, pad=1)
}
stage layer1: bottleneck(64) x layers[0] at f"body.layer1.{i}"
stage layer2: bottleneck(128) x layers[1] stride 2 at f"body.layer2.{i}"
stage layer3: bottleneck(256) x layers[2] stride 2 at f"body.layer3.{i}"
stage layer4: bottleneck(512) x layers[3] stride 2 at f"body.layer4.{i}"
stage inner3: lateral(out_channels) x 1 at "fpn.inner_blocks.3" on layer4
stage level3: smooth(out_channels) x 1 at "fpn.layer_blocks.3" on inner3

for k in [2, 1, 0] {
  stage f"inner{k}": merge(out_channels, results[f"inner{k + 1}"]) x 1 at f"fpn.inner_blocks.{k}" on results[f"layer{k + 1}"]
  stage f"level{k}": smooth(out_channels) x 1 at f"fpn.layer_blocks.{k}" on results[f"inner{k}"]
}

head on level3 {
  pool = maxpool(1, stride=2)
}
output { "0": level0, "1": level1, "2": level2, "3": level3, pool: pool }
