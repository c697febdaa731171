resgraph 1
network bad
stem {
  conv(3, 16)
}
