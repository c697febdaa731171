"""Every ``resgraph ...`` example in the README and docs/ names a real command and options it
takes: each line of a code block is parsed by the command line's own parser (nothing runs),
so a renamed flag or command cannot linger in the documents."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from resgraph.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: a fenced block, or a run of lines indented four spaces after a blank line
BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```|(?:^\n)((?:^    [^\n]*\n)+)",
                   re.MULTILINE | re.DOTALL)


def command_lines(text: str) -> list[str]:
    """The ``resgraph`` command lines of the code blocks, continuations joined (a spec's
    ``resgraph 1``, the language version, is not a command)."""
    joined = [line.strip() for match in BLOCK.finditer(text)
              for line in (match[1] or match[2]).replace("\\\n", " ").splitlines()]
    return [line for line in joined if re.match(r"resgraph [a-z]", line)]


EXAMPLES = [(doc.name, line) for doc in DOCUMENTS for line in command_lines(doc.read_text())]


def test_the_documents_have_examples() -> None:
    assert len(EXAMPLES) > 40


@pytest.mark.parametrize(("document", "line"), EXAMPLES)
def test_example_parses(document: str, line: str) -> None:
    argv = shlex.split(line, comments=True)[1:]
    args = build_parser(argv[0]).parse_command_line(argv)
    assert args.command == argv[0], f"{document}: {line}"


def test_a_wrong_option_is_caught() -> None:
    """The check can fail: a misspelt option in an example is refused by the same parser."""
    from resgraph.errors import UsageError

    with pytest.raises(UsageError, match="--input"):
        build_parser("analyze").parse_command_line(["analyze", "resnet50", "--input-shape",
                                                    "3x8x8"])


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation but hyphens dropped, spaces to
    hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_within_the_readme_reach_a_heading() -> None:
    text = (ROOT / "README.md").read_text()
    prose = BLOCK.sub("", text)
    anchors = {slug(h) for h in re.findall(r"^#{1,6} (.+)$", prose, re.MULTILINE)}
    links = set(re.findall(r"\]\(#([^)]+)\)", prose))
    assert links and links <= anchors, sorted(links - anchors)
