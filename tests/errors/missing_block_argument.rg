resgraph 1
network bad
input 3x32x32
stage layer1: bottleneck() x 2
