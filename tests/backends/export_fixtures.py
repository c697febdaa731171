"""What the ONNX export, export CLI and execution-backend tests share: the tiny spec, the
reference module every comparison starts from, ONNX Runtime on the CPU, and the measures
the comparisons use."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import onnx
import onnxruntime
import torch
from torch import fx
from torchvision_resnet import TINY_SPEC, randomise_bn

import resgraph
from resgraph.backends.tolerance import error_bound
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
    """‖actual − expected‖ / ‖expected‖ over the whole output (the issue's parity measure),
    in float64 so that the measure adds no rounding of its own."""
    actual, expected = actual.detach().double(), expected.detach().double()
    return float(torch.linalg.vector_norm(actual - expected) / torch.linalg.vector_norm(expected))


def exact(module: fx.GraphModule, x: torch.Tensor) -> torch.Tensor:
    """The module's output in float64: "exact" next to any fp32 or lower computation."""
    with torch.no_grad():
        return copy.deepcopy(module).double()(x.double())


def assert_parity(graph: Graph, actual: torch.Tensor, expected: torch.Tensor,
                  precision: str = "fp32") -> None:
    """``actual`` (computed in ``precision``) is within the derived bound of the exact
    output (:mod:`resgraph.backends.tolerance`): the rule the bench harness checks by."""
    error, bound = rel_err(actual, expected), error_bound(graph, precision)
    assert error <= bound, f"relative error {error:.3g} above the {precision} bound {bound:.3g}"


def ort_run(path: Path, x: torch.Tensor) -> torch.Tensor:
    """One forward pass of the file on ONNX Runtime's CPU provider: its first output."""
    return ort_outputs(path, x)[0]


def ort_outputs(path: Path, x: torch.Tensor) -> list[torch.Tensor]:
    """Every output of one forward pass on ONNX Runtime's CPU provider, in the file's order."""
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return [torch.from_numpy(a) for a in session.run(None, {"input": x.numpy()})]



def op_counts(model: onnx.ModelProto) -> Counter[str]:
    return Counter(node.op_type for node in model.graph.node)
