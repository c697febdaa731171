resgraph 1
let widths = [16, 32]
let third = widths[2]
