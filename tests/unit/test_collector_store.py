"""The collector's writes and the reaper, on the real database the tests run on.

Run on SQLite by default and on PostgreSQL / MariaDB with EVENT_VIEWER_TEST_DB
(tools/run-tests does both where a server answers).
"""

import dataclasses
import datetime

import pytest
from django.utils import timezone

from event_viewer.collector import store
from event_viewer.collector.notifications import parse
from event_viewer.models import ServiceEvent
from tests.unit.notification_samples import captured, notification, scheduler_failure
from tests.unit.rows import service_events

pytestmark = pytest.mark.django_db
DAY = 86400


def records(*pairs):
    return [parse(priority, message) for priority, message in pairs]


def test_a_redelivered_notification_is_stored_once():
    failure = scheduler_failure()
    store.write_batch(records(("error", failure)), DAY)
    store.write_batch(records(("error", failure), ("error", failure)), DAY)
    assert ServiceEvent.objects.count() == 1


def test_start_and_error_in_two_batches_make_one_failed_operation():
    start = notification(
        "volume.create.start",
        request_id="req-a",
        timestamp="2026-11-22 10:00:00",
        payload={"volume_id": "v-1"},  # Cinder's .start names the volume too
    )
    error = notification(
        "volume.create.error",
        request_id="req-a",
        timestamp="2026-11-22 10:00:05",
        publisher_id="volume.node-7",
        payload={"volume_id": "v-1", "reason": "backend gone", "traceback": "Traceback: boom"},
    )
    store.write_batch(records(("info", start)), DAY)
    assert ServiceEvent.objects.get().outcome == "in_progress"
    store.write_batch(records(("error", error)), DAY)
    row = ServiceEvent.objects.get()
    assert (row.outcome, row.level, row.event_type) == ("fail", "ERROR", "volume.create.error")
    assert row.created_at == datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC)
    assert row.finished_at == datetime.datetime(2026, 11, 22, 10, 0, 5, tzinfo=datetime.UTC)
    assert (row.host, row.summary, row.traceback) == ("node-7", "backend gone", "Traceback: boom")
    assert row.resource_id == "v-1"
    assert row.expires_at == row.created_at + datetime.timedelta(days=1)


def test_a_late_start_does_not_undo_the_outcome_and_moves_the_start_back():
    end = notification("volume.create.end", request_id="req-b", timestamp="2026-11-22 10:00:09")
    start = notification("volume.create.start", request_id="req-b", timestamp="2026-11-22 10:00:01")
    store.write_batch(records(("info", end)), DAY)
    store.write_batch(records(("info", start)), DAY)
    row = ServiceEvent.objects.get()
    assert row.outcome == "pass"
    assert row.created_at.second == 1
    assert row.finished_at.second == 9


def test_one_batch_with_a_whole_operation_and_standalone_failures():
    batch = records(
        ("info", notification("volume.delete.start", request_id="req-c")),
        ("info", notification("volume.delete.end", request_id="req-c")),
        ("error", scheduler_failure()),
        ("error", scheduler_failure()),
    )
    assert store.write_batch(batch, DAY) == 4
    assert ServiceEvent.objects.count() == 3
    assert ServiceEvent.objects.get(request_id="req-c").outcome == "pass"


def test_ttl_minus_one_keeps_events_forever():
    store.write_batch(records(("error", scheduler_failure())), -1)
    assert ServiceEvent.objects.get().expires_at is None


def test_nul_characters_are_stored():
    message = notification("volume.create.error", payload={"reason": "bad\x00byte"})
    store.write_batch(records(("error", message)), DAY)
    assert ServiceEvent.objects.get().summary == "bad\ufffdbyte"


# --- No timestamp or TTL makes the date arithmetic overflow (issue 9, item 4) ---------------

END_OF_CALENDAR = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)
START_OF_CALENDAR = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


def _at(record, moment):
    """The record as if its notification said ``moment`` (whatever parse accepts or not)."""
    return dataclasses.replace(record, created_at=moment)


def test_an_expiry_past_the_end_of_the_calendar_is_clamped():
    (record,) = records(("error", scheduler_failure()))
    store.write_batch([_at(record, END_OF_CALENDAR)], DAY)
    row = ServiceEvent.objects.get()
    assert row.created_at == END_OF_CALENDAR
    assert row.expires_at == store.LATEST_EXPIRY


@pytest.mark.parametrize("ttl", [10**12, 10**15, 10**18])
def test_an_absurd_ttl_is_clamped_not_an_overflow(ttl):
    """10**15 s is past timedelta's range, 10**12 s past the calendar's."""
    store.write_batch(records(("error", scheduler_failure())), ttl)
    assert ServiceEvent.objects.get().expires_at == store.LATEST_EXPIRY


def test_a_start_at_the_beginning_of_the_calendar_does_not_overflow_the_shift():
    """The operation's expiry moves back with its start; it stays inside the calendar.

    (An expiry clamped at the end of the calendar is earlier than its start: moving
    it back by the whole calendar would overflow.)"""
    end = notification("volume.create.end", request_id="req-cal")
    start = notification("volume.create.start", request_id="req-cal")
    (end_record,) = records(("info", end))
    (start_record,) = records(("info", start))
    store.write_batch([_at(end_record, END_OF_CALENDAR)], DAY)
    store.write_batch([_at(start_record, START_OF_CALENDAR)], DAY)
    row = ServiceEvent.objects.get()
    assert (row.created_at, row.outcome) == (START_OF_CALENDAR, "pass")
    assert row.expires_at == store.EARLIEST_EXPIRY


def _expired_rows(count, expires_at):
    created_at = expires_at - datetime.timedelta(days=30)
    service_events({"created_at": created_at, "expires_at": expires_at} for _ in range(count))


def test_reap_deletes_expired_rows_in_batches_and_keeps_the_rest():
    now = timezone.now()
    _expired_rows(2500, now - datetime.timedelta(hours=1))
    _expired_rows(10, now + datetime.timedelta(hours=1))
    store.write_batch(records(("error", scheduler_failure())), -1)  # never expires
    batches = []
    deleted = store.reap(1000, now=now, on_batch=lambda n, seconds: batches.append(n))
    assert deleted == 2500
    assert batches == [1000, 1000, 500]
    assert ServiceEvent.objects.count() == 11
    assert store.reap(1000, now=now) == 0


def _trove_create(order):
    """The recorded Trove create: its .start names no instance, its .end does."""
    start = captured("trove_api_instance_create_ok_start")
    end = captured("trove_api_instance_create_ok_end")
    return [start, end] if order == "start first" else [end, start]


@pytest.mark.parametrize("order", ["start first", "end first"])
@pytest.mark.parametrize("batches", ["one batch", "two batches"])
def test_a_start_without_its_resource_joins_the_operation_its_end_names(order, batches):
    pairs = _trove_create(order)
    if batches == "one batch":
        store.write_batch(records(*pairs), DAY)
    else:
        for pair in pairs:
            store.write_batch(records(pair), DAY)
    row = ServiceEvent.objects.get()
    assert (row.outcome, row.resource_type) == ("pass", "DATABASE_INSTANCE")
    assert row.resource_id and row.operation_key.endswith("|" + row.resource_id)
    # The operation began with its .start, whichever arrived first.
    start = parse(*pairs[0 if order == "start first" else 1])
    assert row.created_at == start.created_at


def test_a_start_without_a_resource_stays_apart_where_its_request_names_two():
    start = notification("compute.instance.create.start", request_id="req-multi", payload={})
    ends = [
        notification(
            "compute.instance.create.end",
            request_id="req-multi",
            payload={"instance_id": instance},
        )
        for instance in ("i-1", "i-2")
    ]
    store.write_batch(records(("info", start), *(("info", end) for end in ends)), DAY)
    rows = {row.resource_id: row.outcome for row in ServiceEvent.objects.all()}
    # Two servers, two rows; the start cannot say which it was, so it joins neither.
    assert rows == {"i-1": "pass", "i-2": "pass", "": "in_progress"}


def test_the_exception_class_of_the_error_is_kept_when_it_joins_its_start():
    start = notification(
        "compute.instance.create.start", request_id="req-x", payload={"instance_id": "i-9"}
    )
    error = notification(
        "compute.instance.create.error",
        request_id="req-x",
        timestamp="2026-11-22 10:00:09",
        payload={"instance_id": "i-9", "exception": "BuildAbortException", "message": "boom"},
    )
    store.write_batch(records(("info", start)), DAY)
    store.write_batch(records(("error", error)), DAY)
    row = ServiceEvent.objects.get()
    assert (row.outcome, row.exception) == ("fail", "BuildAbortException")
