resgraph 1
# a measure on an unknown backend
sweep bad_measure of "../sweep.rg" {
    grid depth = 1, 2
    measure bench:onnxrntime
}
