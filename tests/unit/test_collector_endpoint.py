"""The listener's endpoint: what it acknowledges, requeues, counts and logs."""

import logging

import oslo_messaging
import pytest
from django import db

from event_viewer.collector import store
from event_viewer.collector.listener import NotificationEndpoint, Stats
from event_viewer.models import ServiceEvent
from tests.unit.notification_samples import notification, scheduler_failure

pytestmark = pytest.mark.django_db


class FlakyStore:
    """The real store, behind a database that is down for the first ``failures`` writes."""

    def __init__(self, failures):
        self.failures = failures
        self.calls = 0

    def __call__(self, records, ttl_seconds):
        self.calls += 1
        if self.calls <= self.failures:
            raise db.OperationalError("could not connect to server: Connection refused")
        return store.write_batch(records, ttl_seconds)


def endpoint(write=None, retry_seconds=60):
    sleeps = []
    ep = NotificationEndpoint(86400, retry_seconds, Stats(), write=write, sleep=sleeps.append)
    return ep, sleeps


def test_malformed_notifications_are_counted_logged_and_the_rest_stored(caplog):
    ep, _sleeps = endpoint()
    bad = {**scheduler_failure(), "event_type": None}
    with caplog.at_level(logging.WARNING, logger="event_viewer.collector.listener"):
        result = ep.error([bad, scheduler_failure()])
    assert result is None  # acknowledged: redelivering it would not mend it
    assert ServiceEvent.objects.count() == 1
    assert (ep.stats.received, ep.stats.stored, ep.stats.malformed) == (2, 1, 1)
    assert "Skipped a malformed error notification" in caplog.text
    assert "no event_type" in caplog.text


def test_plain_info_notifications_are_ignored_not_stored():
    ep, _sleeps = endpoint()
    assert ep.info([notification("volume.usage")]) is None
    assert ServiceEvent.objects.count() == 0
    assert ep.stats.ignored == 1


def test_database_down_keeps_the_batch_and_retries_until_it_is_stored(caplog):
    flaky = FlakyStore(failures=2)
    ep, sleeps = endpoint(write=flaky)
    with caplog.at_level(logging.ERROR, logger="event_viewer.collector.listener"):
        result = ep.error([scheduler_failure(), scheduler_failure()])
    assert result is None
    assert ServiceEvent.objects.count() == 2
    assert sleeps == [0.5, 1.0]
    assert ep.stats.database_errors == 2
    assert "Database down" in caplog.text and "2 notifications wait on the queue" in caplog.text


def test_database_down_too_long_hands_the_batch_back_to_the_queue(caplog):
    ep, _sleeps = endpoint(write=FlakyStore(failures=99), retry_seconds=0)
    with caplog.at_level(logging.ERROR, logger="event_viewer.collector.listener"):
        result = ep.error([scheduler_failure()])
    assert result == oslo_messaging.NotificationResult.REQUEUE
    assert ServiceEvent.objects.count() == 0
    assert ep.stats.requeued == 1
    assert "1 notifications go back to the queue" in caplog.text


def test_a_row_the_database_refuses_is_skipped_alone(caplog):
    def refuse_one(records, ttl_seconds):
        if any(r.resource_name == "refused" for r in records):
            raise db.DataError("value too long")
        return store.write_batch(records, ttl_seconds)

    ep, _sleeps = endpoint(write=refuse_one)
    refused = notification("volume.create.error", payload={"display_name": "refused"})
    with caplog.at_level(logging.WARNING, logger="event_viewer.collector.listener"):
        assert ep.error([refused, scheduler_failure()]) is None
    assert ServiceEvent.objects.count() == 1
    assert (ep.stats.stored, ep.stats.rejected) == (1, 1)
    assert "refused notification" in caplog.text
