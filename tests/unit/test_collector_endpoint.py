"""The listener's endpoint: what it acknowledges, requeues, counts and logs."""

import logging
import threading

import oslo_messaging
import pytest
from django import db

from event_viewer.collector import notifications, store
from event_viewer.collector.listener import NotificationEndpoint, Stats
from event_viewer.models import ServiceEvent
from tests.unit.notification_samples import notification, scheduler_failure

pytestmark = pytest.mark.django_db
LOGGER = "event_viewer.collector.endpoint"


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


class FakeClock:
    """A monotonic clock that only moves when the endpoint sleeps; it records the sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def endpoint(write=None, retry_seconds=60, **kwargs):
    clock = FakeClock()
    ep = NotificationEndpoint(
        86400, retry_seconds, Stats(), write=write, sleep=clock.sleep, clock=clock, **kwargs
    )
    return ep, clock.sleeps


def test_malformed_notifications_are_counted_logged_and_the_rest_stored(caplog):
    ep, _sleeps = endpoint()
    bad = {**scheduler_failure(), "event_type": None}
    with caplog.at_level(logging.WARNING, logger=LOGGER):
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
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        result = ep.error([scheduler_failure(), scheduler_failure()])
    assert result is None
    assert ServiceEvent.objects.count() == 2
    assert sleeps == [0.5, 1.0]
    assert ep.stats.database_errors == 2
    assert "Database down" in caplog.text and "2 notifications wait on the queue" in caplog.text


def test_database_down_too_long_hands_the_batch_back_to_the_queue(caplog):
    ep, _sleeps = endpoint(write=FlakyStore(failures=99), retry_seconds=0)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        result = ep.error([scheduler_failure()])
    assert result == oslo_messaging.NotificationResult.REQUEUE
    assert ServiceEvent.objects.count() == 0
    assert ep.stats.requeued == 1
    assert "1 notifications go back to the queue in 0.5 s" in caplog.text


def test_a_row_the_database_refuses_is_skipped_alone(caplog):
    def refuse_one(records, ttl_seconds):
        if any(r.resource_name == "refused" for r in records):
            raise db.DataError("value too long")
        return store.write_batch(records, ttl_seconds)

    ep, _sleeps = endpoint(write=refuse_one)
    refused = notification("volume.create.error", payload={"display_name": "refused"})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert ep.error([refused, scheduler_failure()]) is None
    assert ServiceEvent.objects.count() == 1
    assert (ep.stats.stored, ep.stats.rejected) == (1, 1)
    assert f"Skipped notification {refused['metadata']['message_id']}" in caplog.text
    assert "DataError: value too long" in caplog.text


# --- One notification never stalls the rest (issue 9, item 4) ---------------------------


def _ids(*messages):
    return {m["metadata"]["message_id"] for m in messages}


def test_a_lone_surrogate_the_driver_cannot_encode_skips_that_notification_alone(caplog):
    """Every driver (sqlite3, psycopg2, PyMySQL) refuses to encode U+D800 to UTF-8."""
    poison = notification("volume.create.error", payload={"reason": "bad \ud800 text"})
    good = [scheduler_failure(), scheduler_failure()]
    ep, _sleeps = endpoint()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        result = ep.error([good[0], poison, good[1]])
    assert result is None  # acknowledged, the poison included: redelivery would not mend it
    assert set(ServiceEvent.objects.values_list("message_id", flat=True)) == _ids(*good)
    assert (ep.stats.received, ep.stats.stored, ep.stats.rejected) == (3, 2, 1)
    assert f"Skipped notification {poison['metadata']['message_id']}" in caplog.text
    assert "UnicodeEncodeError" in caplog.text


def test_any_error_building_one_row_skips_that_notification_alone(caplog):
    def overflow_on_one(records, ttl_seconds):
        if any(r.resource_name == "poison" for r in records):
            raise OverflowError("date value out of range")
        return store.write_batch(records, ttl_seconds)

    poison = notification("volume.create.error", payload={"display_name": "poison"})
    good = scheduler_failure()
    ep, sleeps = endpoint(write=overflow_on_one)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert ep.error([poison, good]) is None
    assert list(ServiceEvent.objects.values_list("message_id", flat=True)) == list(_ids(good))
    assert (ep.stats.stored, ep.stats.rejected, ep.stats.requeued) == (1, 1, 0)
    assert sleeps == []  # no retry, no wait: the database was never the problem
    assert "OverflowError: date value out of range" in caplog.text


def test_parse_raising_anything_skips_that_notification_alone(monkeypatch, caplog):
    real_parse = notifications.parse

    def parse(priority, message):
        if message["event_type"] == "volume.poison.error":
            raise KeyError("gAAAAA-a-token-quoted-by-the-error")
        return real_parse(priority, message)

    monkeypatch.setattr(notifications, "parse", parse)
    poison = notification("volume.poison.error")
    ep, _sleeps = endpoint()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert ep.error([poison, scheduler_failure()]) is None
    assert ServiceEvent.objects.count() == 1
    assert (ep.stats.malformed, ep.stats.stored) == (1, 1)
    assert poison["metadata"]["message_id"] in caplog.text and "KeyError at " in caplog.text
    assert "gAAAAA" not in caplog.text  # what the error quotes is not logged


def test_the_collector_log_never_quotes_what_an_unexpected_error_quotes(monkeypatch):
    """oslo.log adds the active exception's text to every warning logged inside an
    ``except`` block: the endpoint logs outside them, with the error's place only."""
    import io

    from oslo_config import cfg
    from oslo_log import formatters
    from oslo_log import log as oslo_log

    def parse(priority, message):
        # (Not a KeyError/ValueError/TypeError: oslo.log leaves those out.)
        raise RuntimeError("gAAAAA-a-token-quoted-by-the-error")

    monkeypatch.setattr(notifications, "parse", parse)
    conf = cfg.ConfigOpts()
    oslo_log.register_options(conf)
    conf([])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatters.ContextFormatter(config=conf))
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    try:
        ep, _sleeps = endpoint()
        assert ep.error([notification("volume.create.error")]) is None
    finally:
        logger.removeHandler(handler)
    assert "Skipped a malformed error notification" in stream.getvalue()
    assert "gAAAAA" not in stream.getvalue()


def test_a_timestamp_at_the_end_of_the_calendar_does_not_stall_the_batch():
    """``created_at + ttl`` overflowed outside any try: the batch was requeued forever."""
    poison = scheduler_failure()
    poison["metadata"]["timestamp"] = "9999-12-31 23:59:59.999999"
    good = [scheduler_failure(), scheduler_failure()]
    ep, _sleeps = endpoint()
    assert ep.error([good[0], poison, good[1]]) is None
    stored = set(ServiceEvent.objects.values_list("message_id", flat=True))
    assert _ids(*good) <= stored
    # Either parse calls it malformed, or it is stored with an expiry inside the calendar.
    assert ep.stats.malformed + ep.stats.stored == 3
    assert all(
        e <= store.LATEST_EXPIRY for e in ServiceEvent.objects.values_list("expires_at", flat=True)
    )


def test_a_value_mysql_refuses_as_operational_error_skips_one_notification():
    """PyMySQL reports e.g. 1292 "Incorrect datetime value" as OperationalError."""

    def refuse_one(records, ttl_seconds):
        if any(r.resource_name == "poison" for r in records):
            raise db.OperationalError(1292, "Incorrect datetime value: '0000-00-00'")
        return store.write_batch(records, ttl_seconds)

    ep, sleeps = endpoint(write=refuse_one)
    poison = notification("volume.create.error", payload={"display_name": "poison"})
    assert ep.error([poison, scheduler_failure()]) is None
    assert (ep.stats.stored, ep.stats.rejected, ep.stats.database_errors) == (1, 1, 0)
    assert sleeps == []


def test_the_database_going_down_while_storing_one_by_one_loses_nothing():
    """A refused value sends the batch one by one; an outage then is no record's fault."""

    class RefusedThenDown:
        calls = 0

        def __call__(self, records, ttl_seconds):
            self.calls += 1
            if self.calls == 1:
                raise db.DataError("value too long")  # the whole batch: go one by one
            if self.calls == 3:
                raise db.OperationalError(2013, "Lost connection to server during query")
            return store.write_batch(records, ttl_seconds)

    batch = [scheduler_failure() for _ in range(3)]
    ep, sleeps = endpoint(write=RefusedThenDown())
    assert ep.error(batch) is None
    assert set(ServiceEvent.objects.values_list("message_id", flat=True)) == _ids(*batch)
    assert (ep.stats.stored, ep.stats.rejected, ep.stats.database_errors) == (3, 0, 1)
    assert sleeps == [0.5]


# --- A requeued batch backs off (issue 9, item 4) -----------------------------------------


def test_a_requeued_batch_waits_longer_each_time_while_the_database_stays_down():
    """The broker redelivers a requeued batch at once: without a wait that is a hot loop."""
    flaky = FlakyStore(failures=5)
    ep, sleeps = endpoint(write=flaky, retry_seconds=0)
    for _ in range(5):
        assert ep.error([scheduler_failure()]) == oslo_messaging.NotificationResult.REQUEUE
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert ep.error([scheduler_failure()]) is None  # the database is back
    flaky.failures = flaky.calls + 1  # and down again: the waits start small again
    assert ep.error([scheduler_failure()]) == oslo_messaging.NotificationResult.REQUEUE
    assert sleeps[5:] == [0.5]


def test_the_waits_grow_to_thirty_seconds_at_most():
    ep, sleeps = endpoint(write=FlakyStore(failures=999), retry_seconds=0)
    for _ in range(12):
        ep.error([scheduler_failure()])
    assert max(sleeps) == 30.0 and sleeps[-3:] == [30.0, 30.0, 30.0]


def test_a_batch_is_held_for_db_retry_seconds_then_requeued_after_one_more_wait():
    ep, sleeps = endpoint(write=FlakyStore(failures=999), retry_seconds=10)
    assert ep.error([scheduler_failure()]) == oslo_messaging.NotificationResult.REQUEUE
    # 0.5 + 1 + 2 + 4 = 7.5 s held; the next wait (8 s) would pass the 10 s, so the
    # batch goes back to the queue after it, not at once.
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert ep.stats.database_errors == 5


def test_stopping_hands_a_held_batch_back_at_once():
    stopping = threading.Event()
    stopping.set()
    ep, sleeps = endpoint(write=FlakyStore(failures=999), stopping=stopping)
    assert ep.error([scheduler_failure()]) == oslo_messaging.NotificationResult.REQUEUE
    assert sleeps == []


def test_an_unexpected_fault_requeues_the_batch_after_a_wait(caplog):
    ep, sleeps = endpoint()
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        assert ep.error(None) == oslo_messaging.NotificationResult.REQUEUE  # not a list
    assert sleeps == [0.5]
    assert "go back to the queue in 0.5 s" in caplog.text
