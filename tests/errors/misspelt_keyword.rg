resgraph 1
netwrk bad
