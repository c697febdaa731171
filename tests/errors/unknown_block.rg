resgraph 1
network bad
input 3x32x32
stem {
  conv1: conv(3, 16) -> bn1: bn -> relu
}
stage layer1: bottelneck(16) x 2
