resgraph 1
network bad
input 3x32x32
stage layer1: basic(16) x 2 {
  1: shortcat="C"
}
