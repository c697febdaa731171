"""``resgraph report``: page size and generation time, against one diagram drawn in the same run.

Part 1, resnet152: the wall time of ``resgraph report resnet152 -o …`` (a fresh process, so
imports count, as a user waits for them), against ``resgraph draw resnet152 -o ….svg`` (one
diagram: the floor any page with a diagram pays) measured alternately in the same run; the
page's size. Targets: under 3 MB and under 2 s.

Part 2, preact_resnet1001 (333 blocks a stage): the same figures, and where Chromium is
installed (``scripts/setup.sh``), the time for headless Chromium to load the page and to
switch it to every level, with any console errors: "still usable" means it opens folded
(stage level) in well under a second and every level switches.

    python benchmarks/report_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def generation(name: str, folder: Path, repeat: int) -> tuple[Path, float]:
    page, svg = folder / f"{name}.html", folder / f"{name}.svg"
    report, draw = [], []
    for _ in range(repeat):  # alternate, so load on the machine hits both alike
        report.append(wall(["resgraph", "report", name, "-o", str(page)]))
        draw.append(wall(["resgraph", "draw", name, "-o", str(svg)]))
    r, d = statistics.median(report), statistics.median(draw)
    size = page.stat().st_size
    print(f"{name}: report {r:.2f} s, draw {d:.2f} s (median of {repeat}), ratio {r / d:.2f}x; "
          f"page {size / 1e6:.2f} MB ({size / 2**20:.2f} MiB)")
    return page, r


def browser(page: Path) -> None:
    if not (CHROMIUM.exists() and DRIVER.exists()):
        print("  (no Chromium: the browser half is skipped; scripts/setup.sh installs it)")
        return
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        start = time.perf_counter()
        driver.get(page.as_uri())
        print(f"  Chromium: loaded in {time.perf_counter() - start:.2f} s at level "
              f"{driver.find_element(By.CSS_SELECTOR, '.level.on').get_attribute('data-level')}")
        for level in ("network", "block", "stage"):
            start = time.perf_counter()
            driver.find_element(By.CSS_SELECTOR, f'.level-button[data-level="{level}"]').click()
            nodes = driver.execute_script("return document.querySelectorAll('.level.on g.node').length")
            print(f"  switch to {level}: {time.perf_counter() - start:.2f} s, {nodes} nodes")
        print(f"  console errors: {driver.get_log('browser') or 'none'}")
    finally:
        driver.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r152, seconds = generation("resnet152", Path(tmp), args.repeat)
        browser(generation("preact_resnet1001", Path(tmp), args.repeat)[0])
        ok = r152.stat().st_size < 3e6 and seconds < 2
    print("resnet152 targets (under 3 MB, under 2 s):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
