"""``--module`` on torchvision's model zoo through the CLI: analyze, paths and draw exit 0, MACs
equal FlopCounterMode's count / 2 where every op is counted, and every uncounted op is listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from resgraph.cli import main

#: name → input side: small where the model allows, so the test stays fast
ZOO = {"resnet18": 64, "resnext50_32x4d": 64, "wide_resnet50_2": 64, "densenet121": 64,
       "inception_v3": 75, "googlenet": 64, "mobilenet_v2": 64, "mobilenet_v3_large": 64,
       "efficientnet_b0": 64, "regnet_y_400mf": 64, "regnet_x_400mf": 64, "squeezenet1_0": 64,
       "shufflenet_v2_x0_5": 64, "mnasnet0_5": 64, "alexnet": 64, "convnext_tiny": 64,
       "vit_b_16": 32, "tiny_fpn": 16}
#: what each cannot count yet (AlexNet's adaptive pooling that grows, 1x1 up to 6x6 at this
#: size, is adaptive_avgpool now: none)
UNCOUNTED: dict[str, dict[str, int]] = {}


def _factory(name: str) -> str:
    return f"zoo_models:model('{name}')"


def _flop_counter_macs(name: str, side: int) -> int:
    """FlopCounterMode counts on meta tensors as on real ones: shapes are all it reads."""
    from zoo_models import device, model

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(name)(torch.zeros(1, 3, side, side, device=device(name)))
    return counter.get_total_flops() // 2


@pytest.fixture(autouse=True)
def _zoo_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))


@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    side = ZOO[name]
    shape = ["--input", f"3x{side}x{side}"]
    assert main(["analyze", "--module", _factory(name), *shape, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    listed = {u["op"]: u["count"] for u in report["uncounted_ops"]}
    assert listed == UNCOUNTED.get(name, {})
    if not listed:
        assert report["macs"] == _flop_counter_macs(name, side)
    assert main(["paths", "--module", _factory(name), *shape, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["nominal_depth"] > 0
    assert main(["draw", "--module", _factory(name), *shape, "-o", str(tmp_path / "m.dot")]) == 0
    assert (tmp_path / "m.dot").read_text().startswith("digraph")
