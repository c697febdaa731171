resgraph 1
network bad
input 3x32x32
stem {
  conv(3, 16)
}
stage layer1: basic(16) x 1 on layer2
stage layer2: basic(16) x 1
