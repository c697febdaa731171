resgraph 1
# Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke, Rabinovich. "Going Deeper
# with Convolutions", CVPR 2015: GoogLeNet (Table 1) in torchvision's layout and names
# (torchvision.models.googlenet, with aux_logits as its builder's default): in eval the network
# returns its logits; in training also the two auxiliary classifiers' (Section 5: on the
# outputs of inception 4a and 4d, their losses added to the main one's during training), as
# torchvision's GoogLeNetOutputs(logits, aux_logits2, aux_logits1). Every convolution is
# followed by batch norm (eps 1e-3) and ReLU, as torchvision's BasicConv2d.

variant googlenet() "GoogLeNet (Inception v1), torchvision's"

# torchvision's "5x5" branch convolves 3x3 (pytorch/vision issue 906): 5 is the paper's
param branch3_kernel = 3
param dropout_p = 0.2
param dropout_aux = 0.7
param num_classes = 1000
param image = 224

require branch3_kernel in [3, 5], "branch3_kernel must be 3 (torchvision's) or 5 (the paper's)"
require dropout_p >= 0 and dropout_p <= 1, "dropout_p must be between 0 and 1"
require dropout_aux >= 0 and dropout_aux <= 1, "dropout_aux must be between 0 and 1"
# Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj of inception 3a ... 5b
let table = [[64, 96, 128, 16, 32, 32], [128, 128, 192, 32, 96, 64], [192, 96, 208, 16, 48, 64], [160, 112, 224, 24, 64, 64], [128, 128, 256, 24, 64, 64], [112, 144, 288, 32, 64, 64], [256, 160, 320, 32, 128, 128], [256, 160, 320, 32, 128, 128], [384, 192, 384, 48, 128, 128]]
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

block inception_aux(classes, drop) "an auxiliary classifier (Szegedy et al. 2015, Section 5, in torchvision's InceptionAux): an average pool to 4x4, a 1x1 convolution to 128, a fully connected layer of 1024 ReLUs, dropout and the classes' layer" {
  adaptive_avgpool(4) -> conv: basic_conv(128) -> flatten -> fc1: linear(1024) -> relu
    -> dropout: dropout(drop) -> fc2: linear(classes)
}

network googlenet "GoogLeNet (Szegedy et al. 2015), torchvision layout"
input [3, image, image]
stem {
  conv1: basic_conv(64, 7, stride=2) -> maxpool1: maxpool(3, stride=2, ceil=true)
  conv2: basic_conv(64) -> conv3: basic_conv(192, 3)
    -> maxpool2: maxpool(3, stride=2, ceil=true)
}
# the inception modules of Table 1 (the max pools before 4a and 5a, torchvision's maxpool3 and
# maxpool4, are those blocks' own: a stage has blocks only); 4a and 4d end stages, whose
# outputs the auxiliary classifiers read
stage inception3: inception(table[i], branch3_kernel) x 2 at f"inception3{letters[i]}"
stage inception4a: inception(table[2], branch3_kernel, 3) x 1 at "inception4a"
stage inception4d: inception(table[3 + i], branch3_kernel) x 3 at f"inception4{letters[i + 1]}"
stage inception4e: inception(table[6], branch3_kernel) x 1 at "inception4e"
stage inception5: inception(table[7 + i], branch3_kernel, i == 0 ? 2 : 0) x 2 at f"inception5{letters[i]}"
head {
  avgpool: global_avgpool -> flatten
  logits = dropout: dropout(dropout_p) -> fc: linear(num_classes)
}
head on inception4a {
  aux1 = aux1: inception_aux(num_classes, dropout_aux)
}
head on inception4d {
  aux2 = aux2: inception_aux(num_classes, dropout_aux)
}
output logits
output training logits, aux2, aux1
