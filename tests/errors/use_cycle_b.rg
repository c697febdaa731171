resgraph 1
use "use_cycle.rg"
