"""The collector's writes and the reaper, on the real database the tests run on.

Run on SQLite by default and on PostgreSQL / MariaDB with EVENT_VIEWER_TEST_DB
(tools/run-tests does both where a server answers).
"""

import datetime

import pytest
from django.utils import timezone

from event_viewer.collector import store
from event_viewer.collector.notifications import parse
from event_viewer.models import ServiceEvent
from tests.unit.notification_samples import notification, scheduler_failure
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
        "volume.create.start", request_id="req-a", timestamp="2026-11-22 10:00:00", payload={}
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
