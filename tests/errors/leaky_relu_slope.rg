resgraph 1
network bad
input 4x8x8
stem {
  leaky_relu(slope=-0.1)
}
