resgraph 1
network bad
input 4x8x8
stem {
  t = reshape([4, -1]) -> permute([1, 0])
  p = param(t)
  add(t, p)
}
