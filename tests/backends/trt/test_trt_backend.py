"""The ``tensorrt`` bench backend without a GPU: trtexec's defaults, and a clean refusal."""

import pytest
import torch

from resgraph.api import load
from resgraph.backends.base import Backend, MissingExtra, Workload
from resgraph.backends.trt import runtime
from resgraph.backends.trt.backend import BUILD_PRECISION, TensorRTBackend, TimingOptions
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


def test_prepare_builds_from_the_workloads_module(monkeypatch, fake_export):
    """With stand-ins for TensorRT and the export: the engine is built from the workload's
    module (the reference weights), in the workload's precision, at its batch, then graphed."""
    from resgraph.backends.trt import sidecar as sc

    exported, built, loaded = fake_export, [], []

    class Runner:
        output = torch.zeros(2, 10)

        def capture(self):
            loaded.append("captured")

    monkeypatch.setattr(runtime, "missing", lambda: None)
    monkeypatch.setattr(runtime, "machine", lambda: sc.Machine("10.13", "GPU", "9.0"))
    monkeypatch.setattr(runtime, "build_engine",
                        lambda plan, onnx, progress=None: built.append(plan) or
                        runtime.Built(b"ENGINE", 0.1, "input", "output"))
    monkeypatch.setattr(runtime, "load",
                        lambda blob, batch: loaded.append((blob, batch)) or Runner())
    graph = load("cifar_resnet20")
    module = lower_fx(graph, "cpu").eval()
    backend = TensorRTBackend()
    backend.prepare(Workload(graph, module, batch=2, precision="fp16", device="cuda"))
    assert exported[0][0] is module and exported[0][1]["precision"] == "fp16"
    assert built[0].precision == "fp16" and built[0].profiles[0].opt[0] == 2
    assert loaded == [(b"ENGINE", 2), "captured"]
    assert backend.info["precision"] == "fp16" and backend.info["build_seconds"] == 0.1


def test_timing_flags_for_bench():
    import argparse

    from resgraph.backends.trt.timing import add_timing_args, timing_from_args

    parser = argparse.ArgumentParser()
    add_timing_args(parser)
    assert timing_from_args(parser.parse_args([])) == TimingOptions()
    changed = timing_from_args(parser.parse_args(["--no-cuda-graph", "--copies",
                                                  "--no-spin-wait"]))
    assert changed == TimingOptions(cuda_graph=False, copies=True, spin_wait=False)
    assert "trtexec 10's default" in parser.format_help()
