resgraph 1
block tower(width) {
  conv(3, width) -> relu -> tower(width)
}
network bad
input 3x32x32
stem {
  tower(16)
}
