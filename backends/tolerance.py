"""How far a backend's output may lie from exact arithmetic: the one parity rule of resgraph,
used by the bench harness before it times anything and by the tests of every backend.

The bound is derived from the arithmetic, not tuned to what some machine happened to give:

1. **Model of rounding** (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
   2002, §2.2): every operation returns the exact result times ``1 + δ`` with ``|δ| ≤ u``,
   ``u`` the unit roundoff of the format it is stored in (fp32 2^-24, fp16 2^-11, bf16
   2^-8; tf32 rounds the operands of products to 2^-11 and keeps fp32 results). As in
   Higham & Mary, "A New Approach to Probabilistic Rounding Error Analysis" (SIAM J. Sci.
   Comput. 41(5), 2019), the δ of distinct operations are taken as independent with mean zero.
2. **One op**: an output of an op that sums ``K`` terms (a convolution's
   ``C_in/groups x kh x kw`` products, a linear layer's inputs, a pool's window) accumulates
   ``K`` roundings in fp32, whatever the tensors are stored in (what the kernels behind
   every backend here do for fp16/bf16 by default: oneDNN, MLAS, cuDNN, TensorRT; a kernel
   summing in half precision is less accurate than its precision promises, and exceeds
   this bound): a relative error of standard size ``sqrt(K) u32``. Rounding the result to its storage format adds
   one ``u``; a weighted op also has its weights rounded once (to the precision, or by BN
   folding) and, in tf32, both operands of every product. So an op contributes
   ``δ_op² = K u32² + u_store² + [weighted] (u_store² + 2 u_operand²)``.
3. **Through the network**, to first order: each op passes the relative error of its input
   on with gain 1 (BN-normalised layers and residual sums keep activations at a steady scale;
   a network that amplifies, such as one with statistics estimated on a few batches, breaks
   this and its comparison measures the network, not the backend); independent errors add
   in quadrature along a path and, where paths merge (an add of same-scale terms), the result
   is no worse than the worse input. The output's relative error therefore has standard size
   ``σ = sqrt(max over input→output paths of Σ δ_op²)``.
4. **Confidence**: the error is a sum of independent bounded terms, so by the Azuma-Hoeffding
   inequality (Higham & Mary's Lemma 2.1) it exceeds ``λ σ`` with probability at most
   ``2 exp(-λ²/2)``; ``λ = 6`` makes that below 3e-8.

:func:`error_bound` is ``λ σ``, the bound on ‖output − exact‖ / ‖exact‖ of one computation.
A backend checked against resgraph's fp32 PyTorch module rather than the exact (float64)
result gets the sum of both bounds (the triangle inequality): :func:`tolerance`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from resgraph.ir import Graph, Node
from resgraph.ops import numel


@dataclass(frozen=True)
class Arithmetic:
    """The unit roundoffs of one precision: where results are stored, where the operands of
    products are rounded (0: not rounded again), and where sums accumulate."""

    store: float
    operand: float = 0.0
    accumulate: float = 2.0**-24


FP32 = Arithmetic(store=2.0**-24)
#: the precisions a computation can run in, by resgraph's names
ARITHMETIC = {"fp32": FP32, "tf32": Arithmetic(store=2.0**-24, operand=2.0**-11),
              "fp16": Arithmetic(store=2.0**-11), "bf16": Arithmetic(store=2.0**-8)}
#: the Azuma-Hoeffding multiplier: the bound fails with probability at most 2 exp(-λ²/2)
LAMBDA = 6.0


def terms(node: Node, graph: Graph) -> int:
    """How many terms each output element of ``node`` sums: multiply-accumulates per output
    for a convolution or a linear layer, the window of a pool (its operations per output),
    1 for an element-wise op."""
    if node.op == "input":
        return 0
    shapes = [graph.nodes[i].shape for i in node.inputs]
    per = node.opdef.macs(node.attrs, shapes, node.shape) or node.opdef.flops(
        node.attrs, shapes, node.shape)
    return max(1, math.ceil(per / numel(node.shape)))


def op_variance(node: Node, graph: Graph, arithmetic: Arithmetic) -> float:
    """``δ_op²`` of the module docstring: the squared relative error one op adds."""
    if node.op == "input":
        return 0.0
    a = arithmetic
    own = terms(node, graph) * a.accumulate**2 + a.store**2
    return own + (a.store**2 + 2 * a.operand**2 if node.weighted else 0.0)


def error_bound(graph: Graph, precision: str = "fp32") -> float:
    """``λ σ``: the bound on the relative error (2-norm over the output) of the network
    computed in ``precision`` against exact arithmetic."""
    arithmetic = ARITHMETIC[precision]
    reach: dict[str, float] = {}
    for node in graph:
        before = max((reach[i] for i in node.inputs), default=0.0)
        reach[node.name] = before + op_variance(node, graph, arithmetic)
    return LAMBDA * math.sqrt(reach[graph.output])


def tolerance(graph: Graph, precision: str = "fp32") -> float:
    """The largest relative error accepted of a backend computing in ``precision`` when its
    output is compared with resgraph's fp32 PyTorch module: both bounds, added."""
    return error_bound(graph, precision) + error_bound(graph, "fp32")
