"""Checks a running Airflow 3 through its UI in a real browser, as a person would.

Headless Chromium logs in through SimpleAuthManager's login form, checks that every expected DAG is
listed on the DAGs page and that the runs page of one DAG shows a run in state success, and saves
screenshots of those pages (and of what it saw when a check fails) into a folder. Exits 0 when every
check passes, 1 otherwise.

Headless Chromium comes from headless_browser.py beside it (Debian's Chromium and WebDriver).

Example (the project's Airflow, started by `./lakepipe airflow start`):
  .lakepipe/venv-airflow/bin/python infra/ui/airflow_ui_check.py --url http://127.0.0.1:8080 \
    --user admin --password-file .lakepipe/airflow/simple_auth_manager_passwords.json.generated \
    --expect-dags lakepipe_daily,lakepipe_training --successful-run-of lakepipe_daily \
    --screenshots target/ui-check
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import quote

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions

from headless_browser import (
    PAGE_TIMEOUT_S,
    UiCheckFailed,
    page_text,
    run_check,
    save_screenshot,
    wait,
)


def main(argv: list[str] | None = None) -> int:
    return run_check(
        "ui_check",
        __doc__,
        argv,
        add_arguments,
        prepare=lambda args: read_password(args.password_file, args.user),
        check=run,
        failure_screenshot="failure",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, help="the Airflow UI, e.g. http://127.0.0.1:8080")
    parser.add_argument("--user", required=True, help="a SimpleAuthManager user, e.g. admin")
    parser.add_argument(
        "--password-file",
        required=True,
        type=Path,
        help="JSON mapping user to password, as SimpleAuthManager generates it",
    )
    parser.add_argument(
        "--expect-dags",
        required=True,
        type=lambda s: [d for d in s.split(",") if d],
        help="comma-separated DAG ids that the DAGs page must list",
    )
    parser.add_argument(
        "--successful-run-of",
        required=True,
        metavar="DAG_ID",
        help="a DAG whose runs page must show a run in state success",
    )


def read_password(password_file: Path, user: str) -> str:
    try:
        passwords = json.loads(password_file.read_text())
    except (OSError, ValueError) as error:
        raise UiCheckFailed(
            f"cannot read the password file {password_file}: {error}; Airflow's "
            "SimpleAuthManager writes it at first start of the api-server"
        ) from error
    if user not in passwords:
        raise UiCheckFailed(f"user '{user}' is not in {password_file} (users: {', '.join(passwords)})")
    return passwords[user]


def run(browser: WebDriver, args: argparse.Namespace, password: str) -> str:
    url = args.url.rstrip("/")
    log_in(browser, url, args.user, password)
    check_dags_listed(browser, url, args.expect_dags)
    save_screenshot(browser, args.screenshots, "dags")
    check_successful_run(browser, url, args.successful_run_of)
    save_screenshot(browser, args.screenshots, f"{args.successful_run_of}-runs")
    return f"; screenshots in {args.screenshots}"


def log_in(browser: WebDriver, url: str, user: str, password: str) -> None:
    """Fills in SimpleAuthManager's login form, which the UI redirects to, and waits to leave it."""
    try:
        browser.get(f"{url}/")
    except WebDriverException as error:
        raise UiCheckFailed(
            f"cannot open {url}/: {error.msg.splitlines()[0]}; is Airflow running there (./lakepipe airflow status)?"
        ) from error
    username = wait(
        browser,
        expected_conditions.element_to_be_clickable((By.NAME, "username")),
        f"no login form (input 'username') at {browser.current_url}; is {url} "
        "Airflow 3's UI with the SimpleAuthManager?",
    )
    username.send_keys(user)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(
        browser,
        lambda b: "/auth/login" not in b.current_url or "Invalid credentials" in page_text(b),
        "the login page stayed open after signing in",
    )
    if "/auth/login" in browser.current_url:
        raise UiCheckFailed(
            f"login as '{user}' was refused (the login page says 'Invalid "
            "credentials'); check the user and the password file"
        )


def check_dags_listed(browser: WebDriver, url: str, dag_ids: list[str]) -> None:
    browser.get(f"{url}/dags")

    def missing() -> list[str]:
        return [d for d in dag_ids if not browser.find_elements(By.CSS_SELECTOR, dag_link(d))]

    try:
        wait(browser, lambda _: not missing(), "the DAGs page did not list every expected DAG")
    except UiCheckFailed:
        listed = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "a[data-testid=dag-id]")]
        raise UiCheckFailed(
            f"DAG(s) {', '.join(missing())} not listed on the DAGs page "
            f"({browser.current_url}) within {PAGE_TIMEOUT_S} s; listed: "
            f"{', '.join(listed) or 'none'}; check the DAGs folder and the import "
            "errors (airflow dags list-import-errors)"
        ) from None


def check_successful_run(browser: WebDriver, url: str, dag_id: str) -> None:
    """Opens the DAG's Runs tab filtered on state success and waits for a run's Success badge."""
    browser.get(f"{url}/dags/{quote(dag_id)}/runs?state=success")
    success_badge = (
        By.XPATH,
        "//td[@data-testid='table-cell-state']/*[@data-testid='state-badge'][normalize-space()='Success']",
    )
    wait(
        browser,
        expected_conditions.visibility_of_element_located(success_badge),
        f"no run of {dag_id} in state Success on its runs page ({browser.current_url}); "
        f"trigger {dag_id} and let a run succeed first",
    )


def dag_link(dag_id: str) -> str:
    return f'a[href$="/dags/{dag_id}"]'


if __name__ == "__main__":
    sys.exit(main())
