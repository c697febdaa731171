resgraph 1
# a setting misspelt: the closest setting is suggested
sweep unknown_setting of "../sweep.rg" {
    grid width = 8, 16
    sampel depth = int(1, 3)
}
