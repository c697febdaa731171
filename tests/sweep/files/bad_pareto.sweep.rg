resgraph 1
# a Pareto front of one figure
sweep bad_pareto of "../sweep.rg" {
    grid depth = 1, 2
    pareto macs
}
