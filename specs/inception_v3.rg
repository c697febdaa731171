resgraph 1
# Szegedy, Vanhoucke, Ioffe, Shlens, Wojna. "Rethinking the Inception Architecture for
# Computer Vision", CVPR 2016: Inception v3 (Table 1; Figures 5, 6 and 7's modules, the
# grid reductions of Figure 10) in torchvision's layout and names
# (torchvision.models.inception_v3, with aux_logits as its builder's default and
# transform_input off, as without weights): in eval the network returns its logits; in
# training also the auxiliary classifier's on the 17x17 grid (Section 4: a regulariser), as
# torchvision's InceptionOutputs(logits, aux_logits). Every convolution is followed by batch
# norm (eps 1e-3) and ReLU, as torchvision's BasicConv2d, and pads nothing unless told.

variant inception_v3() "Inception v3, torchvision's"

param dropout_p = 0.5
param num_classes = 1000
param image = 299

require dropout_p >= 0 and dropout_p <= 1, "dropout_p must be between 0 and 1"
# the auxiliary classifier pools 5x5 windows of the 17x17 grid and convolves 5x5: a grid of
# at least 17: the stem and two reductions take 299 to 17, and less than 299 to less
require image >= 299, "image must be at least 299: the auxiliary classifier needs a 17x17 grid"
# the 7x7 factorised modules' widths (Mixed_6b ... 6e, Figure 6's c7)
let c7 = [128, 160, 160, 192]
let letters = ["b", "c", "d", "e"]

block basic_conv(out, kernel, stride = 1, pad = [0, 0]) "a convolution (no padding unless given), batch norm (eps 1e-3) and ReLU: torchvision's BasicConv2d" {
  conv: conv(kernel, out, stride=stride, pad=pad) -> bn: bn(eps=0.001) -> relu
}

block inception_a(pool_features) "Figure 5's module (the 5x5 as torchvision keeps it): a 1x1, a 1x1-reduced 5x5, a 1x1-reduced pair of 3x3s and a 3x3 average pool's 1x1 projection, concatenated" {
  b1 = input -> branch1x1: basic_conv(64, 1)
  b5 = input -> branch5x5_1: basic_conv(48, 1) -> branch5x5_2: basic_conv(64, 5, pad=[2, 2])
  b3 = input -> branch3x3dbl_1: basic_conv(64, 1)
    -> branch3x3dbl_2: basic_conv(96, 3, pad=[1, 1])
    -> branch3x3dbl_3: basic_conv(96, 3, pad=[1, 1])
  pool = input -> avgpool(3, stride=1, pad=1) -> branch_pool: basic_conv(pool_features, 1)
  concat(b1, b5, b3, pool)
}

block inception_b() "Figure 10's grid reduction, 35x35 to 17x17: a 3x3 of stride 2, a 1x1-reduced pair of 3x3s ending in stride 2, and a 3x3 max pool of stride 2, concatenated" {
  b3 = input -> branch3x3: basic_conv(384, 3, stride=2)
  b33 = input -> branch3x3dbl_1: basic_conv(64, 1)
    -> branch3x3dbl_2: basic_conv(96, 3, pad=[1, 1])
    -> branch3x3dbl_3: basic_conv(96, 3, stride=2)
  pool = input -> maxpool(3, stride=2)
  concat(b3, b33, pool)
}

block inception_c(c7) "Figure 6's module: 7x7 convolutions factorised into 1x7 and 7x1, once and twice, of c7 channels inside, beside a 1x1 and a pool's projection, each branch 192 wide" {
  b1 = input -> branch1x1: basic_conv(192, 1)
  b7 = input -> branch7x7_1: basic_conv(c7, 1)
    -> branch7x7_2: basic_conv(c7, [1, 7], pad=[0, 3])
    -> branch7x7_3: basic_conv(192, [7, 1], pad=[3, 0])
  b77 = input -> branch7x7dbl_1: basic_conv(c7, 1)
    -> branch7x7dbl_2: basic_conv(c7, [7, 1], pad=[3, 0])
    -> branch7x7dbl_3: basic_conv(c7, [1, 7], pad=[0, 3])
    -> branch7x7dbl_4: basic_conv(c7, [7, 1], pad=[3, 0])
    -> branch7x7dbl_5: basic_conv(192, [1, 7], pad=[0, 3])
  pool = input -> avgpool(3, stride=1, pad=1) -> branch_pool: basic_conv(192, 1)
  concat(b1, b7, b77, pool)
}

block inception_d() "the grid reduction 17x17 to 8x8: a 1x1-reduced 3x3 of stride 2, a 1x1-reduced 1x7, 7x1 and 3x3 of stride 2, and a 3x3 max pool of stride 2, concatenated" {
  b3 = input -> branch3x3_1: basic_conv(192, 1) -> branch3x3_2: basic_conv(320, 3, stride=2)
  b7 = input -> branch7x7x3_1: basic_conv(192, 1)
    -> branch7x7x3_2: basic_conv(192, [1, 7], pad=[0, 3])
    -> branch7x7x3_3: basic_conv(192, [7, 1], pad=[3, 0])
    -> branch7x7x3_4: basic_conv(192, 3, stride=2)
  pool = input -> maxpool(3, stride=2)
  concat(b3, b7, pool)
}

block inception_e() "Figure 7's module of the 8x8 grid: the 3x3s' outputs split into a 1x3 and a 3x1 side by side, widening the representation, beside a 1x1 and a pool's projection" {
  b1 = input -> branch1x1: basic_conv(320, 1)
  t = input -> branch3x3_1: basic_conv(384, 1)
  b3a = t -> branch3x3_2a: basic_conv(384, [1, 3], pad=[0, 1])
  b3b = t -> branch3x3_2b: basic_conv(384, [3, 1], pad=[1, 0])
  d = input -> branch3x3dbl_1: basic_conv(448, 1)
    -> branch3x3dbl_2: basic_conv(384, 3, pad=[1, 1])
  d3a = d -> branch3x3dbl_3a: basic_conv(384, [1, 3], pad=[0, 1])
  d3b = d -> branch3x3dbl_3b: basic_conv(384, [3, 1], pad=[1, 0])
  pool = input -> avgpool(3, stride=1, pad=1) -> branch_pool: basic_conv(192, 1)
  concat(b1, concat(b3a, b3b), concat(d3a, d3b), pool)
}

block inception_aux(classes) "the auxiliary classifier on the 17x17 grid (torchvision's InceptionAux): a 5x5 average pool of stride 3, a 1x1 to 128, a 5x5 to 768, a global average pool and the classes' layer" {
  avgpool(5, stride=3) -> conv0: basic_conv(128, 1) -> conv1: basic_conv(768, 5)
    -> global_avgpool -> flatten -> fc: linear(classes)
}

network inception_v3 "Inception v3 (Szegedy et al. 2016), torchvision layout"
input [3, image, image]
stem {
  Conv2d_1a_3x3: basic_conv(32, 3, stride=2) -> Conv2d_2a_3x3: basic_conv(32, 3)
    -> Conv2d_2b_3x3: basic_conv(64, 3, pad=[1, 1]) -> maxpool1: maxpool(3, stride=2)
  Conv2d_3b_1x1: basic_conv(80, 1) -> Conv2d_4a_3x3: basic_conv(192, 3)
    -> maxpool2: maxpool(3, stride=2)
}
stage mixed5: inception_a(i == 0 ? 32 : 64) x 3 at f"Mixed_5{letters[i]}"
stage mixed6a: inception_b() x 1 at "Mixed_6a"
stage mixed6: inception_c(c7[i]) x 4 at f"Mixed_6{letters[i]}"
stage mixed7a: inception_d() x 1 at "Mixed_7a"
stage mixed7: inception_e() x 2 at f"Mixed_7{letters[i]}"
head {
  logits = avgpool: global_avgpool -> dropout: dropout(dropout_p) -> flatten
    -> fc: linear(num_classes)
}
head on mixed6 {
  aux = AuxLogits: inception_aux(num_classes)
}
output logits
output training logits, aux
