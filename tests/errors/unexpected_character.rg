resgraph 1
network bad
input 3x32x32 @
