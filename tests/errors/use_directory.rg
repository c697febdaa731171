resgraph 1
use "."
