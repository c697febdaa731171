resgraph 1
# a setting given twice
sweep setting_twice of "../sweep.rg" {
    grid depth = 1, 2
    seed 1
    seed 2
}
