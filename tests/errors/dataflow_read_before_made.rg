resgraph 1
block up(out, skip) {
  merged = cat(input, skip, dim=0)
  merged -> conv(1, out)
}
network bad
input 3x32x32
stem {
  conv(3, 16)
}
stage enc1: basic(16) x 1
stage dec1: up(16, skip=enc2) x 1
stage enc2: basic(32) x 1 on enc1
output dec1, enc2
