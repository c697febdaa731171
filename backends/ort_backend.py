"""ONNX Runtime as an execution backend: resgraph's own export, one session per workload.

The file is exported for exactly the workload's batch (static shapes let ONNX Runtime plan
its memory) with every graph optimisation on. On the CPU the tensors cross as NumPy views;
with ``device="cuda"`` the CUDA provider runs on tensors bound where they already are.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import torch

from resgraph.backends.base import Backend, Unsupported, Workload, require

PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}


class OnnxRuntimeBackend(Backend):
    name = "onnxruntime"

    def __init__(self, threads: int | None = None, opset: int | None = None):
        self.ort = require("onnxruntime", "onnx")
        require("onnx", "onnx")
        self.threads, self.opset = threads, opset
        self.session: Any = None
        self.info: dict[str, Any] = {}
        #: CUDA: each output's buffer, bound by name, in the file's order
        self.outputs: dict[str, torch.Tensor] = {}

    def prepare(self, work: Workload) -> None:
        from resgraph.backends.onnx_export import export_onnx

        provider = PROVIDERS[work.device]
        if provider not in self.ort.get_available_providers():
            raise Unsupported(f"this onnxruntime has no {provider}")
        with tempfile.TemporaryDirectory(prefix="resgraph-ort-") as tmp:
            info = export_onnx(work.module, Path(tmp) / "model.onnx", batch=work.batch,
                               opset=self.opset, precision=work.precision)
            self.session = self._session(info.path, provider)
        self.info = {"opset": info.opset, "precision": work.precision, "onnx_nodes": info.nodes}
        self.device = work.device

    def _session(self, path: Path, provider: str) -> Any:
        options = self.ort.SessionOptions()
        options.graph_optimization_level = self.ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if self.threads:
            options.intra_op_num_threads = self.threads
        try:
            return self.ort.InferenceSession(str(path), options, providers=[provider])
        except Exception as exc:  # ORT raises its own exception types per failure
            raise Unsupported(f"onnxruntime cannot run this model: {exc}") from exc

    def run(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every output of the file (one for a network of one), in its order."""
        if self.session is None:
            raise RuntimeError("OnnxRuntimeBackend.run before prepare")
        if self.device == "cuda":
            return self._run_bound(x)
        feed = {"input": x.detach().contiguous().numpy()}
        return [torch.from_numpy(a) for a in self.session.run(None, feed)]

    def _run_bound(self, x: torch.Tensor) -> list[torch.Tensor]:
        """CUDA: bind the input and preallocated outputs in device memory, no host copy."""
        import numpy as np

        x = x.detach().to("cuda", torch.float32).contiguous()
        if not self.outputs:
            self.outputs = {o.name: torch.empty((x.shape[0], *o.shape[1:]), device="cuda")
                            for o in self.session.get_outputs()}
        binding = self.session.io_binding()
        binding.bind_input("input", "cuda", 0, np.float32, tuple(x.shape), x.data_ptr())
        for name, out in self.outputs.items():
            binding.bind_output(name, "cuda", 0, np.float32, tuple(out.shape), out.data_ptr())
        torch.cuda.current_stream().synchronize()  # x must be written before ORT's stream reads
        self.session.run_with_iobinding(binding)
        return list(self.outputs.values())

    def synchronize(self) -> None:
        if self.device == "cuda":
            torch.cuda.synchronize()

    def describe(self) -> dict[str, Any]:
        providers = self.session.get_providers() if self.session is not None else []
        return {"backend": self.name, "version": self.ort.__version__, "providers": providers,
                "threads": self.threads or "onnxruntime default", **self.info}

    def close(self) -> None:
        self.session, self.outputs = None, {}
