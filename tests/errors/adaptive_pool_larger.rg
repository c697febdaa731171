resgraph 1
network aux
input 3x8x8
stem {
  pool: adaptive_avgpool(16)
}
