"""PyTorch as an execution backend: the spec's module in eager mode or under torch.compile.

Options: ``channels_last`` memory format; the workload's precision (fp16/bf16 weights and
activations, fp32 output); on a GPU, CUDA graphs (captured by hand for eager,
``mode="reduce-overhead"`` for torch.compile) and CUDA events around every forward.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import torch

from resgraph.backends.base import Backend, Unsupported, Workload, outputs

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class TorchBackend(Backend):
    """Eager PyTorch."""

    name = "torch"

    def __init__(self, threads: int | None = None, channels_last: bool = False,
                 cuda_graphs: bool = True):
        self.threads, self.channels_last, self.cuda_graphs = threads, channels_last, cuda_graphs
        self.forward: Callable[[torch.Tensor], torch.Tensor] | None = None
        self.graph: torch.cuda.CUDAGraph | None = None
        self.static_in: torch.Tensor | None = None
        self.static_out: torch.Tensor | None = None
        self.events: list[tuple[torch.cuda.Event, torch.cuda.Event]] = []
        self.info: dict[str, Any] = {}
        #: set by ``prepare``; the defaults let ``describe`` answer before it (or after it
        #: raised :class:`Unsupported`)
        self.device, self.dtype = torch.device("cpu"), torch.float32
        #: torch's thread count before ``prepare`` set ``threads``; ``close`` puts it back, since
        #: the count is process-wide and the process (a sweep worker, a notebook) goes on
        self.threads_before: int | None = None

    def prepare(self, work: Workload) -> None:
        if work.device == "cuda" and not torch.cuda.is_available():
            raise Unsupported("no CUDA device")
        if self.threads:
            self.threads_before = torch.get_num_threads()
            torch.set_num_threads(self.threads)
        self.device, self.dtype = torch.device(work.device), DTYPES[work.precision]
        self.format = torch.channels_last if self.channels_last else torch.contiguous_format
        module = copy.deepcopy(work.module).eval().to(self.device, self.dtype,
                                                      memory_format=self.format)
        example = self._input(torch.randn(work.input_shape))
        self.forward = self.build(module, example)
        if self.device.type == "cuda" and self.cuda_graphs and self.captures_by_hand:
            self._capture(example)

    #: eager captures its own CUDA graph; torch.compile's reduce-overhead does it itself
    captures_by_hand = True

    def build(self, module: torch.nn.Module,
              example: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """The callable that runs one batch (subclasses compile it)."""
        return module

    def _input(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(self.device, self.dtype, non_blocking=True).contiguous(
            memory_format=self.format)

    def _capture(self, example: torch.Tensor) -> None:
        """Record one forward into a CUDA graph after warm-up runs on a side stream, as the
        CUDA-graph notes of the PyTorch docs do; ``run`` then copies in and replays."""
        forward = self._forward()
        self.static_in = example.clone()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.inference_mode(), torch.cuda.stream(side):
            for _ in range(3):
                forward(self.static_in)
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.inference_mode(), torch.cuda.graph(self.graph):
            self.static_out = forward(self.static_in)

    def _forward(self) -> Callable[[torch.Tensor], torch.Tensor]:
        if self.forward is None:
            raise RuntimeError(f"{type(self).__name__}.run before prepare")
        return self.forward

    def run(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every output, in fp32 (one for a network of one)."""
        forward = self._forward()
        x = self._input(x)
        timed = self.device.type == "cuda"
        if timed:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
        with torch.inference_mode():
            if self.graph is not None and self.static_in is not None:
                self.static_in.copy_(x)
                self.graph.replay()
                out = self.static_out
            else:
                out = forward(x)
        if timed:
            end.record()
            self.events.append((start, end))
        assert out is not None
        return [t.float() for t in outputs(out)]

    def synchronize(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def timings(self) -> dict[str, list[float]]:
        if not self.events:
            return {}
        self.synchronize()
        return {"compute_ms": [a.elapsed_time(b) for a, b in self.events]}

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "version": torch.__version__,
                "threads": self.threads or torch.get_num_threads(), "channels_last": self.channels_last,
                "cuda_graph": self.graph is not None or (
                    self.device.type == "cuda" and self.cuda_graphs), **self.info}

    def close(self) -> None:
        self.forward = self.graph = self.static_in = self.static_out = None
        self.events.clear()
        if self.threads_before is not None:
            torch.set_num_threads(self.threads_before)
            self.threads_before = None


class TorchCompileBackend(TorchBackend):
    """``torch.compile`` (inductor); compiled, and run once, in ``prepare``."""

    name = "torch-compile"
    captures_by_hand = False

    def __init__(self, threads: int | None = None, channels_last: bool = False,
                 cuda_graphs: bool = True, compile_mode: str | None = None):
        super().__init__(threads, channels_last, cuda_graphs)
        self.compile_mode = compile_mode

    def build(self, module: torch.nn.Module,
              example: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        mode = self.compile_mode or ("reduce-overhead" if self.device.type == "cuda"
                                     and self.cuda_graphs else None)
        compiled = torch.compile(module, mode=mode, dynamic=False)
        self.info["compile_mode"] = mode or "default"
        with torch.inference_mode():
            compiled(example)  # compile now, not in the timed runs

        def forward(x: torch.Tensor) -> torch.Tensor:
            if mode == "reduce-overhead":
                torch.compiler.cudagraph_mark_step_begin()
            return compiled(x)

        return forward
