resgraph 1
use "missing.rg"
