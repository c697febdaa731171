resgraph 1
network bad
input 3x32x32
stem {
  c: conv(3, 16) -> c: conv(3, 16)
}
