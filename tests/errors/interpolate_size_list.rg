resgraph 1
network bad
input 3x32x32
stem {
  conv(3, 16)
}
stage layer1: basic(16) x 1
stage layer2: basic(32) x 1 stride 2
head up on layer2 {
  interpolate(size=[16, 16, 1], mode="bilinear")
}
head logits {
  global_avgpool -> flatten -> fc: linear(10)
}
head aux on layer1 {
  global_avgpool -> flatten -> fc: linear(10)
}
output { "0": logits, aux: aux }
