resgraph 1
network bad
input 3x32x32
stem {
  conv(3, 16, dilation=0)
}
