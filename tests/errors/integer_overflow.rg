resgraph 1
let a = 10
let a = a * a
let a = a * a
let a = a * a
let a = a * a
let a = a * a
