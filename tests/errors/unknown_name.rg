resgraph 1
param width = 16
network bad
input 3x32x32
stem {
  conv(3, widht)
}
