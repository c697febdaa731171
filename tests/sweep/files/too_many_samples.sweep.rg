resgraph 1
# samples over the limit
sweep too_many_samples of "../sweep.rg" {
    sample depth = int(1, 3)
    samples 99999999999
}
