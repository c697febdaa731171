resgraph 1
block splits(scale) "splits concatenated" {
  let pieces = [part(input, size=8), 8]
  concat(pieces)
}
network bad
input 16x32x32
stage layer1: splits(2) x 1
