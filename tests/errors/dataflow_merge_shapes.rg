resgraph 1
block up(out, skip) {
  upsampled = interpolate(scale=2)
  merged = concat: concat(upsampled, skip)
  merged -> conv(1, out)
}
network bad
input 3x32x32
stem {
  conv(3, 16)
}
stage enc1: basic(16) x 1
stage enc2: basic(32) x 1 stride 2
stage bridge: basic(64) x 1 stride 2
stage dec2: up(32, skip=enc1) x 1
stage dec1: up(16, skip=enc1) x 1
