resgraph 1
network bad
input 3x32x32
stem {
  conv1: conv(3, 16)
}
stage layer1: basic(0) x 2
