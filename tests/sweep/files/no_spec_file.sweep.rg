resgraph 1
# a spec file that is not there
sweep missing of "no_such.rg" {
    grid depth = 1, 2
}
