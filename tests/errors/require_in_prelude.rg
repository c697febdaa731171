resgraph 1
network bad
input 3x32x32
stage layer1: basic(16, shortcut="Z") x 2
