resgraph 1
param depth = 50
let layers = {18: [2, 2, 2, 2]}[depth]
