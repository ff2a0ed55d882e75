"""rulecheck serve in a real headless browser: Debian's chromium and chromedriver, driven by selenium offline.

The page is used as a staffer would: pick a slate, read the verdict and the red cells, open a finding,
switch to English, download the violations workbook. The screenshots in docs/ are taken here
(RULECHECK_SCREENSHOTS=1 python -m pytest tests/test_serve_browser.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest

from faultkit import GOOD_ROWS, HEADER, workbook

ROOT = Path(__file__).parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; .ci/run does)")


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory):
    """The address ``rulecheck serve`` prints, the server running in a process of its own."""
    folder = tmp_path_factory.mktemp("serve")
    process = subprocess.Popen([sys.executable, "-m", "rulecheck", "serve", "--no-browser", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=folder)
    line, deadline = "", time.monotonic() + 60
    while "token=" not in line and time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", line)
    assert match, line + process.stderr.read() if process.poll() is not None else line
    yield match.group(0)
    process.terminate()
    process.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    os.environ["SE_OFFLINE"] = "true"  # selenium must never download a driver or a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN",
                     "--window-size=1440,1100", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = downloads  # type: ignore[attr-defined]
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _wait(condition, seconds: float = 60):
    """The condition's first true value; a page redrawn under the test (a stale or missing element) is retried."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the page")


def _screenshot(driver, name: str) -> None:
    """The whole page (up to 2,400 pixels down): into docs/ for the README with RULECHECK_SCREENSHOTS=1,
    else into a temporary folder (a test run leaves the checkout as it found it)."""
    height = min(2400, driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1440, height)
    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)
    folder = ROOT / "docs" if os.environ.get("RULECHECK_SCREENSHOTS") == "1" else Path(tempfile.gettempdir())
    assert driver.save_screenshot(str(folder / name))
    driver.set_window_size(1440, 1100)


def _text(driver, css: str) -> str:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text if found else ""


def test_a_staffer_checks_a_slate_in_the_browser(address: str, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(address)
    _wait(lambda: "拖到这里" in _text(browser, "#drop"))
    assert browser.execute_script("return document.documentElement.lang") == "zh-CN"
    assert _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#rules option"))
    sample = ROOT / "samples" / "every-rule-broken.xlsx"
    browser.find_element(By.ID, "files").send_keys(str(sample))
    assert _wait(lambda: _text(browser, "#verdict-word")) == "有问题"
    assert "发现" in _text(browser, "#verdict-text") and "错误" in _text(browser, "#verdict-text")
    assert _text(browser, ".file-card .badge") == "有问题"

    # the slate as a table: the offending cells red (or amber), their rows tinted, the rule on hover
    cell = browser.find_element(By.ID, "c-F4")  # 陈国华, born 1946.03: a new nominee over 55 (a warning)
    assert "bad-warning" in cell.get_attribute("class") and cell.text == "1946.03"
    assert "新提名人选55周岁以上" in cell.get_attribute("title")
    row = browser.find_element(By.ID, "r-4")
    assert "tint-" in row.get_attribute("class")
    red = browser.find_elements(By.CSS_SELECTOR, "table.sheet td.bad-error")
    assert len(red) >= 10
    assert browser.find_elements(By.CSS_SELECTOR, "#stats-table td.flag-error")  # the average age, over 45
    bars = browser.find_elements(By.CSS_SELECTOR, "#charts svg rect.bar.broken")
    assert bars and browser.find_elements(By.CSS_SELECTOR, "#charts svg line.ref")

    # a finding in the list jumps to its cell and shows the speech's words
    findings = browser.find_elements(By.CSS_SELECTOR, "#findings button.finding")
    assert len(findings) == 24
    target = next(b for b in findings if b.get_attribute("data-rule") == "new-nominee-over-55")
    target.click()
    _wait(lambda: browser.find_element(By.ID, "detail").is_displayed())
    detail = _text(browser, "#detail")
    assert "F4" in detail and "讲话原文" in detail and "55周岁以上不再留任" in detail
    assert "focus" in browser.find_element(By.ID, "c-F4").get_attribute("class")
    _screenshot(browser, "serve-zh.png")
    browser.find_element(By.CSS_SELECTOR, "#detail .close").click()

    # one click: English, the same upload rendered again
    browser.find_element(By.ID, "lang-switch").click()
    assert _wait(lambda: _text(browser, "#verdict-word") == "Problems found" and _text(browser, "#verdict-word"))
    assert browser.execute_script("return document.documentElement.lang") == "en"
    assert "Found" in _text(browser, "#verdict-text")
    assert _wait(lambda: "New nominee aged 55 or over" in browser.find_element(By.ID, "c-F4").get_attribute("title"))
    assert "Findings" in _text(browser, "#findings h2")
    _screenshot(browser, "serve-en.png")

    # the violations workbook, downloaded under its English name
    browser.find_element(By.ID, "download-xlsx").click()
    report = _wait(lambda: [p for p in Path(browser.downloads).glob("*.xlsx")])[0]
    _wait(lambda: not list(Path(browser.downloads).glob("*.crdownload")))
    assert report.name == "rulecheck-report.xlsx"
    book = openpyxl.load_workbook(report)
    text = " ".join(str(c.value) for s in book for r in s.iter_rows() for c in r if c.value is not None)
    assert "new-nominee-over-55" in text and "every-rule-broken.xlsx" in text


def test_cell_values_are_shown_as_text_never_run(address: str, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    hostile = '<img src=x onerror="document.title=\'pwned\'">'
    slate = workbook(tmp_path / "hostile.xlsx", [HEADER, [*GOOD_ROWS[0][:2], hostile, *GOOD_ROWS[0][3:]], *GOOD_ROWS[1:]])
    browser.get(address + "&lang=zh")
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#rules option"))
    browser.find_element(By.ID, "files").send_keys(str(slate))
    _wait(lambda: _text(browser, "#verdict-word"))
    cell = browser.find_element(By.ID, "c-C2")
    assert cell.text == hostile
    assert not browser.find_elements(By.CSS_SELECTOR, "table.sheet img")
    assert browser.title != "pwned"
    # the verdict for a slate whose township breaks the average-age rule, with the retired-age cell red
    assert "bad-error" in browser.find_element(By.ID, "c-E2").get_attribute("class")
    assert "tint-error" in browser.find_element(By.ID, "r-2").get_attribute("class")
