resgraph 1
# an input with a side of 0
sweep bad_input of "../sweep.rg" {
    grid depth = 1, 2
    input 3x0x16
}
