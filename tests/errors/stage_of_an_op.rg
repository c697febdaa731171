resgraph 1
network bad
input 3x32x32
stage layer1: conv(3, 16) x 2
