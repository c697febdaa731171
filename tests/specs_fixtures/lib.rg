resgraph 1
# a block library brought in with 'use'

let default_width = 8

block double(width = default_width) "two 3x3 convolutions and a skip" {
  res = conv(3, width) -> bn -> relu -> conv(3, width) -> bn
  add(res, input) -> relu
}
