resgraph 1
# a parameter the spec does not declare
sweep unknown_parameter of "../sweep.rg" {
    grid widht = 8, 16
}
