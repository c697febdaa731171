resgraph 1
param dropout = 0.1
network bad
input 4x8x8
stem {
  conv(3, 4) -> dropout(dropout)
}
