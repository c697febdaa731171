"""What the ONNX export, export CLI and execution-backend tests share: the tiny spec, the
reference module every comparison starts from, ONNX Runtime on the CPU, and the measures
the comparisons use."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import onnx
import onnxruntime
import torch
from torch import fx
from torchvision_resnet import TINY_SPEC, randomise_bn

import resgraph
from resgraph.ir import Graph
from resgraph.lower_fx import lower_fx


def tiny_graph() -> Graph:
    """:func:`torchvision_resnet.tiny` as a spec: basic blocks, one projection shortcut
    (``layer2.0.downsample.0``/``.1``), torchvision's names."""
    return resgraph.load(TINY_SPEC)


def reference(graph: Graph, seed: int = 0) -> fx.GraphModule:
    """The spec's module in eval mode with BN worth folding (random statistics and affine
    weights). Statistics estimated on a few random batches instead would make deep networks
    ill-conditioned: PyTorch's own fp32 output of resnet101_v1 then differs from fp64 by 1e-4,
    and a parity test would measure the network, not the export."""
    torch.manual_seed(seed)
    return randomise_bn(lower_fx(graph), seed).eval()


def sample(graph: Graph, batch: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(batch, *graph.input_shape, generator=torch.Generator().manual_seed(seed))


def rel_err(actual: torch.Tensor, expected: torch.Tensor) -> float:
    """‖actual − expected‖ / ‖expected‖ over the whole output (the issue's parity measure)."""
    actual, expected = actual.detach().float(), expected.detach().float()
    return float(torch.linalg.vector_norm(actual - expected) / torch.linalg.vector_norm(expected))


def ort_run(path: Path, x: torch.Tensor) -> torch.Tensor:
    """One forward pass of the file on ONNX Runtime's CPU provider."""
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(["output"], {"input": x.numpy()})[0])


def op_counts(model: onnx.ModelProto) -> Counter[str]:
    return Counter(node.op_type for node in model.graph.node)
