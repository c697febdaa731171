"""The README's decompiled specs (torchvision's ResNet-50, timm's MobileNetV2) are what
``resgraph import`` writes today, so they never go stale."""

from __future__ import annotations

import re
from pathlib import Path

from resgraph import api

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_what_import_writes() -> None:
    text = README.read_text()
    section = text[text.index("## From a model to a spec"):]
    blocks = re.findall(r"^```\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    shown = [b for b in blocks if b.startswith("resgraph 1\n")]
    assert shown == [api.decompile("torchvision.models:resnet50"),
                     api.decompile("timm.models.efficientnet:mobilenetv2_100")]
