"""Admin -> Event Viewer in Chromium against the real cloud, and what members cannot reach."""

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import cinder_message_ids, devcloud
from tests.e2e.test_project_actions import confirm_modal

ADMIN_PANEL = "/admin/event_viewer/"
# A line every seeded Trove stack trace has (tools/devcloud/seed_trove.py).
TRACE_MARK = "Traceback (most recent call last)"


@pytest.fixture(autouse=True, scope="module")
def reseeded():
    devcloud("seed")


def set_admin_filter(browser, field, value):
    browser.filter_table(ADMIN_PANEL, "admin_events", field, value)


def admin_rows(browser):
    return [r.get_attribute("data-object-id") for r in browser.table_rows("admin_events")]


def test_admin_sees_both_projects_and_filters_by_project(browser_factory, cloud):
    admin = browser_factory("admin")
    set_admin_filter(admin, "source", "Database")
    text = admin.page_text()
    admin.screenshot("admin-database")
    assert "alpha" in text and "beta" in text
    set_admin_filter(admin, "project", "beta")
    ids = admin_rows(admin)
    admin.screenshot("admin-project-beta")
    beta_messages = {f"cinder:{i}" for i in cinder_message_ids(cloud, "bob")}
    beta_faults = {f"trove:{i}" for i in cloud["trove_instance_ids"]["beta"]}
    assert ids and set(ids) <= beta_messages | beta_faults
    assert "alpha" not in {c.text for c in admin.driver.find_elements(By.CSS_SELECTOR, "td")}


def test_admin_time_range_filter(browser_factory):
    admin = browser_factory("admin")
    set_admin_filter(admin, "time", "2000-01-01..2000-01-02")
    assert admin_rows(admin) == []
    set_admin_filter(admin, "time", "2000-01-01..")
    assert len(admin_rows(admin)) == 20


def test_admin_opens_a_trove_fault_and_sees_the_real_stack_trace(browser_factory, cloud):
    admin = browser_factory("admin")
    set_admin_filter(admin, "source", "Database")
    fault = admin_rows(admin)[0]
    admin.open(f"{ADMIN_PANEL}{fault}/")
    trace = admin.wait_for("pre.event-traceback").text
    admin.screenshot("admin-trace")
    assert TRACE_MARK in trace
    assert admin.driver.find_element(By.ID, "event-viewer-copy-bug-report").is_displayed()


def test_admin_deletes_another_projects_message(browser_factory, cloud):
    admin = browser_factory("admin")
    set_admin_filter(admin, "project", "beta")
    target = next(i for i in admin_rows(admin) if i.startswith("cinder:"))
    admin.driver.find_element(By.ID, f"admin_events__row_{target}__action_delete").click()
    confirm_modal(admin)
    admin.wait_for("table#admin_events")
    assert target.split(":", 1)[1] not in cinder_message_ids(cloud, "bob")


def test_alice_has_no_admin_panel_and_no_trace_anywhere(browser_factory, cloud):
    admin = browser_factory("admin")
    set_admin_filter(admin, "source", "Database")
    alpha_instances = set(cloud["trove_instance_ids"]["alpha"])
    fault = next(i for i in admin_rows(admin) if i.split(":", 1)[1] in alpha_instances)

    alice = browser_factory("alice")
    alice.open("/project/event_viewer/")
    assert ADMIN_PANEL not in alice.driver.page_source
    alice.open(ADMIN_PANEL)
    assert "/admin/event_viewer" not in alice.driver.current_url or (
        "not authorized" in alice.page_text().lower() or "forbidden" in alice.page_text().lower()
    )
    assert 'id="admin_events"' not in alice.driver.page_source
    alice.open(f"{ADMIN_PANEL}{fault}/")
    assert TRACE_MARK not in alice.driver.page_source
    alice.open(f"/project/event_viewer/{fault}/")
    alice.wait_for(".event-viewer-detail")
    alice.screenshot("alice-trove-detail")
    assert TRACE_MARK not in alice.driver.page_source
    assert "event-traceback" not in alice.driver.page_source
