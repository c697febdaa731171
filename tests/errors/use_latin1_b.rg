resgraph 1
# café
