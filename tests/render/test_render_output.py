"""Rendering through the real ``dot``: SVG that parses, PNG bytes, the missing-Graphviz path."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import resgraph
from resgraph.api import draw
from resgraph.render import GraphvizMissing, write
from resgraph.render.view import build_view

TINY = Path(__file__).resolve().parent / "tiny.rg"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def _svg_nodes(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {g.find(f"{SVG}title").text: g for g in root.iter(f"{SVG}g")  # type: ignore[union-attr]
            if g.get("class") == "node"}


@pytest.mark.parametrize("level", ["network", "stage", "block", "op"])
def test_svg_holds_one_node_per_expected_unit_each_with_a_tooltip(tmp_path, tiny, level) -> None:
    path = tmp_path / f"tiny-{level}.svg"
    draw(tiny, path, level=level, color="none")
    nodes = _svg_nodes(path)
    assert set(nodes) == set(build_view(tiny, level).units)
    for name, g in nodes.items():
        link = g.find(f"{SVG}g/{SVG}a")
        assert link is not None, name
        title = link.get(f"{XLINK}title")
        assert title and "out: " in title and "MACs: " in title, name


def test_op_level_svg_has_a_node_for_every_ir_op(tmp_path, tiny) -> None:
    path = tmp_path / "op.svg"
    draw(tiny, path, level="op")
    assert set(_svg_nodes(path)) - {"legend"} == set(tiny.nodes)


def test_png_is_rendered_by_dot(tmp_path) -> None:
    path = tmp_path / "r.png"
    draw("resnet18", path, level="block")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_bytes_are_deterministic(tmp_path, tiny) -> None:
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    draw(tiny, a, level="op")
    draw(tiny, b, level="op")
    assert a.read_bytes() == b.read_bytes()


def test_without_dot_the_dot_file_is_written_and_the_error_says_how(tmp_path, monkeypatch,
                                                                   tiny) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GraphvizMissing) as info:
        draw(tiny, tmp_path / "t.svg")
    message = str(info.value)
    assert "\n" not in message and "apt-get install graphviz" in message
    assert f"dot -Tsvg {tmp_path / 't.dot'} -o {tmp_path / 't.svg'}" in message
    assert (tmp_path / "t.dot").read_text() == draw(tiny)
    assert not (tmp_path / "t.svg").exists()


def test_without_dot_an_existing_dot_file_is_never_replaced(tmp_path, monkeypatch, tiny) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    mine = tmp_path / "t.dot"
    mine.write_text("digraph mine {}\n")
    with pytest.raises(GraphvizMissing) as info:
        draw(tiny, tmp_path / "t.svg")
    fresh = tmp_path / "t.1.dot"
    assert mine.read_text() == "digraph mine {}\n" and fresh.read_text() == draw(tiny)
    assert info.value.dot_path == fresh
    assert f"only {fresh} was written ({mine} exists and was left as it was)" in str(info.value)
    assert f"dot -Tsvg {fresh} -o {tmp_path / 't.svg'}" in str(info.value)
    with pytest.raises(GraphvizMissing):  # the same diagram again: the same file, no third
        draw(tiny, tmp_path / "t.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.1.dot", "t.dot"]


def test_dot_output_needs_no_graphviz(tmp_path, monkeypatch, tiny) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    write(draw(tiny), tmp_path / "t.dot")
    assert (tmp_path / "t.dot").read_text().startswith('digraph "tiny"')


def test_bad_extension_is_refused_before_any_work(tmp_path) -> None:
    with pytest.raises(resgraph.render.DrawError, match=r"must end in \.svg, \.png, \.pdf, \.dot"):
        draw(TINY, tmp_path / "x.gif")


def test_a_coloured_svg_has_its_legend(tmp_path, tiny) -> None:
    path = tmp_path / "v.svg"
    draw(tiny, path, level="block", color="values", legend="GPU time (ms)",
         values={"layer1.0.conv1": 1.0, "layer2.0.conv2": 3.0, "layer2.0.downsample.0": 0.5})
    nodes = _svg_nodes(path)
    assert "legend" in nodes
    text = "".join(nodes["legend"].itertext())
    assert "GPU time (ms)" in text and "shortcut" in text


def test_pdf_is_rendered_by_dot(tmp_path, tiny) -> None:
    path = tmp_path / "t.pdf"
    draw(tiny, path, level="network")
    assert path.read_bytes()[:5] == b"%PDF-"
