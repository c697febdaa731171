resgraph 2
