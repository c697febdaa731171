resgraph 1
block splits(scale) "each split convolved" {
  for i in scale {
    f"convs.{i}": conv(3, 16)
  }
}
network bad
input 3x32x32
stage layer1: splits(4) x 1
