resgraph 1
use "use_latin1_b.rg"
