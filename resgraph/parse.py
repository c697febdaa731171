"""parse: spec text → :class:`resgraph.syntax.Module`, with readable errors.

The text is parsed by :mod:`resgraph.grammar` (lark, LALR) unless its tree is kept: in this
process, or in the user's cache folder (:mod:`resgraph.cache`), so that a command on a spec it
has read before neither imports lark nor builds its parser. The language's words and bounds
are read off the grammar here, without lark."""

from __future__ import annotations

import re
from importlib import resources

from resgraph import cache
from resgraph import syntax as s
from resgraph.errors import Source, Span, SpecError
from resgraph.files import MAX_SPEC_BYTES

#: The language versions this release reads (the ``resgraph N`` line that opens a file).
SUPPORTED_VERSIONS = (1,)

#: How deep operators, calls, lists, tables and bodies may nest. Elaboration and formatting
#: recurse along this nesting, so the bound keeps them far from Python's recursion limit;
#: a chain ``1 + 1 + …`` nests one level per operator. Hand-written specs stay under 10.
MAX_NESTING = 64

#: The largest integer the language holds, typed or computed (``|v| <= MAX_INT``): int64's,
#: as torch's sizes are; a bigger one is an error where it is written or computed.
MAX_INT = 2**63 - 1

#: the grammar's text (resgraph.grammar builds lark's parser of it)
GRAMMAR = resources.files("resgraph").joinpath("grammar.lark").read_text()
_SPEC_PART, _, _SWEEP_PART = GRAMMAR.partition("// sweep files")
# keyword terminals by name: `_NETWORK.2: /network\b/` in the grammar
_KEYWORD_TERMINALS = dict(re.findall(r"^(\w+)\.2: /([a-z]+)\\b/$", _SPEC_PART, re.MULTILINE))
# ... and those of sweep files, words only there
_SWEEP_TERMINALS = dict(re.findall(r"^(\w+)\.2: /([a-z]+)\\b/$", _SWEEP_PART, re.MULTILINE))
#: the keyword terminals of both by name, for messages
WORD_TERMINALS = {**_KEYWORD_TERMINALS, **_SWEEP_TERMINALS}
#: The words of the language.
KEYWORDS = frozenset(_KEYWORD_TERMINALS.values())
#: The words that are keywords only where a name cannot stand: 'x', 'stride', 'at' and 'on'
#: after a stage's block ('stride' is a parameter of blocks), 'on' after 'head', 'output' as
#: an item (a flow may still name a tensor 'output'), 'training' after 'output'.
CONTEXTUAL = frozenset({"x", "stride", "at", "on", "output", "training"})
#: The keywords no parameter, value, block or label may be named.
RESERVED = KEYWORDS - CONTEXTUAL
#: the rules of the grammar that nest a level (see MAX_NESTING)
NESTING_RULES = frozenset({"body", "cond", "or_", "and_", "not_", "compare", "binop", "neg", "index",
                      "call", "list_", "dict_", "comp", "for_items"})


#: parsed modules by file and text: a spec and the files it uses are parsed once per process
_PARSED: cache.Memo[s.Module] = cache.Memo("parsed", 64)


def parse(text: str, file: str = "<spec>") -> s.Module:
    """Parse spec text into a Module; raise :class:`SpecError` at the offending place.

    The result is shared by every caller that parses the same text under the same file name
    (in this process, and through the cache folder across processes: a file's entry is
    replaced when its text changes), so nothing may change an AST after parsing."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"spec text over the limit of {MAX_SPEC_BYTES >> 20} MiB",
                        span(Source(text, file), 1, 1, 1, 2), hint="a spec is text of a few KiB")
    return _PARSED.get((file, text), lambda: _parse_kept(text, file))


def _parse_kept(text: str, file: str) -> s.Module:
    """The module of ``text`` from the cache folder's entry for ``file``, else parsed (and
    kept there): unpickling the prelude takes a fifteenth of parsing it."""
    key = cache.digest("module", file)
    kept = cache.read_entry("ast", key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == text:
        return kept[1]
    module = _parse_text(text, file)
    cache.write_entry("ast", key, (text, module))
    return module


def _parse_text(text: str, file: str) -> s.Module:
    from resgraph.grammar import parse_module

    module = parse_module(Source(text, file))
    check_version(module.version, module.span)
    return module


def parse_sweep(text: str, file: str = "<sweep>") -> s.Sweep:
    """Parse a sweep file (``resgraph 1`` then one ``sweep NAME of SPEC { ... }``) into a
    :class:`resgraph.syntax.Sweep`; raise :class:`SpecError` at the offending place. Each
    setting's text is kept as written: :mod:`resgraph.sweep.file` reads it."""
    source = Source(text, file)
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"sweep file over the limit of {MAX_SPEC_BYTES >> 20} MiB",
                        span(source, 1, 1, 1, 2), hint="a sweep file is a few lines")
    from resgraph.grammar import parse_sweep_file

    version, sweep = parse_sweep_file(source)
    check_version(version, sweep.span)
    return sweep


def check_version(version: int, span: Span) -> None:
    if version not in SUPPORTED_VERSIONS:
        raise SpecError(f"this resgraph reads language version {SUPPORTED_VERSIONS[-1]}, "
                        f"not {version}", span,
                        hint="upgrade resgraph, or write 'resgraph 1' at the top of the file")


def int_error(span: Span) -> SpecError:
    """The one error for an integer past :data:`MAX_INT`, typed or computed."""
    return SpecError("integer too large", span,
                     hint=f"integers stay within -{MAX_INT} to {MAX_INT} (2**63 - 1)")


def span(source: Source, line: int, column: int, end_line: int, end_column: int) -> Span:
    """A span of ``source``, keeping it, so that errors quote it."""
    return Span(source.file, line, column, end_line, end_column, source)
