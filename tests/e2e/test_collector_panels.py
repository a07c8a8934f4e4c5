"""A real failure travels cinder-scheduler -> RabbitMQ -> collector -> both panels, in Chromium."""

import time
import uuid

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from tests.e2e.conftest import api_session
from tests.e2e.test_admin_panel import ADMIN_PANEL, admin_rows, set_admin_filter

PROJECT_PANEL = "/project/event_viewer/"
# The host the dev cloud's Cinder services run as (tools/devcloud: [DEFAULT] host).
DEVCLOUD_HOST = "devcloud"


def create_unschedulable_volume(cloud, user, name):
    """A volume create that the real cinder-scheduler fails (the dev cloud has no backend)."""
    response = api_session(cloud, user).post(
        "/volumes",
        json={"volume": {"size": 1, "name": name}},
        endpoint_filter={"service_type": "volumev3", "interface": "public"},
    )
    return response.json()["volume"]["id"]


def wait_for_collected_row(browser, volume_id, seconds=60):
    """Filter the admin table by the volume until the collector's row shows up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        set_admin_filter(browser, "resource_id", volume_id)
        rows = [r for r in admin_rows(browser) if r.startswith("collector:")]
        if rows:
            return rows[0]
        time.sleep(2)
    pytest.fail(f"the scheduler's failure for {volume_id} never reached the admin panel")


@pytest.fixture(scope="module")
def scheduler_failure(cloud):
    """alice's volume with a hostile name, failed by the real scheduler."""
    name = f"<script>alert('ev-{uuid.uuid4().hex[:6]}')</script>"
    return name, create_unschedulable_volume(cloud, "alice", name)


def test_admin_sees_the_collected_failure_with_host_and_user(
    browser_factory, cloud, scheduler_failure
):
    name, volume_id = scheduler_failure
    alice_id = cloud["users"]["alice"]["user_id"]
    admin = browser_factory("admin")
    row = wait_for_collected_row(admin, volume_id)
    cells = [
        cell.text
        for cell in admin.driver.find_elements(By.CSS_SELECTOR, f"tr[data-object-id='{row}'] td")
    ]
    admin.screenshot("collected-failure-row")
    # The host from the scheduler's publisher_id, the user's name from Keystone.
    assert {DEVCLOUD_HOST, "alice", "alpha", "Service events"} <= set(cells), cells

    admin.open(f"{ADMIN_PANEL}{row}/")
    admin.wait_for(".event-viewer-detail")
    text = admin.page_text()
    admin.screenshot("collected-failure-detail")
    assert "NoValidBackend" in text
    assert "scheduler.create_volume" in text
    # The volume name is shown as text, never run.
    assert name in text
    with pytest.raises(NoAlertPresentException):
        admin.driver.switch_to.alert.text  # noqa: B018 (raises when no alert is open)

    # Its request ID leads to every event of the request: the scheduler's
    # notification and the user message Cinder wrote for the same failure.
    request_link = admin.driver.find_element(By.CSS_SELECTOR, "a.event-request-link")
    request_id = request_link.text
    request_link.click()
    admin.wait_for("table#admin_events")
    related = admin_rows(admin)
    admin.screenshot("collected-failure-same-request")
    box = admin.driver.find_element(By.NAME, "admin_events__filter__q")
    field = admin.driver.find_element(By.NAME, "admin_events__filter__q_field")
    assert (field.get_attribute("value"), box.get_attribute("value")) == ("request_id", request_id)
    assert row in related
    assert any(r.startswith("cinder:") for r in related), related

    for field, value in (("host", DEVCLOUD_HOST), ("user", alice_id), ("user", "alice")):
        set_admin_filter(admin, field, value)
        assert row in admin_rows(admin), f"filtering by {field}={value} lost the event"


def test_the_collected_failure_is_in_alices_panel_and_not_bobs(
    browser_factory, cloud, scheduler_failure
):
    _name, volume_id = scheduler_failure
    admin = browser_factory("admin")
    row = wait_for_collected_row(admin, volume_id)
    for user, sees in (("alice", True), ("bob", False)):
        member = browser_factory(user)
        member.filter_table(PROJECT_PANEL, "events", "resource_id", volume_id)
        rows = [r.get_attribute("data-object-id") for r in member.table_rows("events")]
        member.screenshot(f"collected-failure-{user}")
        assert (row in rows) is sees
    alice = browser_factory("alice")
    alice.open(f"{PROJECT_PANEL}{row}/")
    alice.wait_for(".event-viewer-detail")
    # Members never get the raw payload or a trace, whatever was stored.
    assert "request_spec" not in alice.driver.page_source
    assert "event-traceback" not in alice.driver.page_source
