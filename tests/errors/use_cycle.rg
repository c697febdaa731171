resgraph 1
use "use_cycle_b.rg"
