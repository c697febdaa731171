"""The Python API; the CLI is a thin view of these functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from resgraph import syntax as s
from resgraph.catalog import resolve
from resgraph.elaborate import elaborate
from resgraph.format import format_module
from resgraph.ir import Graph
from resgraph.parse import parse

Spec = str | Path


def load(spec: Spec, *, input_shape: tuple[int, ...] | None = None, **params: Any) -> Graph:
    """Parse and elaborate a spec (a path, a shipped name such as ``"resnet50"``, or text).

    ``input_shape`` (CxHxW) replaces the shape the spec's ``input`` line gives.
    """
    r = resolve(spec)
    module = parse(r.text, r.file)
    return elaborate(module, r.file, {**r.params, **params}, name=r.name, input_shape=input_shape)


def compile(spec: Spec, *, device: str = "cpu", **params: Any):
    """A runnable ``torch.fx.GraphModule`` of the spec; ``device="meta"`` allocates nothing."""
    from resgraph.lower_fx import lower_fx

    return lower_fx(load(spec, **params), device)


def fmt(spec: Spec) -> str:
    """The spec's canonical text: formatting it again gives the same text."""
    r = resolve(spec)
    return format_module(parse(r.text, r.file))


def parse_spec(spec: Spec) -> s.Module:
    r = resolve(spec)
    return parse(r.text, r.file)
