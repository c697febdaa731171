"""Subcommands beyond the core ones of :mod:`resgraph.cli`, one module per feature.

Each module defines ``register(add)``; ``add(name, help, epilog, run)`` returns the
subcommand's ``argparse`` parser for the module to add its arguments to. Commands of the
optional backends import ``resgraph.backends`` inside ``run``, so the core never does.
"""
