resgraph 1
let ok = 3 in "abc"
