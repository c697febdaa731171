resgraph 1
let widths = [16, 32]
let ok = 3 in 4
