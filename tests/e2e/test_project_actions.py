"""Project -> Event Viewer, everything a user does with the table, in Chromium on the real cloud.

Filters, paging both ways, the detail page, the three kinds of delete (checked
against Cinder afterwards), Trove fault rows, and a Cinder outage.
"""

import base64
import collections
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import (
    WAIT_SECONDS,
    api_session,
    cinder_message_ids,
    cinder_messages,
    devcloud,
)

PANEL = "/project/event_viewer/"


def rows_ids(browser):
    return [row.get_attribute("data-object-id") for row in browser.table_rows("events")]


def text_and_links(row):
    """A row's text followed by the targets of its links."""
    links = [a.get_attribute("href") for a in row.find_elements(By.TAG_NAME, "a")]
    return " ".join([row.text, *filter(None, links)])


def set_filter(browser, field, value):
    browser.filter_table(PANEL, "events", field, value)


def click_and_wait_for_table(browser, element):
    browser.submit_and_wait(element)
    browser.wait_for("table#events")


def confirm_modal(browser):
    """Press the modal's confirm button and wait until what it submitted answered.

    The answer replaces the button either way: a new page, or the modal again
    (a form that asks once more).
    """
    button = WebDriverWait(browser.driver, WAIT_SECONDS).until(
        expected_conditions.element_to_be_clickable(
            (By.CSS_SELECTOR, ".modal-footer .btn-danger, .modal-footer .btn-primary")
        )
    )
    button.click()
    browser.wait_until_replaced(button)


@pytest.fixture(autouse=True, scope="module")
def reseeded():
    """Each module starts from the seeded state (deleted messages are topped up)."""
    devcloud("seed")


def test_paging_forward_and_back_over_three_pages(browser_factory, cloud):
    alice = browser_factory("alice")
    alice.open(PANEL)
    pages = [rows_ids(alice)]
    for _ in range(2):
        next_link = alice.driver.find_element(By.CSS_SELECTOR, "a[href*='?marker=']")
        click_and_wait_for_table(alice, next_link)
        pages.append(rows_ids(alice))
    alice.screenshot("page-3")
    assert [len(p) for p in pages[:2]] == [20, 20]
    everything = [i for page in pages for i in page]
    assert len(everything) == len(set(everything)), "no event appears on two pages"
    for expected in reversed(pages[:2]):
        prev_link = alice.driver.find_element(By.CSS_SELECTOR, "a[href*='prev_marker=']")
        click_and_wait_for_table(alice, prev_link)
        assert rows_ids(alice) == expected


def test_trove_fault_rows_are_listed_with_their_instance(browser_factory, cloud):
    alice = browser_factory("alice")
    set_filter(alice, "source", "Database")
    ids = rows_ids(alice)
    alice.screenshot("database-faults")
    assert len(ids) == cloud["projects"]["alpha"]["faults"]
    assert all(i.startswith("trove:") for i in ids)
    assert {i.split(":", 1)[1] for i in ids} <= set(cloud["trove_instance_ids"]["alpha"])
    assert "Database" in alice.page_text()


@pytest.mark.parametrize(
    ("field", "value_of", "check"),
    [
        ("event_id", lambda c: "VOLUME_VOLUME_001_003", lambda text, c: "001_003" in text),
        (
            "resource_id",
            lambda c: c["no_valid_backend"]["volume_id"],
            # A Cinder message shows the ID; a service event shows the volume's
            # name, linked to the volume's page by its ID.
            lambda text, c: c["no_valid_backend"]["volume_id"] in text,
        ),
        ("resource_type", lambda c: "volume_backup", lambda text, c: "VOLUME_BACKUP" in text),
        ("level", lambda c: "error", lambda text, c: "ERROR" in text),
        ("text", lambda c: "weighted backend", lambda text, c: "weighted backend" in text),
    ],
)
def test_each_filter_narrows_the_table(browser_factory, cloud, field, value_of, check):
    alice = browser_factory("alice")
    set_filter(alice, field, value_of(cloud))
    rows = alice.table_rows("events")
    alice.screenshot(f"filter-{field}")
    assert rows, f"filter {field} found nothing"
    for row in rows:
        described = text_and_links(row)
        assert check(described, cloud), described


def test_request_id_filter_finds_exactly_that_request(browser_factory, cloud):
    alice = browser_factory("alice")
    set_filter(alice, "source", "Block Storage")
    first = alice.table_rows("events")[0]
    message = first.get_attribute("data-object-id")
    request_id = next(w for w in first.text.split() if w.startswith("req-"))
    set_filter(alice, "request_id", request_id)
    rows = alice.table_rows("events")
    # The Cinder message, and the collector's notification of the same request
    # when the failure also published one (the scheduler's do).
    ids = [row.get_attribute("data-object-id") for row in rows]
    assert [i for i in ids if i.startswith("cinder:")] == [message]
    assert set(ids) - {message} <= {i for i in ids if i.startswith("collector:")}
    assert all(request_id in row.text for row in rows)


def test_bad_filter_value_is_explained(browser_factory):
    alice = browser_factory("alice")
    set_filter(alice, "resource_id", "not-a-uuid")
    assert "A resource ID is a UUID" in alice.page_text()
    alice.screenshot("bad-filter")


def test_detail_page_decodes_the_event_id(browser_factory, cloud):
    message_id = cloud["no_valid_backend"]["message_id"]
    alice = browser_factory("alice")
    alice.open(f"{PANEL}cinder:{message_id}/")
    alice.wait_for(".event-viewer-detail")
    text = alice.page_text()
    alice.screenshot("detail")
    assert "SCHEDULE_ALLOCATE_VOLUME" in text
    assert "NO_BACKEND_AVAILABLE" in text
    assert cloud["no_valid_backend"]["volume_id"] in text
    assert "error" in alice.driver.find_element(By.CSS_SELECTOR, ".resource-status").text


def test_detail_of_another_projects_message_is_not_found(browser_factory, cloud):
    alice = browser_factory("alice")
    alice.open(f"{PANEL}cinder:{cloud['beta_message_ids'][0]}/")
    assert (
        "Not Found" in alice.driver.title
        or "404" in alice.page_text()
        or ("not found" in alice.page_text().lower())
    )
    assert cloud["beta_message_ids"][0] not in alice.driver.page_source.split("/cinder:")[0]


def test_single_and_batch_delete_remove_the_messages_from_cinder(browser_factory, cloud):
    alice = browser_factory("alice")
    alice.open(PANEL)
    # Any three messages but the real scheduler failure, which other tests look at.
    real = f"cinder:{cloud['no_valid_backend']['message_id']}"
    ids = [i for i in rows_ids(alice) if i.startswith("cinder:") and i != real][:3]
    # One row, with its own button and Horizon's confirmation.
    row_button = alice.driver.find_element(By.ID, f"events__row_{ids[0]}__action_delete")
    row_button.click()
    confirm_modal(alice)
    alice.wait_for("table#events")
    # Two rows, checked and deleted together.
    for object_id in ids[1:]:
        alice.driver.find_element(
            By.CSS_SELECTOR, f"tr[data-object-id='{object_id}'] .themable-checkbox label"
        ).click()
    batch = alice.driver.find_element(By.ID, "events__action_delete")
    # Selenium scrolls a button to the viewport's top edge, under Horizon's fixed navbar.
    alice.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", batch)
    batch.click()
    confirm_modal(alice)
    alice.wait_for("table#events")
    alice.screenshot("after-delete")
    remaining = cinder_message_ids(cloud, "alice")
    for object_id in ids:
        assert object_id.split(":", 1)[1] not in remaining
        assert object_id not in rows_ids(alice)


def test_delete_all_matching_states_the_count_and_deletes_exactly_those(browser_factory, cloud):
    # The event id most messages share right now (not the real scheduler failure's).
    counts = collections.Counter(
        m["event_id"]
        for m in cinder_messages(cloud, "alice")
        if m["event_id"] != (cloud["no_valid_backend"]["event_id"])
    )
    event_id = counts.most_common(1)[0][0]
    before = cinder_message_ids(cloud, "alice", event_id=event_id)
    assert len(before) >= 2
    alice = browser_factory("alice")
    set_filter(alice, "event_id", event_id)
    alice.driver.find_element(By.ID, "events__action_delete_matching").click()
    count = alice.wait_for(".delete-matching-count")
    alice.screenshot("delete-matching")
    assert f"delete {len(before)} Block Storage messages" in count.text
    others_before = cinder_message_ids(cloud, "alice")
    confirm_modal(alice)
    alice.wait_for("table#events")
    assert cinder_message_ids(cloud, "alice", event_id=event_id) == set()
    assert cinder_message_ids(cloud, "alice") == others_before - before


def test_cinder_outage_still_shows_trove_rows_and_the_error(browser_factory):
    alice = browser_factory("alice")
    devcloud("stop-service", "cinder-api")
    try:
        alice.open(PANEL)
        ids = rows_ids(alice)
        text = alice.page_text()
        alice.screenshot("cinder-down")
    finally:
        devcloud("start-service", "cinder-api")
    assert any(i.startswith("trove:") for i in ids)
    assert not any(i.startswith("cinder:") for i in ids)
    assert "Block Storage (Cinder) is not reachable" in text


def test_alice_cannot_delete_a_beta_message_even_by_forging_the_form(browser_factory, cloud):
    beta_id = cloud["beta_message_ids"][0]
    assert beta_id in cinder_message_ids(cloud, "bob")
    alice = browser_factory("alice")
    set_filter(alice, "source", "Block Storage")
    first = alice.table_rows("events")[0].get_attribute("data-object-id")
    # Point the first row's checkbox at beta's message, as a forged request would.
    alice.driver.execute_script(
        'document.querySelector("input[name=object_ids][value=\'" + arguments[0] + "\']")'
        ".value = arguments[1];",
        first,
        f"cinder:{beta_id}",
    )
    alice.driver.find_element(
        By.CSS_SELECTOR, f"tr[data-object-id='{first}'] .themable-checkbox label"
    ).click()
    alice.driver.find_element(By.ID, "events__action_delete").click()
    confirm_modal(alice)
    alice.wait_for("table#events")
    alice.screenshot("forged-delete")
    # Horizon only acts on rows of the page it rendered; Cinder would answer 404 anyway.
    assert beta_id in cinder_message_ids(cloud, "bob")
    assert first.split(":", 1)[1] in cinder_message_ids(cloud, "alice")


def next_marker_cursors(browser):
    """The Next link of the page and the cursors its marker carries (see event_viewer.paging)."""
    link = browser.driver.find_element(By.CSS_SELECTOR, "a[href*='?marker=']")
    href = link.get_attribute("href")
    text = parse_qs(urlsplit(href).query)["marker"][0]
    return href, json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))["c"]


def delete_in_cinder(cloud, user, message_id):
    response = api_session(cloud, user).delete(
        f"/messages/{message_id}",
        endpoint_filter={"service_type": "volumev3", "interface": "public"},
        headers={"OpenStack-API-Version": "volume 3.30"},
    )
    assert response.status_code == 204, response.text


def test_a_page_link_whose_message_is_gone_restarts_block_storage_at_its_first_page(
    browser_factory, cloud
):
    # Real Cinder answers a list whose marker message is gone with 404
    # MessageNotFound: the page says the link is stale and starts Cinder over.
    alice = browser_factory("alice")
    alice.open(f"{PANEL}?filter_field=source&filter=cinder")
    first_page = rows_ids(alice)
    href, cursors = next_marker_cursors(alice)
    gone = cursors["cinder"]
    assert f"cinder:{gone}" == first_page[-1]
    delete_in_cinder(cloud, "alice", gone)
    alice.open(href.removeprefix(alice.base_url))
    ids = rows_ids(alice)
    text = alice.page_text()
    alice.screenshot("stale-page-link")
    assert "That page link is no longer valid for Block Storage" in text
    assert "Server Error" not in text
    # Cinder's first page again: the first page seen, without the deleted message.
    assert ids[: len(first_page) - 1] == [i for i in first_page if i != f"cinder:{gone}"]
    assert all(i.startswith("cinder:") for i in ids)


def test_delete_all_matching_deletes_only_what_was_confirmed_when_the_filter_changes(
    browser_factory, cloud
):
    messages = cinder_messages(cloud, "alice")
    real = cloud["no_valid_backend"]["message_id"]
    per_resource = collections.Counter(m["resource_uuid"] for m in messages)
    target = next(
        m
        for m in messages
        if m["id"] != real and m["resource_uuid"] and per_resource[m["resource_uuid"]] == 1
    )
    before = cinder_message_ids(cloud, "alice")
    assert len(before) >= 2
    alice = browser_factory("alice")
    set_filter(alice, "resource_id", target["resource_uuid"])
    alice.driver.find_element(By.ID, "events__action_delete_matching").click()
    count = alice.wait_for(".delete-matching-count")
    assert "This will delete 1 Block Storage message" in count.text
    alice.screenshot("confirm-one")
    # Another tab widens the filter to every message before the user confirms.
    confirming = alice.driver.current_window_handle
    alice.driver.switch_to.new_window("tab")
    set_filter(alice, "source", "Block Storage")
    assert len(rows_ids(alice)) > 1
    alice.driver.close()
    alice.driver.switch_to.window(confirming)
    confirm_modal(alice)
    alice.wait_for("table#events")
    alice.screenshot("after-confirm")
    # Only the confirmed message is gone from Cinder.
    assert cinder_message_ids(cloud, "alice") == before - {target["id"]}
