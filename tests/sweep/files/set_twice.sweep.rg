resgraph 1
# a parameter set in two settings
sweep set_twice of "../sweep.rg" {
    grid depth = 1, 2
    sample depth = int(1, 3)
    samples 2
}
