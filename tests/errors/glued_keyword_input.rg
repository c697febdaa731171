resgraph 1
network bad
input3x32x32
