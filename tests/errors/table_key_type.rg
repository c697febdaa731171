resgraph 1
let table = {18: 2, 34: 3}
let layers = table[[18]]
