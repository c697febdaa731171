from pathlib import Path

import pytest

import resgraph

HERE = Path(__file__).resolve().parent
TINY = HERE / "tiny.rg"


@pytest.fixture(scope="session")
def tiny() -> resgraph.ir.Graph:  # type: ignore[name-defined]
    return resgraph.load(TINY)
