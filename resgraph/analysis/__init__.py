"""Analyses of the IR: costs, other counters' conventions, memory, receptive fields, paths.

``resgraph.analyze`` (:func:`resgraph.analysis.report.analyze`) runs them all; each pass is
its own module and documents the ``node.meta`` keys it writes.
"""
