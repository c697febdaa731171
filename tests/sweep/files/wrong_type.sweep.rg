resgraph 1
# values of another type than the default of the parameter
sweep wrong_type of "../sweep.rg" {
    grid width = 8, "sixteen"
}
