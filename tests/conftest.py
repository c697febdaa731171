import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "resnets.json"


@pytest.fixture(scope="session")
def reference() -> dict:
    """Published figures (torchvision docs; He et al. 2016 Table 6), from ../shared/reference."""
    return json.loads(REFERENCE.read_text())
