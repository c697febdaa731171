"""Stage lines from matched blocks: a stage's run of calls of one block becomes ``stage NAME:
block(args) x N [stride S] [at SCOPE] [{ overrides }]``; the call most of its blocks share
is written once, the blocks that differ get overrides of the arguments that differ."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from resgraph.decompile.match import BLOCK_DEFAULTS, Call, word
from resgraph.decompile.opcall import value
from resgraph.ir import StageInfo
from resgraph.parse import KEYWORDS

#: a name as the grammar reads it
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: a block's scope: what comes before its number, and the number
_NUMBERED = re.compile(r"(.*\D)(0|[1-9][0-9]*)")


def _numbering(blocks: list[str]) -> tuple[str, str] | None:
    """What comes before the blocks' numbers and the first number, where they are numbered
    one after another (``features.2.0``, ``features.2.1`` …); None where they are not."""
    found = _NUMBERED.fullmatch(blocks[0])
    if found is None:
        return None
    prefix, first = found.groups()
    if any(b != f"{prefix}{int(first) + i}" for i, b in enumerate(blocks)):
        return None
    return prefix, first


def _scope(name: str, blocks: list[str]) -> str:
    """The ``at`` text of a stage ``name`` of these blocks ("" where the default ``NAME.i``
    names them): blocks ``features.2.0`` … are ``at f"features.2.{i}"``, ``block1-0`` …
    ``at f"block1-{i}"``, one block of another name (``inception3a``) ``at f"inception3a"``."""
    numbered = _numbering(blocks)
    if numbered is None:
        return f"at f{value(blocks[0])}"
    prefix, first = numbered
    if prefix == f"{name}." and first == "0":
        return ""
    index = "{i}" if first == "0" else f"{{{first} + i}}"
    return f'at f"{prefix}{index}"'


def _override_text(base: Call, call: Call, defaults: Mapping[str, Any]) -> str:
    """``expanded=96, squeeze=4``: the named arguments that make ``base`` into ``call``
    (``defaults``: the block's defaults, and its positional parameters' names)."""
    positional = defaults["__positional__"]
    mine, theirs = dict(base.kwargs), dict(call.kwargs)
    for k, a, b in zip(positional, base.args, call.args):
        if a != b:
            theirs[k], mine[k] = b, a
    words = [f"{k}={word(theirs.get(k, defaults.get(k)))}" for k in
             dict.fromkeys([*mine, *theirs]) if mine.get(k) != theirs.get(k)]
    return ", ".join(words)


def stage_lines(info: StageInfo, calls: list[Call], number: int,
                defined: Mapping[str, tuple[str, ...]], taken: set[str],
                on: str = "") -> tuple[list[str], str]:
    """The stage's lines, one per run of calls of the same block (``defined``: the
    parameters of the blocks the spec defines, by name; ``on``: the result the first reads,
    where it is not the one made just before), and the name of the last, its output's
    result. Each name is new to ``taken`` (the results named so far), and is added to it."""
    runs: list[list[int]] = []
    for i, c in enumerate(calls):
        if runs and calls[runs[-1][0]].block == c.block:
            runs[-1].append(i)
        else:
            runs.append([i])
    # blocks not numbered one after another are a stage line each
    runs = [part for run in runs for part in (
        [run] if _numbering(info.blocks[run[0]:run[-1] + 1]) else [[i] for i in run])]
    lines, name = [], ""
    for k, run in enumerate(runs):
        name = _name(info.name, number, k if len(runs) > 1 else None, taken)
        at = _scope(name, info.blocks[run[0]:run[-1] + 1])
        block = calls[run[0]].block
        defaults = BLOCK_DEFAULTS.get(block) or {"__positional__": defined[block]}
        lines.append(_stage(name, at, [calls[i] for i in run], defaults,
                            on if not k else ""))
    return lines, name


def _name(stage: str, number: int, run: int | None, taken: set[str]) -> str:
    """A stage line's name: the stage's where it is a name (``layer1``), else its path's
    last part where that is one (``body.layer1``), else ``stageN`` (``_K`` for the K-th of
    several runs); never one of ``taken``, to which it is added."""
    last = stage.rsplit(".", 1)[-1]
    words = [w for w in (stage, last) if IDENT.fullmatch(w) and w not in KEYWORDS]
    name = f"stage{number}_{run + 1}" if run is not None else next(
        (w for w in words if w not in taken), f"stage{number}")
    taken.add(name)
    return name


def _stage(name: str, at: str, calls: list[Call], defaults: Mapping[str, Any],
           on: str) -> str:
    stride = calls[0].get("stride", 1)
    if stride != 1 and all(c.get("stride", 1) == 1 for c in calls[1:]):
        calls = [calls[0].without("stride"), *calls[1:]]
    else:
        stride = 1
    base = Counter(calls[1:] or calls).most_common(1)[0][0]
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(calls):
        if c != base:
            groups.setdefault(_override_text(base, c, defaults), []).append(i)
    line = f"stage {name}: {base.text()} x {len(calls)}"
    line += f" stride {stride}" if stride != 1 else ""
    line += f" {at}" if at else ""
    line += f" on {on}" if on else ""
    if groups:
        body = "\n".join(f"  {', '.join(map(str, ix))}: {text}" for text, ix in groups.items())
        line += " {\n" + body + "\n}"
    return line


