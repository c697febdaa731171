resgraph 1
# the smallest residual network worth timing: what the bench tests run on every backend

network tiny_bench "one basic block on 8x8 inputs"
input 3x8x8
stem {
  conv1: conv(3, 8) -> bn1: bn -> relu
}
stage layer1: basic(8) x 1
head {
  avgpool: global_avgpool -> flatten
  fc: linear(4)
}
