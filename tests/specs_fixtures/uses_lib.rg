resgraph 1
use "lib.rg"

network with_lib
input 3x16x16
stem {
  conv1: conv(3, 8)
}
stage layer1: double() x 3
