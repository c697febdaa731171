resgraph 1
network bad
input 3x32x32
head {
  linear(10)
}
