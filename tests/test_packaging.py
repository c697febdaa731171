"""What a wheel holds: every package of the source tree is listed in pyproject.toml's
``[tool.setuptools] packages`` (an editable install finds a missing one anyway; a wheel not)."""

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11 on
ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_tree_is_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {"resgraph": ROOT / "resgraph", **{
        name: ROOT / folder for name, folder in config.get("package-dir", {}).items()}}
    found = set()
    for name, folder in folders.items():
        for init in folder.rglob("__init__.py"):
            parts = init.parent.relative_to(folder).parts
            found.add(".".join((name, *parts)))
    assert found - listed == set()
