"""The bounds every elaboration stays within, whatever the text (see the package's docstring).
Read as ``limits.NAME`` where they are checked, so a test can lower one."""

#: The most blocks one stage repeats (the deepest shipped stage has 200).
MAX_STAGE_DEPTH = 10_000
#: The most ops a network holds (the largest shipped network has 4209): two or three
#: seconds of elaboration.
MAX_OPS = 100_000
#: The most values a list or table holds, counting those in the lists and tables inside it.
MAX_ITEMS = 10_000
#: The longest string ``+`` makes.
MAX_STRING = 10_000
#: The most steps one elaboration takes: an expression evaluated, a value of a list or table
#: visited, an op or a block made. A few seconds of work; it bounds the run whatever the
#: spec does (blocks that use other blocks many times over, large values compared often).
MAX_STEPS = 2_000_000
