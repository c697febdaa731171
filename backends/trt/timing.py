"""How the ``tensorrt`` backend times an engine, and the ``resgraph bench`` flags that change
it: plain Python without torch or TensorRT, so the command line is built without either.

trtexec 11 times with CUDA graphs on, host↔device copies left out and spin-wait on by
default; :class:`TimingOptions` defaults to the same so that figures compare.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass(frozen=True)
class TimingOptions:
    #: replay one captured CUDA graph per inference (trtexec 11's default; 10's --useCudaGraph)
    cuda_graph: bool = True
    #: bring each output back to pinned host memory inside ``run`` (off: trtexec 11's default,
    #: 10's --noDataTransfers); the input copy, when the input is not already the engine's
    #: buffer, is timed apart from the inference either way
    copies: bool = False
    #: wait for the GPU by spinning on an event (trtexec 11's default; 10's --useSpinWait)
    #: rather than blocking the thread
    spin_wait: bool = True


#: trtexec 11's way
DEFAULT_TIMING = TimingOptions()


def add_timing_args(parser: argparse.ArgumentParser) -> None:
    """The flags that change :class:`TimingOptions`, for ``resgraph bench``; each says what
    it departs from, so that figures are compared knowingly."""
    group = parser.add_argument_group(
        "tensorrt timing", "defaults as trtexec 11: CUDA graph on, copies off, spin-wait on")
    group.add_argument("--no-cuda-graph", action="store_true",
                       help="enqueue each inference with execute_async_v3 instead of replaying "
                            "a CUDA graph (trtexec 10's default)")
    group.add_argument("--copies", action="store_true",
                       help="copy each output to the host inside the timed run (trtexec "
                            "without --noDataTransfers); its time is still reported apart")
    group.add_argument("--no-spin-wait", action="store_true",
                       help="block on the GPU instead of spinning (trtexec 10's default)")


def timing_from_args(args: argparse.Namespace) -> TimingOptions:
    return TimingOptions(cuda_graph=not args.no_cuda_graph, copies=args.copies,
                         spin_wait=not args.no_spin_wait)
