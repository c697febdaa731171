"""Shared test settings."""

from hypothesis import settings

# CI machines are slow and shared: no per-example deadline, and a fixed example budget.
settings.register_profile("resgraph", deadline=None, print_blob=True)
settings.load_profile("resgraph")
