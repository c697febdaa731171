resgraph 1
# accept takes at least one
sweep bad_accept of "../sweep.rg" {
    grid depth = 1, 2
    accept 0
}
