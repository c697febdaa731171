"""Fixtures shared by the TensorRT tests."""

import shutil
import sys
import types

import pytest


@pytest.fixture
def fake_export(monkeypatch, tiny_onnx):
    """A stand-in for the backends' ONNX export: records its calls, writes the tiny model, and
    says ONNX node ``node_conv2d_3`` came from scope ``layer1.0.conv1``."""
    calls = []

    def export_onnx(source, path, **kw):
        calls.append((source, kw))
        shutil.copy(tiny_onnx, path)
        return types.SimpleNamespace(scopes={"node_conv2d_3": "layer1.0.conv1"})

    module = types.ModuleType("resgraph.backends.onnx_export")
    module.export_onnx = export_onnx
    monkeypatch.setitem(sys.modules, "resgraph.backends.onnx_export", module)
    return calls
