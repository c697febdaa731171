"""The ``tensorrt`` bench backend without a GPU: trtexec's defaults, and a clean refusal."""

import pytest
import torch
from resgraph.backends.base import Backend, MissingExtra, Workload
from resgraph.backends.trt import runtime
from resgraph.backends.trt.backend import BUILD_PRECISION, TensorRTBackend, TimingOptions

from resgraph.api import load
from resgraph.lower_fx import lower_fx


def test_defaults_match_trtexec():
    # trtexec 11: CUDA graphs on, no host<->device transfers timed, spin-wait on
    assert TimingOptions() == TimingOptions(cuda_graph=True, copies=False, spin_wait=True)
    backend = TensorRTBackend()
    assert isinstance(backend, Backend) and backend.name == "tensorrt"
    assert backend.build_options.opt_level == 3 and backend.build_options.workspace is None


def test_fp32_workloads_build_without_tf32():
    assert BUILD_PRECISION == {"fp32": "fp32", "fp16": "fp16", "bf16": "bf16"}


def test_prepare_without_tensorrt_names_the_extra(monkeypatch):
    monkeypatch.setattr(runtime, "missing", lambda: "TensorRT is not installed: pip install x")
    graph = load("cifar_resnet20")
    work = Workload(graph, lower_fx(graph, "cpu").eval(), batch=2, device="cuda")
    with pytest.raises(MissingExtra, match="TensorRT is not installed"):
        TensorRTBackend().prepare(work)


def test_describe_before_running_has_settings_only(monkeypatch):
    monkeypatch.setattr(runtime, "missing", lambda: "no GPU")
    described = TensorRTBackend(TimingOptions(cuda_graph=False)).describe()
    assert described == {"backend": "tensorrt", "cuda_graph": False, "copies": False,
                         "spin_wait": True}


def test_run_before_prepare_is_an_error():
    with pytest.raises(RuntimeError, match="before prepare"):
        TensorRTBackend().run(torch.zeros(1))
