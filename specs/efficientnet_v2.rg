resgraph 1
# Tan and Le. "EfficientNetV2: Smaller Models and Faster Training", ICML 2021: Fused-MBConv
# stages, then MBConv stages with squeeze-excitation (Table 4 for S; M and L as torchvision
# has them), in torchvision's layout and names (torchvision.models.efficientnet).

variant efficientnet_v2_s(size="s", dropout_p=0.2, image=384) "EfficientNetV2-S"
variant efficientnet_v2_m(size="m", dropout_p=0.3, image=480) "EfficientNetV2-M"
variant efficientnet_v2_l(size="l", dropout_p=0.4, image=480) "EfficientNetV2-L"

param size = "s"
param dropout_p = 0.2
param stochastic_depth_prob = 0.2
param bn_eps = 0.001
param num_classes = 1000
param image = 384

require size in ["s", "m", "l"], "size must be s, m or l"
require dropout_p >= 0 and dropout_p <= 1, "dropout_p must be between 0 and 1"
require stochastic_depth_prob >= 0 and stochastic_depth_prob <= 1, "stochastic_depth_prob must be between 0 and 1"
# fused (1) or not (0), expansion, kernel, first stride, input and output channels, layers
let tables = {"s": [[1, 1, 3, 1, 24, 24, 2], [1, 4, 3, 2, 24, 48, 4], [1, 4, 3, 2, 48, 64, 4], [0, 4, 3, 2, 64, 128, 6], [0, 6, 3, 1, 128, 160, 9], [0, 6, 3, 2, 160, 256, 15]], "m": [[1, 1, 3, 1, 24, 24, 3], [1, 4, 3, 2, 24, 48, 5], [1, 4, 3, 2, 48, 80, 5], [0, 4, 3, 2, 80, 160, 7], [0, 6, 3, 1, 160, 176, 14], [0, 6, 3, 2, 176, 304, 18], [0, 6, 3, 1, 304, 512, 5]], "l": [[1, 1, 3, 1, 32, 32, 4], [1, 4, 3, 2, 32, 64, 7], [1, 4, 3, 2, 64, 96, 7], [0, 4, 3, 2, 96, 192, 10], [0, 6, 3, 1, 192, 224, 19], [0, 6, 3, 2, 224, 384, 25], [0, 6, 3, 1, 384, 640, 7]]}
let table = tables[size]
let depths = [row[6] for row in table]
let firsts = [sum([depths[j] for j in range(k)]) for k in range(len(table))]
let total = sum(depths)

network efficientnet_v2 "EfficientNetV2 (Tan and Le 2021), torchvision layout"
input [3, image, image]
stem {
  features.0.0: conv(3, table[0][4], stride=2) -> features.0.1: bn(eps=bn_eps)
    -> features.0.2: silu
}

# a stage's first block takes the previous stage's width, the others its own
for k in [k for k in range(len(table)) if table[k][0] == 1] {
  stage f"stage{k + 1}": fused_mbconv(table[k][5], table[k][2], expanded=(i == 0 ? table[k][4] : table[k][5]) * table[k][1], eps=bn_eps, drop=stochastic_depth_prob * (firsts[k] + i) / total) x depths[k] stride table[k][3] at f"features.{k + 1}.{i}"
}
for k in [k for k in range(len(table)) if table[k][0] == 0] {
  stage f"stage{k + 1}": mbconv(table[k][5], table[k][2], expanded=(i == 0 ? table[k][4] : table[k][5]) * table[k][1], act=silu, squeeze=max(1, (i == 0 ? table[k][4] : table[k][5]) // 4), eps=bn_eps, sd=true, drop=stochastic_depth_prob * (firsts[k] + i) / total) x depths[k] stride table[k][3] at f"features.{k + 1}.{i}"
}

head {
  f"features.{len(table) + 1}.0": conv(1, 1280)
    -> f"features.{len(table) + 1}.1": bn(eps=bn_eps) -> f"features.{len(table) + 1}.2": silu
  avgpool: global_avgpool -> flatten
  classifier.0: dropout(dropout_p) -> classifier.1: linear(num_classes)
}
