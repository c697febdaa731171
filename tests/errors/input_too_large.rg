resgraph 1
network bad
input 3x100000x100000
