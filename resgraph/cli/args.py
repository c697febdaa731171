"""Arguments that several commands share, defined once: the spec or model they work on,
``--set``, ``--input``, ``--batch`` (one grammar), ``--json``, ``-o``, and bounded numbers.

Every value a person types is checked here, in one line that names the option: numbers are
ASCII digits within a stated range (``int("١٢")`` would take Arabic-Indic digits), and sizes
have upper bounds, so no option can ask for an unbounded run.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from resgraph.api import SpecArg
from resgraph.errors import Source, SpecError, UsageError, closest
from resgraph.factory import load_module

#: the largest batch any command takes
MAX_BATCH = 1 << 16
#: the largest channel count or side of an ``--input`` shape
MAX_INPUT_SIDE = 1 << 16
#: the most spec text read from standard input
MAX_STDIN_CHARS = 1 << 20


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad command line raises :class:`UsageError` instead of exiting, so it
    is reported (and under ``--json`` printed as JSON) like every other error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: the subcommands' parsers by name (filled by :func:`resgraph.cli.build_parser`)
        self.commands: dict[str, argparse.ArgumentParser] = {}

    def error(self, message: str) -> Any:  # argparse's signature returns NoReturn
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")

    def parse_command_line(self, argv: Sequence[str]) -> argparse.Namespace:
        """``parse_args``, but an option the command does not take is named with the
        closest one it does (``--input-shape``: did you mean '--input'?)."""
        args, extras = self.parse_known_args(argv)
        if extras:
            command = self.commands.get(getattr(args, "command", None) or "", self)
            options = [o for action in command._actions for o in action.option_strings]
            typed = next((e.split("=")[0] for e in extras if e.startswith("-")), "")
            # words compared without their dashes, which every option shares ('--where'
            # is not close to '--help')
            bare = {o.lstrip("-"): o for o in options}
            close = closest(typed.lstrip("-"), bare) if typed else None
            hint = f"; did you mean '{bare[close]}'?" if close else ""
            raise UsageError(f"{command.prog}: unrecognized arguments: {' '.join(extras)}"
                             f"{hint} (see '{command.prog} --help')")
        return args


# numbers ------------------------------------------------------------------------------------


def whole(text: str, lo: int, hi: int) -> int:
    """A whole number typed in ASCII digits, within ``lo..hi`` (argparse names the option)."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(hi)) + 1:
        raise argparse.ArgumentTypeError(f"takes a whole number from {lo} to {hi:,}, "
                                         f"got '{text}'")
    value = int(digits)
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"takes a whole number from {lo} to {hi:,}, "
                                         f"got {value:,}")
    return value


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number in ``lo..hi``."""
    return lambda text: whole(text, lo, hi)


def seconds(hi: float) -> Callable[[str], float]:
    """An argparse ``type`` for a finite, non-negative number of seconds up to ``hi``."""
    def parse(text: str) -> float:
        try:
            value = float(text) if text.isascii() else math.nan
        except ValueError:
            value = math.nan
        if not 0 <= value <= hi:
            raise argparse.ArgumentTypeError(f"takes seconds from 0 to {hi:g}, got '{text}'")
        return value
    return parse


# --batch ------------------------------------------------------------------------------------

#: the forms of ``--batch``; each command says which it takes
BATCH_FORMS = {"N": "one size", "N,N": "sizes separated by commas",
               "MIN:MAX": "a dynamic range", "MIN:OPT:MAX": "a dynamic range tuned for OPT",
               "dynamic": "any size from 1"}


@dataclass(frozen=True)
class Batch:
    """What ``--batch`` said: ``sizes`` (one or more) or a range ``(min, max)`` or
    ``(min, opt, max)``; ``dynamic`` is the range from 1 with no upper bound."""

    text: str
    sizes: tuple[int, ...] = ()
    range: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return self.sizes[0]

    @property
    def dynamic(self) -> bool:
        return self.text == "dynamic"


def batch_type(*forms: str) -> Callable[[str], Batch]:
    """An argparse ``type`` for ``--batch`` taking ``forms`` (keys of :data:`BATCH_FORMS`)."""
    def parse(text: str) -> Batch:
        batch = _batch(text.strip())
        if batch is None or _form(batch) not in forms:
            raise argparse.ArgumentTypeError(
                "takes " + " or ".join(f"{f} ({BATCH_FORMS[f]})" for f in forms)
                + f", sizes 1 to {MAX_BATCH:,}; got '{text}'")
        return batch
    return parse


def _batch(text: str) -> Batch | None:
    if text == "dynamic":
        return Batch(text, range=(1,))
    sep = ":" if ":" in text else ","
    parts = text.split(sep)
    if not all(p.isascii() and p.isdigit() and 1 <= int(p) <= MAX_BATCH for p in parts):
        return None
    values = tuple(int(p) for p in parts)
    if sep == ",":
        return Batch(text, sizes=values)
    if list(values) != sorted(values) or len(values) > 3:
        return None
    return Batch(text, range=values)


def _form(batch: Batch) -> str:
    if batch.dynamic:
        return "dynamic"
    if batch.range:
        return ("MIN:MAX", "MIN:OPT:MAX")[len(batch.range) - 2]
    return "N" if len(batch.sizes) == 1 else "N,N"


def batch_argument(p: argparse.ArgumentParser, *forms: str, default: str | None = "1",
                   help: str) -> None:
    metavar = "|".join(forms).replace("N,N", "N,N...")
    p.add_argument("--batch", type=batch_type(*forms), metavar=metavar, help=help,
                   default=None if default is None else batch_type(*forms)(default))


# what a command works on ---------------------------------------------------------------------


def spec_arguments(p: argparse.ArgumentParser, *, also: str = "") -> None:
    """The spec (a file, a shipped name, or ``-`` for standard input) and ``--set``."""
    p.add_argument("spec", help="a spec file, a shipped network's name (see 'resgraph list'), "
                                f"{also}or '-' for standard input")
    set_argument(p)


def set_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="sets", action="append", metavar="NAME=VALUE",
                   help="override a 'param' of the spec (repeatable), e.g. --set depth=101")


def target_arguments(p: argparse.ArgumentParser, verb: str) -> None:
    """A spec or ``--module`` (any traceable model), ``--set`` and ``--input``: the arguments
    of the commands that also take a PyTorch model (``analyze``, ``paths``, ``draw``)."""
    p.add_argument("spec", nargs="?", help="a spec file, a shipped network's name, or '-' for "
                                           "standard input (or use --module)")
    set_argument(p)
    p.add_argument("--module", metavar="PKG.MODULE:FACTORY",
                   help=f"{verb} the model FACTORY() returns, traced with torch.fx in eval "
                        "mode; literal arguments may follow: 'PKG.MODULE:FACTORY(num_classes=10)'")
    p.add_argument("--train", action="store_true",
                   help="with --module: trace in training mode (auxiliary heads and all)")
    p.add_argument("--strict", action="store_true",
                   help="with --module: an op resgraph cannot count is an error (exit 2) that "
                        "lists them all, instead of a node of unknown cost")
    p.add_argument("--input", metavar="CxHxW", type=shape_type,
                   help="input shape: re-elaborates the spec at this size (default: the "
                        "spec's; 3x224x224 for --module)")


def json_argument(p: argparse.ArgumentParser, what: str = "print JSON for machines") -> None:
    p.add_argument("--json", action="store_true", help=what + " (errors too, on stdout)")


def output_argument(p: argparse.ArgumentParser, help: str, required: bool = False) -> None:
    p.add_argument("-o", "--output", required=required, help=help)


def shape_type(text: str) -> tuple[int, int, int]:
    """``3x224x224`` → (3, 224, 224)."""
    parts = text.lower().split("x")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and 1 <= int(p) <= MAX_INPUT_SIDE
                                  for p in parts):
        raise argparse.ArgumentTypeError(f"takes CxHxW with sizes 1 to {MAX_INPUT_SIDE:,}, "
                                         f"such as 3x224x224, got '{text}'")
    return tuple(int(p) for p in parts)  # type: ignore[return-value]


def read_spec(args: argparse.Namespace) -> SpecArg:
    """The spec argument: standard input's text for ``-``, else the path or name."""
    if args.spec != "-":
        return str(args.spec)
    text = sys.stdin.read(MAX_STDIN_CHARS + 1)
    if len(text) > MAX_STDIN_CHARS:
        raise UsageError(f"standard input holds more than {MAX_STDIN_CHARS:,} characters; "
                         "a spec is a few KiB")
    return Source(text, "<stdin>")


def read_target(args: argparse.Namespace) -> Any:
    """What :func:`target_arguments` named: the spec, or the model ``--module`` made."""
    if args.module and args.spec:
        raise UsageError("give a spec or --module, not both")
    if args.module:
        if args.sets:
            raise UsageError("--set overrides a spec's params; it does not apply to --module")
        return load_module(args.module)
    if not args.spec:
        raise UsageError(f"{args.command} needs a spec (or --module PKG.MODULE:FACTORY)")
    for flag in ("train", "strict"):
        if getattr(args, flag):
            raise UsageError(f"--{flag} applies to --module only")
    return read_spec(args)


# --set ----------------------------------------------------------------------------------------


def parse_sets(pairs: Sequence[str] | None) -> dict[str, Any]:
    """``["depth=101", "shortcut=\"C\""]`` → ``{"depth": 101, "shortcut": "C"}``."""
    params: dict[str, Any] = {}
    for pair in pairs or []:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip().isidentifier() or not key.strip().isascii():
            raise UsageError(f"--set takes NAME=VALUE, got '{pair}'")
        params[key.strip()] = parse_value(value.strip())
    return params


def parse_value(text: str) -> Any:
    """A ``--set`` value: an integer, true/false, a shape or list, or else the text itself."""
    from resgraph.parse import parse

    try:
        module = parse(f"resgraph 1\nlet v = {text}\n", "<--set>")
    except SpecError as exc:
        if text.removeprefix("-").isdigit():  # a number it cannot take: say why
            raise UsageError(f"--set value {text}: {exc.message}") from None
        return text
    literal = _literal(module.items[0].value)  # type: ignore[attr-defined]
    return text if literal is None else literal


def _literal(expr: Any) -> Any:
    from resgraph import syntax as s

    if isinstance(expr, (s.Int, s.Float, s.Str, s.Bool)):
        return expr.value
    if isinstance(expr, s.ShapeLit):
        return expr.dims
    if isinstance(expr, s.Neg) and isinstance(expr.operand, (s.Int, s.Float)):
        return -expr.operand.value
    if isinstance(expr, s.ListLit):
        items = [_literal(i) for i in expr.items]
        return None if any(i is None for i in items) else items
    return None
