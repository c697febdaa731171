"""What the ONNX export, export CLI and execution-backend tests share: a tiny spec and its
torchvision twin, the reference module every comparison starts from, ONNX Runtime on the CPU,
and the measures the comparisons use."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import onnx
import onnxruntime
import torch
from torch import fx, nn
from torchvision_resnet import BasicBlock, ResNet, randomise_bn

import resgraph
from resgraph.ir import Graph
from resgraph.lower_fx import lower_fx

#: basic blocks, one projection shortcut (layer2.0.downsample.0/.1), torchvision's names
TINY = """resgraph 1
network tiny
input 3x16x16
stem {
  conv1: conv(3, 8) -> bn1: bn -> relu
}
stage layer1: basic(8) x 1
stage layer2: basic(16) x 1 stride 2
head {
  avgpool: global_avgpool -> flatten
  fc: linear(5)
}
"""


def tiny_twin() -> nn.Module:
    """:data:`TINY` as torchvision writes it (``tests/torchvision_resnet.py``)."""
    return ResNet(BasicBlock, [1, 1], num_classes=5, widths=(8, 16), stem="small")


def tiny_graph() -> Graph:
    return resgraph.load(TINY)


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
