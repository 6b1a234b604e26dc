"""Headless Chromium for the checks that look at a UI as a person would (Airflow's, MLflow's).

Chromium and its WebDriver are Debian's (packages chromium and chromium-driver, installed by
`./lakepipe setup --for-tests`), both given by path, so that Selenium Manager downloads no browser
or driver.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Each wait for a page or an element; a UI needs a few seconds on a loaded 2-core machine.
PAGE_TIMEOUT_S = 60
WINDOW_SIZE = "1400,900"
# Before a screenshot: a single-page app keeps rendering after what a check waited for.
SETTLE_S = 1.0

Prepared = TypeVar("Prepared")


class UiCheckFailed(Exception):
    """A check of a UI did not pass; the message says what was not found and what to look at."""


def run_check(
    name: str,
    doc: str,
    argv: list[str] | None,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    prepare: Callable[[argparse.Namespace], Prepared],
    check: Callable[[WebDriver, argparse.Namespace, Prepared], str],
    failure_screenshot: str,
    window_size: str = WINDOW_SIZE,
) -> int:
    """The main of a UI check: parses argv (the script's own arguments, then --screenshots), runs
    prepare (what needs no browser), starts the browser and runs check in it. Prints the outcome
    prefixed with name, OK with what check returned after the time taken, or FAILED with why and,
    once the browser is started, a screenshot of what it saw. Returns the exit code, 0 or 1.
    """
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--screenshots", required=True, type=Path, help="folder for the PNG files")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        prepared = prepare(args)
        browser = start_browser(window_size)
    except UiCheckFailed as failure:
        print(f"{name}: FAILED: {failure}", file=sys.stderr)
        return 1
    args.screenshots.mkdir(parents=True, exist_ok=True)
    try:
        outcome = check(browser, args, prepared)
    except (UiCheckFailed, WebDriverException) as failure:
        shot = save_screenshot(browser, args.screenshots, failure_screenshot)
        message = failure.msg if isinstance(failure, WebDriverException) else failure
        print(f"{name}: FAILED: {message}\n  (what the browser saw: {shot})", file=sys.stderr)
        return 1
    finally:
        browser.quit()
    print(f"{name}: OK in {time.monotonic() - started:.1f} s{outcome}")
    return 0


def start_browser(window_size: str = WINDOW_SIZE) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # --no-sandbox: Chromium's sandbox refuses to run as root; --disable-dev-shm-usage: a container's
    # small /dev/shm crashes renderers.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={window_size}"):
        options.add_argument(argument)
    try:
        browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    except WebDriverException as error:
        raise UiCheckFailed(
            f"cannot start headless Chromium ({CHROMIUM}) through {CHROMEDRIVER}: "
            f"{error.msg}; `./lakepipe setup --for-tests` installs both (apt-get install "
            "chromium chromium-driver)"
        ) from error
    browser.set_page_load_timeout(PAGE_TIMEOUT_S)
    return browser


def wait(browser: WebDriver, condition: Callable[[WebDriver], Any], failure: str) -> Any:
    # Stale elements are expected while the app re-renders; the condition is simply tried again.
    waiting = WebDriverWait(browser, PAGE_TIMEOUT_S, ignored_exceptions=[StaleElementReferenceException])
    try:
        return waiting.until(condition)
    except TimeoutException:
        raise UiCheckFailed(f"{failure} (waited {PAGE_TIMEOUT_S} s)") from None


def page_text(browser: WebDriver) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


def save_screenshot(browser: WebDriver, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    time.sleep(SETTLE_S)
    browser.save_screenshot(str(path))
    return path
