"""A family parameter outside its domain, typed with ``--set``, stops every command at the
spec's ``require`` line with exit 2 and no traceback: RegNet's wm <= 1 and a w0 that is not a
multiple of 8, a width multiplier <= 0 for EfficientNet, MobileNetV2/V3 and MnasNet."""

from __future__ import annotations

import re

import pytest

from resgraph.cli import main


@pytest.mark.parametrize("command", ["analyze", "paths"])
@pytest.mark.parametrize("name, setting, file, message", [
    ("regnet_y_400mf", "wm=1.0", "regnet.rg", "wm must be more than 1"),
    ("regnet_x_800mf", "w0=20", "regnet.rg", "w0 must be a positive multiple of 8"),
    ("efficientnet_b0", "width_mult=0", "efficientnet.rg", "width_mult must be more than 0"),
    ("mobilenet_v2", "width_mult=-0.5", "mobilenet_v2.rg", "width_mult must be more than 0"),
    ("mobilenet_v3_small", "width_mult=0.0", "mobilenet_v3.rg", "width_mult must be more than 0"),
    ("mnasnet0_5", "alpha=0", "mnasnet.rg", "alpha must be more than 0"),
])
def test_out_of_domain_parameter_exits_2_at_its_require(capsys: pytest.CaptureFixture[str],
                                                        command: str, name: str, setting: str,
                                                        file: str, message: str) -> None:
    code = main([command, name, "--set", setting])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    first = err.splitlines()[0]
    assert re.search(rf"{re.escape(file)}:\d+:\d+: error: {re.escape(message)}$", first), first
    assert f'"{message}"' in err  # the require line itself is quoted under it
