resgraph 1
network bad
input 4x8x8
stem {
  a = relu
  cat(a, a, dim=0)
}
