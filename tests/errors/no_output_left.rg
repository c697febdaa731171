resgraph 1
network bad
input 3x7x7
stem {
  conv(3, 16, stride=2) -> conv(7, 16, pad=0)
}
