"""The parser's analysis cached in the user's cache folder: the cached parser parses as the
built one; a torn or foreign cache file, a folder others may write, or no folder at all cost
only the build, never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from resgraph import grammar as p
from resgraph.catalog import resolve

START = ["start", "expr"]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "resgraph"


def _tree(parser) -> str:  # type: ignore[no-untyped-def]
    r = resolve("resnet50")
    return parser.parse(r.text, start="start").pretty()


def test_a_cached_parser_parses_as_a_built_one(cache_home: Path) -> None:
    built = p._build(START)
    (cached_file,) = cache_home.iterdir()
    assert oct(cache_home.stat().st_mode & 0o777) == "0o700"
    written = cached_file.stat().st_mtime_ns
    loaded = p._build(START)
    assert cached_file.stat().st_mtime_ns == written  # read, not written again
    assert _tree(loaded) == _tree(built) == _tree(p._parser())


def test_a_torn_cache_file_costs_only_the_build(cache_home: Path) -> None:
    path = Path(str(p._cache_file(START)))
    path.write_bytes(b"\x80\x04 not a parser")
    assert _tree(p._build(START)) == _tree(p._parser())
    assert path.stat().st_size > 1000  # built again, and kept


def test_a_folder_others_may_write_is_not_read(cache_home: Path) -> None:
    cache_home.mkdir(mode=0o777)
    cache_home.chmod(0o777)
    assert p._cache_file(START) is False
    assert _tree(p._build(START)) == _tree(p._parser())


def test_no_folder_to_be_had_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert p._cache_file(START) is False
    assert p._build("sweep_file").parse("resgraph 1\nsweep s of resnet18 {\n    seed 1\n}\n")
