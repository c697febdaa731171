resgraph 1
# Howard et al. "Searching for MobileNetV3", ICCV 2019: Tables 1 and 2 (large and small),
# inverted residuals with squeeze-excitation gated by hard-sigmoid and hard-swish activations,
# in torchvision's layout and names (torchvision.models.mobilenetv3).

variant mobilenet_v3_large(size="large") "MobileNetV3-Large 1.0"
variant mobilenet_v3_small(size="small") "MobileNetV3-Small 1.0"

param size = "large"
param width_mult = 1.0
param dropout_p = 0.2
param num_classes = 1000
param image = 224

require size in ["large", "small"], "size must be large or small"
require width_mult > 0, "width_mult must be more than 0"
require dropout_p >= 0 and dropout_p <= 1, "dropout_p must be between 0 and 1"
# input, kernel, expanded and output channels, squeeze-excitation, activation, stride per block
let tables = {"large": [[16, 3, 16, 16, false, "RE", 1], [16, 3, 64, 24, false, "RE", 2], [24, 3, 72, 24, false, "RE", 1], [24, 5, 72, 40, true, "RE", 2], [40, 5, 120, 40, true, "RE", 1], [40, 5, 120, 40, true, "RE", 1], [40, 3, 240, 80, false, "HS", 2], [80, 3, 200, 80, false, "HS", 1], [80, 3, 184, 80, false, "HS", 1], [80, 3, 184, 80, false, "HS", 1], [80, 3, 480, 112, true, "HS", 1], [112, 3, 672, 112, true, "HS", 1], [112, 5, 672, 160, true, "HS", 2], [160, 5, 960, 160, true, "HS", 1], [160, 5, 960, 160, true, "HS", 1]], "small": [[16, 3, 16, 16, true, "RE", 2], [16, 3, 72, 24, false, "RE", 2], [24, 3, 88, 24, false, "RE", 1], [24, 5, 96, 40, true, "HS", 2], [40, 5, 240, 40, true, "HS", 1], [40, 5, 240, 40, true, "HS", 1], [40, 5, 120, 48, true, "HS", 1], [48, 5, 144, 48, true, "HS", 1], [48, 5, 288, 96, true, "HS", 2], [96, 5, 576, 96, true, "HS", 1], [96, 5, 576, 96, true, "HS", 1]]}
let table = tables[size]
let last = {"large": 1280, "small": 1024}[size]
# every width is width_mult times the paper's, to a multiple of 8 and never 10% below it
let expanded = [make_divisible(row[2] * width_mult, 8, 0.9) for row in table]
let outs = [make_divisible(row[3] * width_mult, 8, 0.9) for row in table]
# stages as timm's arch_def (timm/models/mobilenetv3.py, _gen_mobilenet_v3) groups the rows: a
# run of one width, whose first row alone has a stride (large: 16 | 24 x2 | 40 x3 | 80 x4 |
# 112 x2 | 160 x3; small: 16 | 24 x2 | 40 x3 | 48 x2 | 96 x3); the 960 / 576 conv is the head
let starts = [j for j in range(len(table)) if j == 0 or table[j][3] != table[j - 1][3]]
let depths = [(k + 1 < len(starts) ? starts[k + 1] : len(table)) - starts[k] for k in range(len(starts))]

network mobilenet_v3 "MobileNetV3 (Howard et al. 2019), torchvision layout"
input [3, image, image]
stem {
  features.0.0: conv(3, make_divisible(16 * width_mult, 8, 0.9), stride=2)
    -> features.0.1: bn(eps=0.001, momentum=0.01) -> features.0.2: hardswish
}

# a stage is a run of table rows of one width, as timm's arch_def groups them
for k in range(len(starts)) {
  let row = starts[k]
  stage f"stage{k + 1}": mbconv(outs[row + i], table[row + i][1], expanded=expanded[row + i], act=table[row + i][5] == "HS" ? hardswish : relu, squeeze=table[row + i][4] ? make_divisible(expanded[row + i] // 4, 8, 0.9) : 0, se_act=relu, se_gate=hardsigmoid, eps=0.001, momentum=0.01) x depths[k] stride table[row][6] at f"features.{row + 1 + i}"
}

head {
  f"features.{len(table) + 1}.0": conv(1, 6 * outs[len(table) - 1])
    -> f"features.{len(table) + 1}.1": bn(eps=0.001, momentum=0.01)
    -> f"features.{len(table) + 1}.2": hardswish
  avgpool: global_avgpool -> flatten
  classifier.0: linear(make_divisible(last * width_mult, 8, 0.9)) -> classifier.1: hardswish
    -> classifier.2: dropout(dropout_p) -> classifier.3: linear(num_classes)
}
