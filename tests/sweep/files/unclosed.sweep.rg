resgraph 1
# a sweep never closed
sweep unclosed of "../sweep.rg" {
    grid depth = 1, 2
