"""Sweep files: a sweep written down (``NAME.sweep.rg``), so it is versioned beside its spec
and run with ``resgraph sweep NAME.sweep.rg --out DIR``::

    resgraph 1
    # RegNetX at 400 MF: pycls's RegNet sampler
    sweep regnetx_400mf of regnet_x_400mf {
        sample depth = int(12, 28)
        sample w0 = log_uniform(8, 256, 8)
        grid group_width = 8, 16
        set se_ratio = 0.0
        samples 1000
        seed 0
        where macs <= 400e6 and output_stride == 32
        measure analyze
        pareto macs, params
        input 3x224x224
    }

``of`` names the spec: a ``"path"`` (from the sweep file's folder) or a shipped network.
Each setting is the command line's option of that name, and its text is read by the same
code (:mod:`.space`, :mod:`.where`, :mod:`.measures`, :mod:`.summary`): ``set``, ``grid`` and
``sample NAME = ...`` (a parameter once over the three), ``samples N``, ``accept N``, ``seed N``,
``where``, ``measure``, ``pareto``, ``input CxHxW``, each at most once. The grammar is the
spec language's (``resgraph/grammar.lark``, ``sweep_file``), so an error in the file is
placed as a spec's is: ``file:line:col``, the line, carets, and the closest known word.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resgraph import syntax as s
from resgraph.catalog import SWEEP_SUFFIX as SUFFIX
from resgraph.catalog import is_sweep_file, resolve
from resgraph.errors import Source, Span, SpecError, UsageError
from resgraph.files import read_spec_text
from resgraph.ops import MAX_CHANNELS, MAX_SIZE
from resgraph.parse import parse, parse_sweep
from resgraph.sweep.figures import known
from resgraph.sweep.measures import measure as parse_measure
from resgraph.sweep.space import (
    MAX_CANDIDATES,
    MAX_SEED,
    TextError,
    check_declared,
    check_types,
    declared_params,
    distribution,
    values,
)
from resgraph.sweep.summary import pareto_goals
from resgraph.sweep.where import where as parse_where

#: settings a caller's value replaces whole (the others are per parameter)
_WHOLE = ("samples", "accept", "seed", "where", "measure", "input_shape", "pareto")
#: the settings that name a parameter, and the keyword of :func:`.driver.plan` each fills
_PER_PARAMETER = {"set": "params", "grid": "grid", "sample": "sample"}


@dataclass(frozen=True)
class SweepFile:
    """A read and checked sweep file: its ``name``, the ``spec`` it sweeps (what
    :func:`resgraph.catalog.resolve` takes) and ``options``, :func:`.driver.plan`'s keywords
    as the file sets them."""

    name: str
    spec: str | Path
    options: dict[str, Any]

    def merged(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """``plan``'s keywords from the file and from ``given`` (the command line's): a
        setting given (not None) replaces the file's, and a parameter given to ``grid``,
        ``sample`` or ``params`` replaces the file's setting of that parameter."""
        named = {n for key in _PER_PARAMETER.values() for n in given.get(key) or {}}
        out: dict[str, Any] = {key: {**{k: v for k, v in self.options.get(key, {}).items() if k not in named},
                     **(given.get(key) or {})} for key in _PER_PARAMETER.values()}
        out.update({key: self.options.get(key) if given.get(key) is None else given[key]
                    for key in _WHOLE})
        if out["sample"] and out["samples"] is None:
            raise UsageError(f"{self.name} samples {', '.join(out['sample'])} but says not how "
                             f"many times: write 'samples N' in the file, or give --samples N")
        return out


def load_sweep(spec: str | Path | Source) -> SweepFile:
    """Read a sweep file and check every setting against its spec, each error at its place."""
    source = spec if isinstance(spec, Source) else Source(read_spec_text(Path(spec)), str(spec))
    tree = parse_sweep(source.text, source.file)
    target = _target(tree, Path(source.file).parent)
    r = resolve(target)
    declared = declared_params(parse(r.text, r.file))
    reader = _Reader(declared)
    for setting in tree.settings:
        reader.read(setting)
    return SweepFile(tree.name, target, reader.options)


def _target(tree: s.Sweep, folder: Path) -> str | Path:
    """The spec ``of`` names: a path from the sweep file's folder, or a shipped network."""
    if not tree.is_path:
        try:
            return resolve(tree.spec).name or tree.spec
        except UsageError as exc:
            raise SpecError(str(exc), tree.spec_span) from None
    path = folder / tree.spec
    if not path.is_file():
        raise SpecError(f"no such spec file: {path}", tree.spec_span,
                        hint="a path in quotes is read from the sweep file's folder; a shipped "
                             "network is named without quotes (of resnet50)")
    return path


class _Reader:
    """Reads a sweep file's settings one by one into ``plan``'s keywords."""

    def __init__(self, declared: Mapping[str, type | None]):
        self.declared = declared
        self.options: dict[str, Any] = {"params": {}, "grid": {}, "sample": {}}
        self.seen: dict[str, Span] = {}
        self.names = known(declared)

    def read(self, setting: s.SweepSetting) -> None:
        key = setting.name if setting.name is not None else setting.key
        if key in self.seen:
            what = f"parameter '{key}'" if setting.name is not None else f"'{key}'"
            raise SpecError(f"{what} is set twice in this sweep", setting.name_span or
                            setting.span, notes=[f"first set at line {self.seen[key].line}"])
        self.seen[key] = setting.span
        try:
            _READERS[setting.key](self, setting)
        except TextError as exc:
            raise SpecError(_words(exc), _part(setting.text_span, exc.start, exc.end)) from None
        except UsageError as exc:
            raise SpecError(_words(exc), setting.text_span) from None

    def parameter(self, setting: s.SweepSetting, parsed: Any, types: set[type]) -> None:
        assert setting.name is not None and setting.name_span is not None
        try:
            check_declared(setting.name, self.declared)
        except UsageError as exc:
            raise SpecError(str(exc), setting.name_span) from None
        check_types(setting.name, types, self.declared[setting.name], setting.key)
        self.options[_PER_PARAMETER[setting.key]][setting.name] = parsed

    def set_(self, setting: s.SweepSetting) -> None:
        parsed = values(setting.text, f"set {setting.name}")
        if len(parsed) != 1:
            raise UsageError(f"set {setting.name} takes one value; a grid takes several")
        self.parameter(setting, parsed[0], {type(parsed[0])})

    def grid(self, setting: s.SweepSetting) -> None:
        parsed = values(setting.text, f"grid {setting.name}")
        self.parameter(setting, parsed, {type(v) for v in parsed})

    def sample(self, setting: s.SweepSetting) -> None:
        parsed = distribution(setting.text, f"sample {setting.name}")
        self.parameter(setting, parsed, parsed.types)

    def samples(self, setting: s.SweepSetting) -> None:
        self.options["samples"] = _bounded(setting.text, 1, MAX_CANDIDATES, "samples")

    def accept(self, setting: s.SweepSetting) -> None:
        self.options["accept"] = _bounded(setting.text, 1, MAX_CANDIDATES, "accept")

    def seed(self, setting: s.SweepSetting) -> None:
        self.options["seed"] = _bounded(setting.text, 0, MAX_SEED, "seed")

    def where(self, setting: s.SweepSetting) -> None:
        parse_where(setting.text, self.names, "where")
        self.options["where"] = setting.text

    def measure(self, setting: s.SweepSetting) -> None:
        parse_measure(setting.text)
        self.options["measure"] = setting.text

    def pareto(self, setting: s.SweepSetting) -> None:
        pareto_goals(setting.text, parse_measure(self.options.get("measure") or "analyze").kind)
        self.options["pareto"] = setting.text

    def input(self, setting: s.SweepSetting) -> None:
        dims = tuple(int(d) for d in setting.text.split("x"))
        if len(dims) != 3 or dims[0] > MAX_CHANNELS or max(dims[1:]) > MAX_SIZE or 0 in dims:
            raise UsageError(f"input takes CxHxW, channels 1 to {MAX_CHANNELS:,} and sizes 1 to "
                             f"{MAX_SIZE:,}, such as 3x224x224; got {setting.text}")
        self.options["input_shape"] = dims


_READERS: dict[str, Callable[[_Reader, s.SweepSetting], None]] = {
    "set": _Reader.set_, "grid": _Reader.grid, "sample": _Reader.sample,
    "samples": _Reader.samples, "accept": _Reader.accept, "seed": _Reader.seed, "where": _Reader.where,
    "measure": _Reader.measure, "pareto": _Reader.pareto, "input": _Reader.input}


def _bounded(text: str, lo: int, hi: int, what: str) -> int:
    """An integer literal within ``[lo, hi]`` (compared as text first: it may be long)."""
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(hi)) or not lo <= int(digits) <= hi:
        raise UsageError(f"{what} takes {lo:,} to {hi:,}, got {text}")
    return int(digits)


def _words(exc: UsageError) -> str:
    """A command-line message in a file's words: ``--where: ...`` is ``where: ...`` there."""
    return str(exc).removeprefix("--")


def _part(span: Span, start: int, end: int) -> Span:
    """The part ``[start, end)`` of a setting's text, which lies on one line."""
    return Span(span.file, span.line, span.column + start, span.line,
                span.column + max(end, start + 1), span.source)


__all__ = ["SUFFIX", "SweepFile", "is_sweep_file", "load_sweep"]
