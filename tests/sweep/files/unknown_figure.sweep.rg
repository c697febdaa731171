resgraph 1
# a constraint naming an unknown figure, marked alone
sweep unknown_figure of "../sweep.rg" {
    grid width = 8, 16
    where macs <= 1e7 and parmas < 1e5
}
