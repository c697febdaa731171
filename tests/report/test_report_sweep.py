"""The page of a sweep folder: distributions, the scatter's Pareto fronts, every candidate in
the table's data (compact: distinct rows once), its own page linked, a journal of many
candidates of few networks a page of few rows and steps; and in a real browser, the scatter
redrawn for another pair and the table paged, sorted and jumped to a candidate."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import resgraph
import resgraph.sweep
from resgraph.errors import UsageError
from resgraph.report.sweep_page import PAGE_ROWS, candidate_pages, fronts, read_sweep
from resgraph.sweep.summary import Objective, pareto_front

SPEC = Path(__file__).resolve().parents[1] / "sweep" / "sweep.rg"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from resgraph.cli import main

    out = tmp_path_factory.mktemp("sweep") / "run"
    # 12 candidates: groups=2 fails the basic block's require, tag makes duplicates
    argv = ["sweep", str(SPEC), "--out", str(out), "--grid", "width=8,16,32",
            "--grid", "depth=1,2", "--grid", "groups=1,2", "--grid", "tag=0,1", "--workers", "1"]
    assert main(argv) == 0
    return out


def page_data(html: str) -> dict[str, Any]:
    start = html.index('id="sweep-data">') + len('id="sweep-data">')
    return json.loads(html[start:html.index("</script>", start)])


def table_records(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's candidates unpacked from its columnar data, as the page's script does."""
    indices = [s + k for s, count in data["table"]["runs"] for k in range(count)]
    out = []
    for i, code in zip(indices, data["table"]["of"], strict=True):
        status, params, duplicate, _note, error, values, _texts = data["table"]["rows"][code]
        out.append({"index": i, "status": status, "params": params, "duplicate_of": duplicate,
                    "error": error or None, "figures": dict(zip(data["figures"], values))})
    return out


def as_table_row(r: dict[str, Any], figures: list[str]) -> dict[str, Any]:
    return {"index": r["index"], "status": r["status"],
            "params": ", ".join(f"{k}={v}" for k, v in r["params"].items()),
            "duplicate_of": r["duplicate_of"], "error": r["error"],
            "figures": {f: r["figures"].get(f) for f in figures}}


def test_the_page_holds_every_candidate_and_links_its_pages(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep.html"
    resgraph.api.report(str(folder), out, pages=3)
    html = out.read_text()
    sweep = read_sweep(folder)
    data = page_data(html)
    journal = sorted(resgraph.sweep.read_journal(folder / "results.jsonl"),
                     key=lambda r: r["index"])
    assert table_records(data) == [as_table_row(r, data["figures"]) for r in journal]
    assert len(journal) == len(sweep.records) == 24
    pages = sorted((tmp_path / "sweep.candidates").iterdir())
    assert len(pages) == min(3, len(sweep.ok))
    for page in pages:
        assert data["pages"][page.stem] == f"sweep.candidates/{page.name}"
        assert "<svg" in page.read_text()
    for figure in ("macs", "params"):
        assert f'data-figure="{figure}"' in html


def test_fronts_are_the_sweeps_own(folder: Path) -> None:
    ok = read_sweep(folder).ok
    front = fronts(ok, ["macs", "params"])["macs|params"]
    assert front == [r["index"] for r in pareto_front(ok, (Objective("macs"), Objective("params")))]
    assert candidate_pages(read_sweep(folder), 1)[0]["index"] == front[0]


def test_many_candidates_of_few_networks_make_a_small_page_with_every_candidate(
        folder: Path, tmp_path: Path) -> None:
    """A journal of 24,000 candidates: the folder's 24 records again and again under new
    indices (a gap left in them), as a sweep drawing few networks many times writes."""
    big = tmp_path / "big"
    big.mkdir()
    shutil.copy(folder / "sweep.json", big / "sweep.json")
    lines = (folder / "results.jsonl").read_text().splitlines()
    with (big / "results.jsonl").open("w") as f:
        for k in range(24_000):
            rec = json.loads(lines[k % len(lines)])
            rec["index"] = k if k < 1000 else k + 5
            f.write(json.dumps(rec) + "\n")
    out = tmp_path / "big.html"
    resgraph.api.report(str(big), out, pages=0)
    html = out.read_text()
    data = page_data(html)
    assert data["table"]["runs"] == [[0, 1000], [1005, 23_000]]
    recs = table_records(data)
    assert len(recs) == 24_000 and len(data["table"]["rows"]) <= 24
    assert recs[1000]["index"] == 1005 and recs[1000]["status"] == json.loads(
        lines[1000 % 24])["status"]
    assert len(html) < 400_000  # some 16 bytes a candidate, not a row of HTML each
    ok = [r for r in read_sweep(big).ok]
    for points in re.findall(r'<polyline class="step" points="([^"]*)"', html):
        assert len(points.split()) <= 2 * len(ok) // 1000  # a step per distinct value
    assert data["fronts"] == fronts(read_sweep(folder).ok, data["figures"])


def test_a_folder_that_is_no_sweep_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "sweep.json").write_text("{not json")
    with pytest.raises(UsageError, match="is not a sweep's definition"):
        resgraph.api.report(str(tmp_path), tmp_path / "x.html")


def test_the_pages_folder_must_not_be_a_file(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "s.candidates").write_text("mine")
    with pytest.raises(UsageError, match="is a file"):
        resgraph.api.report(str(folder), tmp_path / "s.html")
    assert (tmp_path / "s.candidates").read_text() == "mine"


CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


needs_browser = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists() and shutil.which("dot")),
    reason="needs Debian's chromium, chromium-driver and Graphviz")


@pytest.fixture
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver: Any = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
        assert driver.get_log("browser") == []
    finally:
        driver.quit()


@needs_browser
def test_the_scatter_redraws_for_another_pair(folder: Path, tmp_path: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out = tmp_path / "sweep.html"
    resgraph.api.report(str(folder), out, pages=0)
    browser.get(out.as_uri())
    data = page_data(out.read_text())
    ok = [r for r in table_records(data) if r["status"] == "ok"]
    dots = browser.find_elements(By.CSS_SELECTOR, "#scatter-plot circle")
    pair = data["pair"]
    assert len(dots) == len({(r["figures"][pair[0]], r["figures"][pair[1]]) for r in ok})
    assert len(browser.find_elements(By.CSS_SELECTOR, "#scatter-plot circle.front")) == \
        len(data["fronts"]["|".join(pair)])
    Select(browser.find_element(By.ID, "y")).select_by_visible_text("activation_peak")
    marked = browser.find_elements(By.CSS_SELECTOR, "#scatter-plot circle.front")
    assert len(marked) == len(data["fronts"][f"{pair[0]}|activation_peak"])


@needs_browser
def test_the_table_pages_sorts_and_shows_a_linked_candidate(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    from resgraph.cli import main

    folder = tmp_path_factory.mktemp("many") / "run"  # 150 candidates, most of them repeats
    assert main(["sweep", str(SPEC), "--out", str(folder), "--sample", "width=int(8, 16, 8)",
                 "--sample", "tag=int(0, 2)", "--samples", "150", "--workers", "1"]) == 0
    out = tmp_path / "sweep.html"
    resgraph.api.report(str(folder), out, pages=0)
    recs = table_records(page_data(out.read_text()))
    browser.get(out.as_uri())

    def shown() -> list[int]:
        return [int(tr.get_attribute("id")[1:])
                for tr in browser.find_elements(By.CSS_SELECTOR, "#candidate-table tbody tr")]

    assert shown() == list(range(PAGE_ROWS))
    browser.find_element(By.ID, "next").click()
    assert shown() == list(range(PAGE_ROWS, 150))
    assert browser.find_element(By.ID, "next").get_attribute("disabled")
    macs = browser.find_element(By.CSS_SELECTOR, "#candidate-table th[data-col='0']")
    assert macs.text == "macs"
    macs.click()
    macs.click()  # the most MACs first; of equal ones the first by index
    by_macs = sorted(recs, key=lambda r: (-(r["figures"]["macs"] or -1), r["index"]))
    assert shown() == [r["index"] for r in by_macs[:PAGE_ROWS]]
    dup = next(r for r in recs[PAGE_ROWS:] if r["status"] == "duplicate"
               and r["index"] in shown())
    browser.get(out.as_uri() + f"#c{dup['index']}")
    assert dup["index"] in shown()
    link = browser.find_element(By.CSS_SELECTOR, f"#c{dup['index']} a[href^='#c']")
    browser.execute_script("arguments[0].click()", link)  # under the page's sticky header
    hit = browser.find_element(By.CSS_SELECTOR, "#candidate-table tr.hit")
    assert hit.get_attribute("id") == f"c{dup['duplicate_of']}"


def test_a_chart_stands_alone_as_an_svg_file() -> None:
    """The README's figures: an EDF and a scatter, each a well-formed SVG file with its title,
    its x axis's name, one step pair per value and one mark per point."""
    import xml.etree.ElementTree as ET

    from resgraph.report import chart_svg
    from resgraph.report.sweep_page import edf_chart, scatter_chart

    ns = "{http://www.w3.org/2000/svg}"
    edf = ET.fromstring(chart_svg(edf_chart("params", [3.0, 1.0, 2.0], "params"), "EDF", "count"))
    assert edf.tag == f"{ns}svg"
    assert [t.text for t in edf.iter(f"{ns}text")][:2] == ["EDF", "count"]
    (line,) = edf.iter(f"{ns}polyline")
    assert len(line.get("points", "").split()) == 2 * 3
    scatter = ET.fromstring(chart_svg(scatter_chart([1e6, 2e6], [0.5, 1.5], "ms", str), "t"))
    assert len(list(scatter.iter(f"{ns}circle"))) == 2
