"""The page in a real browser: headless Chromium driven by Selenium (Debian's ``chromium`` and
``chromium-driver``, which ``scripts/setup.sh`` installs). Skipped, with the reason, where
either is missing. ``RESGRAPH_SCREENSHOT=docs/report.png`` also keeps the screenshot."""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import resgraph

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")
pytestmark = [
    pytest.mark.skipif(not (CHROMIUM.exists() and DRIVER.exists()),
                       reason="needs Debian's chromium and chromium-driver (scripts/setup.sh)"),
    pytest.mark.skipif(not shutil.which("dot"), reason="needs Graphviz"),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, resgraph.Graph]]:
    from selenium.webdriver.chrome.service import Service

    path = tmp_path_factory.mktemp("report") / "resnet50.html"
    resgraph.api.report("resnet50", path)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    # the page's own viewport at 1280x800, whatever the window's frame takes
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    try:
        driver.get(path.as_uri())
        yield driver, resgraph.analyze("resnet50").graph
    finally:
        driver.quit()


def _by(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css)


def _field(driver: Any, name: str) -> str:
    return _by(driver, f'#panel-fields dd[data-field="{name}"]').text


def test_loads_without_console_errors_and_draws(page: tuple[Any, resgraph.Graph]) -> None:
    driver, _ = page
    shot = driver.get_screenshot_as_png()
    keep = os.environ.get("RESGRAPH_SCREENSHOT")
    if keep:
        Path(keep).write_bytes(shot)
    assert driver.get_log("browser") == []
    from PIL import Image  # matplotlib's dependency, in the dev extra

    image = Image.open(io.BytesIO(shot)).convert("L")
    assert image.size == (1280, 800)
    low, high = image.getextrema()
    assert high - low > 100  # not blank: dark text and a diagram on white
    assert sum(1 for count in image.histogram() if count) > 20  # many shades, not a flat page


def test_clicking_a_node_opens_its_panel(page: tuple[Any, resgraph.Graph]) -> None:
    driver, graph = page
    _by(driver, '.level-button[data-level="network"]').click()
    node = _by(driver, '.level.on g.node[data-uid="layer2"]')
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                          node)
    macs = sum(n.meta[resgraph.analysis.keys.MACS] for n in graph if n.stage == "layer2")
    assert _by(driver, "#panel").is_displayed()
    assert _field(driver, "MACs") == f"{macs:,}"
    assert _field(driver, "scope") == "layer2"


def test_the_level_switch_changes_the_diagram(page: tuple[Any, resgraph.Graph]) -> None:
    driver, _ = page
    seen = {}
    for level in ("network", "stage", "block"):
        _by(driver, f'.level-button[data-level="{level}"]').click()
        shown = _by(driver, ".level.on")
        assert shown.get_attribute("data-level") == level and shown.is_displayed()
        seen[level] = len(shown.find_elements("css selector", "g.node"))
    assert seen["network"] < seen["stage"] < seen["block"]


def test_the_search_finds_a_folded_block(page: tuple[Any, resgraph.Graph]) -> None:
    from selenium.webdriver.common.keys import Keys

    driver, _ = page
    box = _by(driver, "#search")
    box.clear()
    box.send_keys("layer3.4")
    assert _by(driver, "#search-results li").text.startswith("layer3.4")
    box.send_keys(Keys.ENTER)
    time.sleep(0.1)
    assert _by(driver, "#panel-title").text == "layer3.4"
    assert _by(driver, ".level.on").get_attribute("data-level") == "block"
    assert "sel" in _by(driver, '.level.on g.cluster[data-uid="layer3.4"]').get_attribute("class")
    assert driver.get_log("browser") == []
