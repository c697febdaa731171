resgraph 1
let depth = 5
let first = depth[0]
