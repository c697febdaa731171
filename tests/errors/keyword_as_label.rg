resgraph 1
block b() {
  stem: conv(3, 8)
}
