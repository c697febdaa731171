resgraph 1
network ok
input 3x32x32
stem {
  conv(3, 100 // 3) -> bn
}
