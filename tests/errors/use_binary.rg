resgraph 1
use "use_binary_b.rg"
