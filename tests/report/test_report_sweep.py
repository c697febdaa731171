"""The page of a sweep folder: distributions, the scatter's Pareto fronts, every candidate in
the table, its own page linked; and in a real browser, the scatter redrawn for another pair."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import resgraph
from resgraph.errors import UsageError
from resgraph.report.sweep_page import candidate_pages, fronts, read_sweep
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


def test_the_page_holds_every_candidate_and_links_its_pages(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep.html"
    resgraph.api.report(str(folder), out, pages=3)
    html = out.read_text()
    sweep = read_sweep(folder)
    assert html.count('<tr id="c') == len(sweep.records) > 0
    pages = sorted((tmp_path / "sweep.candidates").iterdir())
    assert len(pages) == min(3, len(sweep.ok))
    for page in pages:
        assert f'href="sweep.candidates/{page.name}"' in html
        assert "<svg" in page.read_text()
    for figure in ("macs", "params"):
        assert f'data-figure="{figure}"' in html


def test_fronts_are_the_sweeps_own(folder: Path) -> None:
    ok = read_sweep(folder).ok
    front = fronts(ok, ["macs", "params"])["macs|params"]
    assert front == [r["index"] for r in pareto_front(ok, (Objective("macs"), Objective("params")))]
    assert candidate_pages(read_sweep(folder), 1)[0]["index"] == front[0]


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


@pytest.mark.skipif(not (CHROMIUM.exists() and DRIVER.exists() and shutil.which("dot")),
                    reason="needs Debian's chromium, chromium-driver and Graphviz")
def test_the_scatter_redraws_for_another_pair(folder: Path, tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out = tmp_path / "sweep.html"
    resgraph.api.report(str(folder), out, pages=0)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver: Any = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        driver.get(out.as_uri())
        data = json.loads(driver.find_element(By.ID, "sweep-data").get_attribute("textContent"))
        dots = driver.find_elements(By.CSS_SELECTOR, "#scatter-plot circle")
        assert len(dots) == len(data["points"])
        assert len(driver.find_elements(By.CSS_SELECTOR, "#scatter-plot circle.front")) == \
            len(data["fronts"]["|".join(data["pair"])])
        Select(driver.find_element(By.ID, "y")).select_by_visible_text("activation_peak")
        marked = driver.find_elements(By.CSS_SELECTOR, "#scatter-plot circle.front")
        assert len(marked) == len(data["fronts"][f"{data['pair'][0]}|activation_peak"])
        assert driver.get_log("browser") == []
    finally:
        driver.quit()


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
