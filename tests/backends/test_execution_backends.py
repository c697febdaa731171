"""The ONNX Runtime and PyTorch backends: prepare, run and describe on a tiny spec and agree
with the reference module; what they say when they cannot run; the registry's names."""

from __future__ import annotations

import sys

import onnxruntime
import pytest
import torch
from export_fixtures import assert_parity, exact, reference, sample, tiny_graph

from resgraph.backends.base import MissingExtra, Unsupported, Workload
from resgraph.backends.registry import BACKENDS, UnknownBackend, get_backend

#: the backends this file covers (TensorRT has its own tests)
NAMES = ("onnxruntime", "torch", "torch-compile")


@pytest.fixture(scope="module")
def tiny():
    graph = tiny_graph()
    return graph, reference(graph)


def workload(tiny, **kw) -> Workload:
    graph, module = tiny
    return Workload(graph, module, batch=kw.pop("batch", 2), **kw)


def prepared_output(name: str, work: Workload, **options) -> tuple[list[torch.Tensor], dict]:
    """One batch through backend ``name``: its outputs and what it says of itself."""
    backend = get_backend(name, **options)
    backend.prepare(work)
    try:
        out = backend.run(sample(work.graph, work.batch))
        backend.synchronize()
        return out, backend.describe()
    finally:
        backend.close()


@pytest.mark.parametrize("name, options, precision, described", [
    ("onnxruntime", {"threads": 1}, "fp32",
     {"providers": ["CPUExecutionProvider"], "threads": 1, "precision": "fp32"}),
    ("torch", {}, "fp32", {"channels_last": False, "cuda_graph": False}),
    ("torch", {"channels_last": True}, "fp32", {"channels_last": True}),
    ("torch", {}, "bf16", {}),
    ("torch-compile", {}, "fp32", {"compile_mode": "default"}),
])
def test_backend_agrees_with_the_reference_module(tiny, name, options, precision, described):
    work = workload(tiny, precision=precision)
    [out], about = prepared_output(name, work, **options)
    x = sample(work.graph, work.batch)
    assert out.dtype == torch.float32 and out.shape == (2, 5)
    assert_parity(work.graph, out, exact(work.module, x), precision)
    assert about["backend"] == name and about["version"]
    assert described.items() <= about.items()


@pytest.mark.parametrize("name", ["torch", "torch-compile"])
def test_threads_hold_while_prepared_and_are_given_back_on_close(tiny, name):
    """torch's thread count is process-wide: a backend sets it for its run only."""
    before = torch.get_num_threads()
    wanted = 1 if before != 1 else 2
    backend = get_backend(name, threads=wanted)
    backend.prepare(workload(tiny))
    try:
        assert torch.get_num_threads() == wanted == backend.describe()["threads"]
    finally:
        backend.close()
    assert torch.get_num_threads() == before


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal where no GPU is")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_without_a_gpu_is_unsupported(tiny, name):
    backend = get_backend(name)
    with pytest.raises(Unsupported, match="CUDA"):
        backend.prepare(workload(tiny, device="cuda"))
    assert backend.describe()["backend"] == name  # still answers after refusing


@pytest.mark.parametrize("name", NAMES)
def test_run_before_prepare_says_so(name):
    with pytest.raises(RuntimeError, match="before prepare"):
        get_backend(name).run(torch.zeros(1, 3, 16, 16))


def test_get_backend_passes_only_the_options_a_backend_takes():
    ort = get_backend("onnxruntime", threads=3, channels_last=True, compile_mode="max")
    compiled = get_backend("torch-compile", threads=3, channels_last=True, compile_mode="max")
    assert ort.threads == 3 and not hasattr(ort, "channels_last")
    assert (compiled.threads, compiled.channels_last, compiled.compile_mode) == (3, True, "max")


@pytest.mark.parametrize("name, hint", [
    ("torch_compile", "did you mean 'torch-compile'?"),
    ("onnxruntim", "did you mean 'onnxruntime'?"),
    ("tvm", f"known: {', '.join(sorted(BACKENDS))}"),
])
def test_unknown_backend_suggests_the_nearest(name, hint):
    with pytest.raises(UnknownBackend, match=f"unknown backend '{name}'") as error:
        get_backend(name)
    assert hint in str(error.value)


def test_onnxruntime_missing_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingExtra) as error:
        get_backend("onnxruntime")
    assert str(error.value) == "onnxruntime is not installed: pip install 'resgraph[onnx]'"
    assert onnxruntime.__version__  # the real one is back after the test
