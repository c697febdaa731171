resgraph 1
paramn = 2
