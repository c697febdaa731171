resgraph 1
# set takes one value
sweep set_two_values of "../sweep.rg" {
    set width = 8, 16
}
