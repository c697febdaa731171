resgraph 1
# Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke, Rabinovich. "Going Deeper
# with Convolutions", CVPR 2015: GoogLeNet (Table 1) in torchvision's layout and names
# (torchvision.models.googlenet), as in eval: without the auxiliary classifiers, which
# torchvision computes only in training. Every convolution is followed by batch norm (eps 1e-3)
# and ReLU, as torchvision's BasicConv2d.

variant googlenet() "GoogLeNet (Inception v1), torchvision's"

# torchvision's "5x5" branch convolves 3x3 (pytorch/vision issue 906): 5 is the paper's
param branch3_kernel = 3
param dropout_p = 0.2
param num_classes = 1000
param image = 224

require branch3_kernel in [3, 5], "branch3_kernel must be 3 (torchvision's) or 5 (the paper's)"
require dropout_p >= 0 and dropout_p <= 1, "dropout_p must be between 0 and 1"
# Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj of inception 3a ... 5b
let table = [[64, 96, 128, 16, 32, 32], [128, 128, 192, 32, 96, 64], [192, 96, 208, 16, 48, 64], [160, 112, 224, 24, 64, 64], [128, 128, 256, 24, 64, 64], [112, 144, 288, 32, 64, 64], [256, 160, 320, 32, 128, 128], [256, 160, 320, 32, 128, 128], [384, 192, 384, 48, 128, 128]]
# the inception blocks of stages 3, 4 and 5, and the max pool before stages 4 and 5 (torchvision's
# maxpool3 and maxpool4: here the first block's, as a stage has blocks only)
let depths = [2, 5, 2]
let firsts = [0, 2, 7]
let pools = [0, 3, 2]
let letters = ["a", "b", "c", "d", "e"]

block basic_conv(out, kernel = 1, stride = 1) "a convolution, batch norm (eps 1e-3) and ReLU: torchvision's BasicConv2d" {
  conv: conv(kernel, out, stride=stride) -> bn: bn(eps=0.001) -> relu
}

block inception(row, kernel5 = 3, pool = 0) "Szegedy et al.'s inception module (after a max pool of stride 2 rounding up, of kernel pool, unless 0): a 1x1, a 1x1-reduced 3x3, a 1x1-reduced '5x5' and a 3x3 max pool's 1x1 projection of the same input, their maps concatenated" {
  x = input
  if pool > 0 {
    x = maxpool: maxpool(pool, stride=2, ceil=true)
  }
  b1 = x -> branch1: basic_conv(row[0])
  b2 = x -> branch2.0: basic_conv(row[1]) -> branch2.1: basic_conv(row[2], 3)
  b3 = x -> branch3.0: basic_conv(row[3]) -> branch3.1: basic_conv(row[4], kernel5)
  b4 = x -> branch4.0: maxpool(3, stride=1, pad=1, ceil=true) -> branch4.1: basic_conv(row[5])
  concat(b1, b2, b3, b4)
}

network googlenet "GoogLeNet (Szegedy et al. 2015), torchvision layout"
input [3, image, image]
stem {
  conv1: basic_conv(64, 7, stride=2) -> maxpool1: maxpool(3, stride=2, ceil=true)
  conv2: basic_conv(64) -> conv3: basic_conv(192, 3)
    -> maxpool2: maxpool(3, stride=2, ceil=true)
}

for k in range(len(depths)) {
  stage f"inception{k + 3}": inception(table[firsts[k] + i], branch3_kernel, i == 0 ? pools[k] : 0) x depths[k] at f"inception{k + 3}{letters[i]}"
}

head {
  avgpool: global_avgpool -> flatten
  dropout: dropout(dropout_p) -> fc: linear(num_classes)
}
