resgraph 1
# A small residual network for the diagram tests: a projection, identity shortcuts, a fold.

network tiny "three basic blocks, one projection"
input 3x16x16
stem {
  conv1: conv(3, 8) -> bn1: bn -> relu
}
stage layer1: basic(8) x 2
stage layer2: basic(16) x 3 stride 2
head {
  avgpool: global_avgpool -> flatten
  fc: linear(10)
}
