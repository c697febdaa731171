resgraph 1
network bad
input 3x32x32
stem {
  conv1: conv(3, 0) -> bn
}
