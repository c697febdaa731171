resgraph 1
block pool(stride = 2) {
  maxpool(3, stride=stride, pad=1)
}
network bad
input 3x32x32
stem {
  conv1: conv(3, 16)
  pool(0)
}
