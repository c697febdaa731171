resgraph 1
# a distribution misspelt, marked alone
sweep unknown_distribution of "../sweep.rg" {
    sample depth = unifrom(1, 3)
    samples 4
}
