resgraph 1
# a shipped network misspelt
sweep misspelt of resnet51 {
    grid depth = 18, 34
}
