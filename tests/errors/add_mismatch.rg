resgraph 1
block mine(planes, stride = 1) {
  res = conv(3, planes, stride=stride) -> bn
  add(res, input) -> relu
}
network bad
input 3x32x32
stem {
  conv(3, 16)
}
stage layer1: mine(32) x 2
