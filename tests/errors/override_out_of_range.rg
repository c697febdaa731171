resgraph 1
network bad
input 3x32x32
stage layer1: basic(16) x 2 stride 2 {
  5: shortcut="C"
  0: shortcat="C"
}
