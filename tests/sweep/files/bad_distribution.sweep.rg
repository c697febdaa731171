resgraph 1
# a distribution pycls would refuse: low and high not multiples of q
sweep bad_distribution of "../sweep.rg" {
    sample width = log_uniform(5, 30, 8)
    samples 4
}
