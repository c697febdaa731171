"""The ``resgraph`` command. Each subcommand is a thin view of a function of the Python API.

Exit codes: 0 success; 1 the command ran and its answer is "no" (``fmt --check`` found a file
to reformat, ``bench`` found a wrong output); 2 bad input (a spec error, a bad argument);
3 something to install is missing (an optional extra, Graphviz, TensorRT, a GPU).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from resgraph.errors import MissingDependency, SpecError, SpecErrors, UsageError

EXIT_OK, EXIT_NO, EXIT_BAD_INPUT, EXIT_MISSING = 0, 1, 2, 3

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def parse_value(text: str) -> Any:
    """A ``--set`` value: an integer, true/false, a shape or list, or else the text itself."""
    from resgraph.parse import parse

    try:
        module = parse(f"resgraph 1\nlet v = {text}\n", "<--set>")
    except SpecError:
        return text
    expr = module.items[0].value  # type: ignore[attr-defined]
    literal = _literal(expr)
    return text if literal is None else literal


def _literal(expr: Any) -> Any:
    from resgraph import syntax as s

    if isinstance(expr, (s.Int, s.Str, s.Bool)):
        return expr.value
    if isinstance(expr, s.ShapeLit):
        return expr.dims
    if isinstance(expr, s.Neg) and isinstance(expr.operand, s.Int):
        return -expr.operand.value
    if isinstance(expr, s.ListLit):
        items = [_literal(i) for i in expr.items]
        return None if any(i is None for i in items) else items
    return None


def parse_sets(pairs: Sequence[str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs or []:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip().isidentifier():
            raise UsageError(f"--set takes NAME=VALUE, got '{pair}'")
        params[key.strip()] = parse_value(value.strip())
    return params


def spec_args(p: argparse.ArgumentParser, json_flag: bool = True) -> None:
    p.add_argument("spec", help="a spec file, a shipped network's name (see 'resgraph list'), "
                                "or '-' for standard input")
    p.add_argument("--set", dest="sets", action="append", metavar="NAME=VALUE",
                   help="override a 'param' of the spec (repeatable), e.g. --set depth=101")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print JSON for machines")


def target_args(p: argparse.ArgumentParser, verb: str) -> None:
    """A spec or ``--module`` (any traceable model), ``--set`` and ``--input``: the arguments
    of the commands that also take a PyTorch model (``analyze``, ``paths``, ``draw``)."""
    p.add_argument("spec", nargs="?", help="a spec file, a shipped network's name, or '-' for "
                                           "standard input (or use --module)")
    p.add_argument("--set", dest="sets", action="append", metavar="NAME=VALUE",
                   help="override a 'param' of the spec (repeatable), e.g. --set depth=101")
    p.add_argument("--module", metavar="PKG.MODULE:FACTORY",
                   help=f"{verb} the model FACTORY() returns, traced with torch.fx")
    p.add_argument("--input", metavar="CxHxW",
                   help="input shape: re-elaborates the spec at this size (default: the "
                        "spec's; 3x224x224 for --module)")


def read_target(args: argparse.Namespace) -> tuple[Any, tuple[int, int, int] | None]:
    """What :func:`target_args` named: the spec text or path, or the model ``--module``
    made; and the ``--input`` shape (for a model: 3x224x224 unless given)."""
    shape = parse_shape(args.input) if args.input else None
    if args.module and args.spec:
        raise UsageError("give a spec or --module, not both")
    if args.module:
        if args.sets:
            raise UsageError("--set overrides a spec's params; it does not apply to --module")
        return load_module(args.module), shape or (3, 224, 224)
    if not args.spec:
        raise UsageError(f"{args.command} needs a spec (or --module PKG.MODULE:FACTORY)")
    return read_spec(args), shape


def parse_shape(text: str) -> tuple[int, int, int]:
    parts = text.lower().split("x")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise UsageError(f"--input takes CxHxW with positive sizes, such as 3x224x224, "
                         f"got '{text}'")
    return tuple(int(p) for p in parts)  # type: ignore[return-value]


def load_module(target: str) -> Any:
    """Import ``pkg.module:factory`` and call the factory."""
    import importlib

    module_name, colon, factory = target.partition(":")
    if not colon or not module_name or not factory:
        raise UsageError(f"--module takes PKG.MODULE:FACTORY, such as "
                         f"torchvision.models:resnet50, got '{target}'")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - the user's module may raise anything on import
        raise UsageError(f"--module: cannot import '{module_name}': {exc}") from None
    make = getattr(module, factory, None)
    if not callable(make):
        raise UsageError(f"--module: '{module_name}' has no callable '{factory}'")
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - so may the user's factory
        raise UsageError(f"--module: {target}() failed: {exc}") from None


def read_spec(args: argparse.Namespace) -> str:
    return sys.stdin.read() if args.spec == "-" else args.spec


def load_graph(args: argparse.Namespace):
    from resgraph.api import load

    return load(read_spec(args), **parse_sets(args.sets))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


# subcommands ----------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from resgraph.summary import summarise

    graph = load_graph(args)
    summary = summarise(graph)
    if args.json:
        print_json({"ok": True, **summary})
        return EXIT_OK
    out.print(f"[green]ok[/]: {graph.name}: {summary['nodes']} ops, {summary['blocks']} blocks "
              f"in {len(graph.stages)} stages, {summary['params']:,} parameters, "
              f"input {summary['input']}, output {summary['output']}")
    for note in graph.notes:
        out.print(f"  note: {note}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from resgraph.explain import explain

    graph = load_graph(args)
    data = explain(graph)
    if args.json:
        print_json(data)
        return EXIT_OK
    out.print(f"[bold]{graph.name}[/] {graph.summary or ''}")
    out.print("parameters: " + ", ".join(f"{k}={v!r}" for k, v in graph.params.items()))
    for stage in data["stages"]:
        table = Table(title=f"stage {stage['name']}: {stage['block_type']} x {stage['depth']}, "
                            f"stride {stage['stride']}", title_justify="left")
        for col in ("block", "in → out", "arguments (where from)"):
            table.add_column(col)
        for b in stage["blocks"]:
            argtext = "\n".join(f"{k}={v!r}  [dim]({b['origins'][k]})[/]" for k, v in b["args"].items())
            table.add_row(b["name"], f"{b['input']} → {b['output']}", argtext)
        out.print(table)
    for note in graph.notes:
        out.print(f"note: {note}")
    return EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from resgraph.api import fmt

    source = read_spec(args)
    text = fmt(source)
    if args.check or args.write:
        if args.spec == "-" or not Path(args.spec).is_file():
            raise UsageError("--check and --write need a spec file")
        same = Path(args.spec).read_text() == text
        if args.write and not same:
            Path(args.spec).write_text(text)
            err.print(f"reformatted {args.spec}")
        if args.check:
            if not same:
                err.print(f"{args.spec} would be reformatted")
            return EXIT_OK if same else EXIT_NO
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


def cmd_compile(args: argparse.Namespace) -> int:
    import torch

    from resgraph.lower_fx import lower_fx

    graph = load_graph(args)
    gm = lower_fx(graph, "cpu").eval()
    output = Path(args.output or f"{graph.name}.pt2")
    example = torch.randn(args.batch, *graph.input_shape)
    program = torch.export.export(gm, (example,))
    torch.export.save(program, output)
    info = {"network": graph.name, "output": str(output), "batch": args.batch,
            "input": [args.batch, *graph.input_shape],
            "params": sum(p.numel() for p in gm.parameters())}
    if args.json:
        print_json(info)
    else:
        out.print(f"wrote {output}: torch.export program of {graph.name}, input "
                  f"{'x'.join(map(str, info['input']))}, {info['params']:,} parameters "
                  f"(load it with torch.export.load)")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from resgraph.catalog import catalog

    entries = catalog()
    if args.json:
        print_json([{"name": e.name, "file": f"specs/{e.file}", "params": e.params,
                     "summary": e.summary, "source": e.source} for e in entries.values()])
        return EXIT_OK
    table = Table("name", "spec", "summary", "source")
    for e in entries.values():
        table.add_row(e.name, f"specs/{e.file}", e.summary, e.source)
    out.print(table)
    return EXIT_OK


# the parser --------------------------------------------------------------------------------------

Command = Callable[[argparse.Namespace], int]
#: ``add(name, help, epilog, run)`` makes a subcommand and returns its argument parser
AddCommand = Callable[[str, str, str, Command], argparse.ArgumentParser]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resgraph", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compile, analyze, draw and benchmark residual networks written as specs.",
        epilog="examples:\n  resgraph list\n  resgraph check resnet50\n"
               "  resgraph explain specs/resnet.rg --set depth=101\n"
               "  resgraph fmt my_net.rg --write\n  resgraph compile resnet50 -o resnet50.pt2\n"
               "  resgraph analyze resnet50 --level stage\n"
               "  resgraph draw resnet50 -o resnet50.svg\n"
               "  resgraph bench resnet50 --batch 1,8\n"
               "  resgraph build resnet50 -o r50.engine --precision fp16 --dry-run\n\n"
               "'resgraph COMMAND --help' shows each command's options and examples.\n"
               "exit codes: 0 ok, 1 a check said no, 2 bad input, 3 something to install")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help: str, epilog: str, run: Command) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, epilog=epilog,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(run=run)
        return p

    p = add("check", "parse and elaborate a spec; report every error found",
            "examples:\n  resgraph check resnet50\n  resgraph check my_net.rg --set depth=34 --json",
            cmd_check)
    spec_args(p)
    p = add("explain", "every resolved value of every stage and block, and where it came from",
            "examples:\n  resgraph explain resnet50\n  resgraph explain specs/resnet.rg --set depth=18 --json",
            cmd_explain)
    spec_args(p)
    p = add("fmt", "print a spec in canonical form (comments kept)",
            "examples:\n  resgraph fmt my_net.rg\n  resgraph fmt my_net.rg --write\n"
            "  resgraph fmt my_net.rg --check   # exit 1 if it would change", cmd_fmt)
    p.add_argument("spec", help="a spec file, or '-' for standard input")
    p.add_argument("--check", action="store_true", help="exit 1 if the file is not canonical")
    p.add_argument("--write", "-w", action="store_true", help="rewrite the file in place")
    p = add("compile", "compile a spec to a torch.export program (.pt2)",
            "examples:\n  resgraph compile resnet50 -o resnet50.pt2\n"
            "  resgraph compile specs/cifar_resnet.rg --set n=18 --batch 8", cmd_compile)
    spec_args(p)
    p.add_argument("-o", "--output", help="output file (default: NAME.pt2)")
    p.add_argument("--batch", type=int, default=1, help="batch size of the example input")
    p = add("list", "the networks resgraph ships, usable by name wherever a spec is",
            "example:\n  resgraph list --json", cmd_list)
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    for module in _command_modules():
        module.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.run(args)
    except SpecErrors as exc:
        err.print(exc.render(), markup=False)
        return EXIT_BAD_INPUT
    except SpecError as exc:
        err.print(exc.render(), markup=False)
        return EXIT_BAD_INPUT
    except UsageError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    except MissingDependency as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_MISSING
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


def _command_modules() -> list[Any]:
    """The modules of ``resgraph.commands``: each adds subcommands with ``register(add)``."""
    import importlib
    import pkgutil

    from resgraph import commands

    return [importlib.import_module(f"resgraph.commands.{m.name}")
            for m in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name)]


if __name__ == "__main__":
    sys.exit(main())
