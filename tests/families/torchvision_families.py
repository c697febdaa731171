"""What every family's test checks against torchvision's own module: parameter and buffer
names and shapes, parameter counts, MACs as FlopCounterMode counts them, and outputs in eval
within the derived fp32 bound."""

import pytest
import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode

import resgraph
from resgraph.backends.tolerance import tolerance
from resgraph.catalog import catalog
from resgraph.ir import Graph


def on_meta(name: str, **kwargs) -> torch.nn.Module:
    """torchvision's module built on the meta device (with its builder's kwargs): no memory,
    its own initialisation."""
    with torch.device("meta"):
        return getattr(torchvision.models, name)(**kwargs).eval()


def shapes(module: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def bn_settings(module: torch.nn.Module) -> dict[str, tuple[float, float]]:
    """Each batch norm's eps and momentum, by name: they are not in a state_dict."""
    return {name: (m.eps, m.momentum) for name, m in module.named_modules()
            if isinstance(m, torch.nn.BatchNorm2d)}


def flop_counter_macs(module: torch.nn.Module, size: int) -> int:
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module(torch.empty(1, 3, size, size, device="meta"))
    return counter.get_total_flops() // 2


def check_names_params_and_macs(name: str, theirs: torch.nn.Module, size: int,
                                published: tuple[int, float | None]) -> None:
    """Our module has torchvision's state_dict names and shapes; `analyze` gives its
    parameter count and FlopCounterMode's MACs at the variant's resolution, and both agree
    with torchvision's published figures (GMACs to three decimals)."""
    ours = resgraph.compile(name, device="meta")
    assert shapes(ours) == shapes(theirs)
    report = resgraph.analyze(name)
    params, gmacs = published
    assert report.params == params == sum(p.numel() for p in theirs.parameters())
    assert report.macs == flop_counter_macs(theirs, size)
    if gmacs is not None:
        assert round(report.macs / 1e9, 3) == gmacs


def check_same_outputs(name: str, size: int, **kwargs) -> None:
    """torchvision's randomly initialised weights (its builder given kwargs) load strictly and
    give the same outputs in eval, within the bound resgraph.backends.tolerance derives for
    two fp32 computations."""
    torch.manual_seed(0)
    theirs = getattr(torchvision.models, name)(**kwargs).eval()
    check_computes_as(resgraph.load(name), theirs, size)


def check_computes_as(graph: Graph, theirs: torch.nn.Module, size: int) -> None:
    """The graph compiled loads ``theirs``'s weights strictly and gives its outputs in eval on
    a batch of two (drawn from torch's current seed), within the bound
    resgraph.backends.tolerance derives for two fp32 computations of this graph."""
    ours = resgraph.compile(graph).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        a, b = ours(x), theirs(x)
    if isinstance(b, dict):  # several outputs (segmentation's out and aux): each, by key
        assert list(a) == list(b)
        pairs = [(a[k], b[k]) for k in b]
    else:
        pairs = [(a, b)]
    for mine, their in pairs:
        assert (mine - their).norm() / their.norm() <= tolerance(graph, "fp32")


def check_refused_at_require(name: str, setting: dict, message: str) -> None:
    """Loading variant ``name`` with ``setting`` fails at the family's ``require`` line,
    in the family's own spec file, with ``message``."""
    with pytest.raises(resgraph.SpecError, match=message) as info:
        resgraph.load(name, **setting)
    assert info.value.span.file.endswith(catalog()[name].file)
