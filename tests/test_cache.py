"""The content-keyed caches (resgraph.cache) and the ones built on them, parse's and
elaborate's: an entry is found only for the same content, a stale, torn or foreign entry costs
only the rebuild, and what a cache hands out cannot change what it keeps."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import resgraph
from resgraph import cache
from resgraph import parse as p
from resgraph.catalog import catalog, resolve
from resgraph.elaborate import elaborate, reuse
from resgraph.format import format_module


@pytest.fixture
def cold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty in-process caches and an empty cache folder of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RESGRAPH_NO_CACHE", raising=False)
    cache.clear()
    yield tmp_path / "home" / "resgraph"
    cache.clear()


def _text() -> tuple[str, str]:
    r = resolve("resnet50")
    return r.text, r.file


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("ast-*.pickle"))


def test_a_memo_keeps_the_most_recently_used() -> None:
    memo: cache.Memo[int] = cache.Memo("test", 2)
    made: list[str] = []
    for key in ["a", "b", "a", "c", "a", "b"]:
        memo.get(key, lambda key=key: made.append(key) or len(made))
    assert made == ["a", "b", "c", "b"]  # c pushed out b, the least recently used
    assert len(memo) == 2 and (memo.hits, memo.misses) == (2, 4)


def test_a_bounded_memo_drops_its_oldest_now_and_keeps_the_bound(monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    monkeypatch.delenv("RESGRAPH_NO_CACHE", raising=False)
    memo: cache.Memo[int] = cache.Memo("bounded test", 8)
    other: cache.Memo[int] = cache.Memo("other test", 8)
    for i in range(6):
        memo.put(i, i)
        other.put(i, i)
    cache.bound(2, "bounded test")
    assert (memo.peek(4), memo.peek(5), memo.peek(3)) == (4, 5, None)
    memo.put(6, 6)
    assert len(memo) == 2 and memo.peek(4) is None  # 4 was the least recently used
    assert len(other) == 6  # a cache not named keeps its size


def test_a_failure_is_not_kept() -> None:
    memo: cache.Memo[int] = cache.Memo("test", 4)
    with pytest.raises(ZeroDivisionError):
        memo.get("k", lambda: 1 // 0)
    assert memo.get("k", lambda: 7) == 7


def test_no_cache_turns_every_cache_off(cold: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESGRAPH_NO_CACHE", "1")
    memo: cache.Memo[int] = cache.Memo("test", 4)
    assert [memo.get("k", lambda n=n: n) for n in (1, 2)] == [1, 2]
    assert cache.folder() is None
    text, file = _text()
    assert p.parse(text, file) is not p.parse(text, file)
    assert not cold.exists() or not _entries(cold)


def test_a_parse_is_kept_in_process_and_in_the_folder(cold: Path) -> None:
    text, file = _text()
    module = p.parse(text, file)
    assert p.parse(text, file) is module
    (entry,) = _entries(cold)
    cache.clear()
    kept = p.parse(text, file)  # from the folder this time
    assert kept is not module and kept == module
    assert format_module(kept) == format_module(module)
    assert [c.text for c in kept.comments] == [c.text for c in module.comments]
    assert entry.stat().st_size > 1000


def test_a_file_has_one_entry_replaced_when_its_text_changes(cold: Path) -> None:
    text, file = _text()
    p.parse(text, file)
    edited = text.replace("param depth = 50", "param depth = 101")
    assert edited != text
    cache.clear()
    assert p.parse(edited, file) == p._parse_text(edited, file)
    assert len(_entries(cold)) == 1
    cache.clear()
    assert p.parse(edited, file) == p._parse_text(edited, file)


@pytest.mark.parametrize("content", [b"\x80\x04 torn", b"", pickle.dumps(("other", 1))])
def test_a_torn_or_foreign_entry_costs_only_the_parse(cold: Path, content: bytes) -> None:
    text, file = _text()
    p.parse(text, file)
    (entry,) = _entries(cold)
    entry.write_bytes(content)
    cache.clear()
    assert p.parse(text, file) == p._parse_text(text, file)
    assert pickle.loads(entry.read_bytes())[0] == text  # parsed again, and kept


def test_another_resgraph_never_reads_the_entries(cold: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    text, file = _text()
    p.parse(text, file)
    cache.code_key.cache_clear()
    monkeypatch.setattr(cache, "_CODE_FILES", (*cache._CODE_FILES, "prelude.rg"))
    try:
        cache.clear()
        p.parse(text, file)
        assert len(_entries(cold)) == 2  # its own key, beside the other version's entry
    finally:
        cache.code_key.cache_clear()


def test_a_folder_others_may_write_is_neither_read_nor_written(cold: Path) -> None:
    cold.mkdir(parents=True, mode=0o777)
    cold.chmod(0o777)
    text, file = _text()
    assert cache.folder() is None
    assert p.parse(text, file) == p._parse_text(text, file)
    assert not _entries(cold)


def test_an_entry_that_cannot_be_written_is_a_cache_that_stays_cold(cold: Path) -> None:
    text, file = _text()
    cold.mkdir(parents=True, mode=0o700)
    blocked = cold / f"ast-{cache.digest('module', file)}.pickle"
    blocked.mkdir()  # os.replace cannot put a file there (root may write anywhere else)
    for _ in range(2):
        cache.clear()
        assert p.parse(text, file) == p._parse_text(text, file)
    assert blocked.is_dir() and not list(cold.glob(".ast-*"))  # no temporary file left


def test_elaboration_does_not_change_the_shared_tree(cold: Path) -> None:
    for name in ["resnet50", "efficientnet_b0", "regnet_y_400mf", "convnext_tiny"]:
        r = resolve(name)
        module = p.parse(r.text, r.file)
        before = pickle.dumps(module)
        elaborate(module, r.file, dict(r.params))
        assert pickle.dumps(module) == before


def test_each_load_is_a_graph_of_its_own(cold: Path) -> None:
    first = resgraph.load("resnet18")
    first.nodes["conv1"].meta["mine"] = 1
    first.stages.clear()
    first.notes.append("changed")
    second = resgraph.load("resnet18")
    assert second is not first and "mine" not in second.nodes["conv1"].meta
    assert second.stages and "changed" not in second.notes
    assert second.to_text() == first.to_text()


def test_an_edited_used_file_is_elaborated_again(cold: Path, tmp_path: Path) -> None:
    lib = tmp_path / "blocks.rg"
    spec = tmp_path / "net.rg"
    lib.write_text('resgraph 1\nlet width = 8\n')
    spec.write_text('resgraph 1\nuse "blocks.rg"\nnetwork n\ninput 3x8x8\n'
                    'stem {\n  conv(3, width)\n}\n')
    assert resgraph.load(spec).nodes["conv1"].shape == (8, 8, 8)
    lib.write_text('resgraph 1\nlet width = 16\n')
    graph = resgraph.load(spec)
    assert graph.nodes["conv1"].shape == (16, 8, 8)
    assert resgraph.analyze(spec).params == 3 * 3 * 3 * 16
    lib.unlink()
    with pytest.raises(resgraph.SpecError, match="cannot find 'blocks.rg'"):
        resgraph.load(spec)


def test_errors_are_the_same_each_time(cold: Path) -> None:
    bad = resgraph.Source("resgraph 1\nnetwork n\ninput 3x8x8\nstem {\n  conv(3, 0)\n}\n")
    texts = []
    for _ in range(2):
        with pytest.raises(resgraph.SpecError) as info:
            resgraph.load(bad)
        texts.append(info.value.render())
    assert texts[0] == texts[1]


def _nodes(graph: resgraph.ir.Graph) -> list[tuple]:
    return [(n.name, n.op, n.inputs, n.attrs, n.shape, n.stage, n.block, n.span)
            for n in graph]


@pytest.mark.parametrize("name", sorted(catalog()))
def test_blocks_copied_from_earlier_runs_are_the_blocks_a_run_makes(
        name: str, cold: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = resolve(name)
    module = p.parse(r.text, r.file)
    elaborate(module, r.file, dict(r.params))  # every distinct block run kept
    cache.clear()
    reuse.TEMPLATES.clear()
    for params in ({**r.params}, {**r.params}):  # the first keeps runs, the second copies all
        cache.clear("elaborated")
        copied = elaborate(module, r.file, params)
    assert reuse.TEMPLATES.hits > 0
    monkeypatch.setenv("RESGRAPH_NO_CACHE", "1")
    run = elaborate(module, r.file, dict(r.params))
    assert _nodes(copied) == _nodes(run)
    assert (copied.notes, copied.blocks, copied.stages) == (run.notes, run.blocks, run.stages)
