resgraph 1
let stem = 3
