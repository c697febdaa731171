resgraph 1
param n = 1000000000
network bad
input 3x32x32
stem {
  conv1: conv(3, 16)
}
stage layer1: basic(16) x n
