"""GMR: SIGUSR2 to the running collector -> its report in Admin -> Service Reports."""

import os
import pathlib
import signal
import time

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import REPO_ROOT

REPORTS = "/admin/event_viewer/reports/"
SERVICE = "event-viewer-collector"


def collector_pid():
    """The collector tools/run-tests started for this Horizon (tools/lib/common.sh)."""
    home = pathlib.Path(os.environ.get("DEVCLOUD_HOME", REPO_ROOT / ".devcloud"))
    return int((home / "run" / "collector.pid").read_text())


def newest_report_link(browser):
    """The href of the newest report of the collector, or "" when it has none."""
    browser.filter_table(REPORTS, "service_reports", "service", SERVICE)

    def first_href(driver):
        # Found and read in one try: the table may be re-rendered in between.
        table = driver.find_element(By.CSS_SELECTOR, "table#service_reports")
        links = table.find_elements(By.CSS_SELECTOR, "tbody tr td a")
        return [links[0].get_attribute("href") if links else ""]

    return browser.read(first_href)[0]


def test_sigusr2_to_the_collector_shows_its_report(browser_factory):
    admin = browser_factory("admin")
    before = newest_report_link(admin)
    pid = collector_pid()
    os.kill(pid, signal.SIGUSR2)

    deadline = time.monotonic() + 90
    newest = before
    while newest == before and time.monotonic() < deadline:
        time.sleep(2)
        newest = newest_report_link(admin)
    admin.screenshot("reports-list")
    if newest == before:
        pytest.fail("the collector's report never appeared in the Reports view")

    admin.driver.get(newest)
    admin.wait_for(".event-viewer-report")
    path, titles = admin.read(
        lambda driver: (
            driver.find_element(By.CSS_SELECTOR, ".report-path").text,
            [
                s.get_attribute("textContent").strip()
                for s in driver.find_elements(
                    By.CSS_SELECTOR, ".event-viewer-report-section summary"
                )
            ],
        )
    )
    assert f"{SERVICE}.{pid}_gurumeditation_" in path
    admin.screenshot("report-detail")
    for title in ("Package", "Threads", "Green Threads", "Processes", "Collector statistics"):
        assert any(title in t for t in titles), f"no {title} section in {titles}"
    assert "stored:" in admin.driver.page_source


def test_members_cannot_read_reports(browser_factory):
    alice = browser_factory("alice")
    alice.open(REPORTS)
    assert 'id="service_reports"' not in alice.driver.page_source
