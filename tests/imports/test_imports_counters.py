"""Each ``other_counters`` figure equals what the released counter reports for the same model
(fvcore, thop, ptflops 0.7.5 with both backends, torchinfo, DeepSpeed), on models that call modules and
on models that call functions (DenseNet's ``F.adaptive_avg_pool2d``, Inception's
``F.avg_pool2d``, a functional squeeze-excitation) and on ConvNeXt (layer norms, GELU, linear
layers on channels-last maps), on a small ViT and a cross-attention (nn.MultiheadAttention
with and without its weights), and on a feature pyramid (F.interpolate, nn.Upsample, einsum),
at small inputs."""

from __future__ import annotations

import contextlib
import importlib
import io
import warnings
from pathlib import Path

import pytest
import torch
import torchvision.models as tvm

from resgraph.analysis.report import analyze_graph
from resgraph.import_fx import import_fx

FACTORIES = Path(__file__).resolve().parents[1] / "analysis"
#: name → input side: the smallest each model takes (Inception v3's stem needs 75)
MODELS = {"resnet50": 32, "densenet121": 32, "inception_v3": 75, "mobilenet_v3_large": 32,
          "convnext_tiny": 32,
          "functional_net": 16, "tiny_vit": 32, "cross_attention": 32, "tiny_fpn": 16,
          "token_norms": 4, "leaky_net": 8}
#: the small networks of analyze_factories: attention, interpolation, einsum, layer norms,
#: leaky ReLU
OWN = ("functional_net", "tiny_vit", "cross_attention", "tiny_fpn", "token_norms", "leaky_net")


def _model(name: str, monkeypatch: pytest.MonkeyPatch) -> torch.nn.Module:
    if name in OWN:
        monkeypatch.syspath_prepend(FACTORIES)
        return getattr(importlib.import_module("analyze_factories"), name)().eval()
    kwargs = {"init_weights": False} if name == "inception_v3" else {}
    return getattr(tvm, name)(**kwargs).eval()


def _quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """The counters print tables and warn about ops they skip: nothing to see in a test."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _released(model: torch.nn.Module, shape: tuple[int, int, int]) -> dict[str, int]:
    from deepspeed.profiling.flops_profiler import get_model_profile
    from fvcore.nn import FlopCountAnalysis
    from ptflops import get_model_complexity_info
    from thop import profile
    from torchinfo import summary

    x = torch.zeros(1, *shape)
    fv = FlopCountAnalysis(model, x).unsupported_ops_warnings(False).uncalled_modules_warnings(False)

    def ptflops(backend: str) -> int:
        return _quiet(get_model_complexity_info, model, shape, as_strings=False,
                      print_per_layer_stat=False, backend=backend, verbose=False)[0]

    return {"fvcore": _quiet(fv.total), "thop": int(_quiet(profile, model, (x,), verbose=False)[0]),
            "ptflops": ptflops("pytorch"), "ptflops_aten": ptflops("aten"),
            "torchinfo": _quiet(summary, model, input_size=(1, *shape), verbose=0).total_mult_adds,
            "deepspeed": _quiet(get_model_profile, model, input_shape=(1, *shape),
                                print_profile=False, detailed=False, as_string=False)[0]}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_counters_equal_the_released_libraries(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    model, shape = _model(name, monkeypatch), (3, MODELS[name], MODELS[name])
    report = analyze_graph(import_fx(model, shape), batch=1).to_json()
    assert report["uncounted_ops"] == []
    released = _released(model, shape)
    assert {k: report["other_counters"][k] for k in released} == released
