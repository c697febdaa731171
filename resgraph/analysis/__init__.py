"""Analyses of the IR: costs, other counters' conventions, memory, receptive fields, paths.

One pass per module, each writing its results under the keys of :mod:`.keys` (the contract
its readers rely on) and recording the parameters it ran with (:mod:`.passes`); readers call
:func:`.passes.ensure`, never a pass. :func:`.report.analyze_graph` runs the passes in the
order of :data:`.report.PASSES` and gathers their results in one report (``resgraph.analyze``).
"""
