resgraph 1
network bad
input 3x32x32
stem {
  maxpool(3, stride=-2)
}
