"""Shared test settings."""

import pytest
from hypothesis import settings

# CI machines are slow and shared: no per-example deadline, and a fixed example budget.
settings.register_profile("resgraph", deadline=None, print_blob=True)
settings.load_profile("resgraph")

# helpers that assert for the tests of their folder: their failures show the values compared
pytest.register_assert_rewrite("sweep_cases")
