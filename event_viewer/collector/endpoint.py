"""The listener's endpoint: one batch of notifications in, acknowledge or requeue out.

oslo.messaging hands :class:`NotificationEndpoint` a batch of notifications of
one priority; the batch is acknowledged when the endpoint returns and requeued
when it returns ``REQUEUE``. So a batch is acknowledged only after its
transaction committed. Two kinds of failure are told apart:

- **One notification is bad** (:func:`~event_viewer.collector.notifications.parse`
  rejects or trips over it, its row cannot be built, the database or its driver
  refuses one of its values): that notification alone is logged with its message
  id, counted and acknowledged, and the rest of its batch is stored. Redelivering
  it would not mend it, and keeping it would stall every notification behind it.
- **The database is unavailable** (it refuses connections, is locked, times
  out): nothing is lost. The endpoint keeps the batch (unacknowledged, so still
  on the queue) and retries for ``db_retry_seconds``, then hands it back to the
  queue. Every wait comes from one :class:`Backoff` per process that keeps
  growing while the database stays down, including the wait before a batch goes
  back (the broker redelivers a requeued batch at once), so a long outage is
  never a hot loop.
"""

import dataclasses
import logging
import threading
import time
import traceback

import oslo_messaging
from django import db

from event_viewer.collector import notifications, store

LOG = logging.getLogger(__name__)

# MySQL/MariaDB errors about a value rather than the server. PyMySQL reports the
# codes it does not know (e.g. 1292 "Incorrect datetime value") as
# OperationalError, the class of a server that went away.
_MYSQL_VALUE_ERRORS = frozenset({1264, 1265, 1292, 1300, 1366, 1367, 1406})
# PostgreSQL SQLSTATE classes about a value: 22 data exception, 23 integrity
# constraint violation, 54 program limit exceeded (e.g. an index row too big).
_POSTGRESQL_VALUE_CLASSES = frozenset({"22", "23", "54"})


@dataclasses.dataclass
class Stats:
    """What one collector process did since it started (logged, and in its GMR)."""

    received: int = 0
    stored: int = 0
    ignored: int = 0
    malformed: int = 0
    rejected: int = 0
    database_errors: int = 0
    requeued: int = 0
    reaped: int = 0
    reports: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()

    def add(self, **counts):
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def as_text(self):
        with self._lock:
            return "\n".join(
                f"{field.name}: {getattr(self, field.name)}" for field in dataclasses.fields(self)
            )


class Backoff:
    """Seconds to wait before the next try: doubling from ``first`` up to ``most``.

    One per process, shared by its threads: while the database stays down every
    batch waits longer than the last, and the first batch that commits resets it.
    """

    def __init__(self, first=0.5, most=30.0):
        self.first, self.most = first, most
        self._delay = first
        self._lock = threading.Lock()

    def next(self):
        with self._lock:
            delay, self._delay = self._delay, min(self._delay * 2, self.most)
            return delay

    def reset(self):
        with self._lock:
            self._delay = self.first


class DatabaseUnavailable(Exception):
    """The database could not take a write; the error that said so is the cause."""


class NotificationEndpoint:
    """Parses a batch, writes it in one transaction, and says whether to acknowledge it.

    ``sleep`` and ``clock`` are injectable (the tests use a fake clock); the
    collector passes its stop event's ``wait`` as ``sleep`` and the event as
    ``stopping``, so that a stop does not wait out a back-off.
    """

    def __init__(
        self,
        ttl_seconds,
        db_retry_seconds,
        stats,
        write=None,
        sleep=time.sleep,
        clock=time.monotonic,
        backoff=None,
        stopping=None,
    ):
        self.ttl_seconds = ttl_seconds
        self.db_retry_seconds = db_retry_seconds
        self.stats = stats
        self._store = write or store.write_batch
        self._sleep = sleep
        self._clock = clock
        self.backoff = backoff or Backoff()
        self._stopping = stopping or threading.Event()

    def critical(self, messages):
        return self._handle("critical", messages)

    def error(self, messages):
        return self._handle("error", messages)

    def warn(self, messages):
        return self._handle("warn", messages)

    def info(self, messages):
        return self._handle("info", messages)

    def _handle(self, priority, messages):
        # Every log call below is made outside its ``except`` block: oslo.log adds
        # the active exception's text to warnings, and that text may quote a
        # notification before its secrets were taken out.
        try:
            records = self._parse_all(priority, messages)
            return self._write(records) if records else None
        except Exception as error:
            fault = error
        # A fault of ours, not of one notification (those are handled below):
        # nothing is lost, and the wait keeps it from looping hot.
        delay = self.backoff.next()
        count = len(messages) if isinstance(messages, list) else 0
        LOG.error(
            "Could not handle %d %s notifications (%s); they go back to the queue in %.1f s. "
            "Where:\n%s",
            count,
            priority,
            type(fault).__name__,
            delay,
            _stack(fault),
        )
        self.stats.add(requeued=count)
        self._sleep(delay)
        return oslo_messaging.NotificationResult.REQUEUE

    def _parse_all(self, priority, messages):
        records, ignored = [], 0
        for message in messages:
            record = failure = None
            try:
                record = notifications.parse(priority, message)
            except notifications.MalformedNotification as error:
                failure = _loggable(error, 500)
            except Exception as error:
                # Where, not what: the error's text may quote the notification.
                failure = f"it could not be read ({type(error).__name__} at {_where(error)})"
            if failure is not None:
                self.stats.add(malformed=1)
                LOG.warning(
                    "Skipped a malformed %s notification (message id %s): %s",
                    priority,
                    _message_id(message),
                    failure,
                )
            elif record is None:
                ignored += 1
                LOG.debug(
                    "Ignored %s notification %s (message id %s): neither a failure nor part of "
                    "an operation",
                    priority,
                    _loggable(message.get("event_type"), 255),
                    _message_id(message),
                )
            else:
                records.append(record)
        self.stats.add(received=len(messages), ignored=ignored)
        return records

    def _write(self, records):
        deadline = self._clock() + self.db_retry_seconds
        while True:
            try:
                stored, rejected = self._write_all(records)
            except DatabaseUnavailable as unavailable:
                error = unavailable.__cause__
            else:
                self.backoff.reset()
                self.stats.add(stored=stored, rejected=rejected)
                return None
            self.stats.add(database_errors=1)
            _drop_broken_connections()
            delay = self.backoff.next()
            if self._stopping.is_set() or self._clock() + delay > deadline:
                return self._requeue(records, error, delay)
            LOG.error(
                "Database down (%s): %d notifications wait on the queue; retry in %.1f s",
                error,
                len(records),
                delay,
            )
            self._sleep(delay)

    def _requeue(self, records, error, delay):
        self.stats.add(requeued=len(records))
        if self._stopping.is_set():
            LOG.error(
                "Stopping while the database is down (%s): %d notifications go back to the queue",
                error,
                len(records),
            )
        else:
            # The broker redelivers a requeued batch at once: wait here, or an
            # outage longer than db_retry_seconds becomes a hot loop.
            LOG.error(
                "Database unavailable (%s): %d notifications go back to the queue in %.1f s",
                error,
                len(records),
                delay,
            )
            self._sleep(delay)
        return oslo_messaging.NotificationResult.REQUEUE

    def _write_all(self, records):
        """(stored, rejected): the batch at once, else one by one to find what is refused."""
        try:
            self._store(records, self.ttl_seconds)
            return len(records), 0
        except Exception as error:
            if _database_unavailable(error):
                raise DatabaseUnavailable() from error
            refused = type(error).__name__
        if len(records) > 1:
            LOG.warning(
                "A batch of %d notifications could not be stored (%s); storing them one by one",
                len(records),
                refused,
            )
        return self._write_one_by_one(records)

    def _write_one_by_one(self, records):
        stored = rejected = 0
        for record in records:
            try:
                self._store([record], self.ttl_seconds)
                stored += 1
                continue
            except Exception as error:
                if _database_unavailable(error):
                    raise DatabaseUnavailable() from error
                # A refusal by the database says what it refused; of anything
                # else, where it was raised (the record is stored scrubbed, but
                # an error of ours is better found by its place).
                why = f"{type(error).__name__}: {_loggable(error, 500)}"
                if not isinstance(error, db.Error):
                    why += f" at {_where(error)}"
            rejected += 1
            LOG.warning(
                "Skipped notification %s (%s): it cannot be stored (%s)",
                _loggable(record.message_id),
                _loggable(record.event_type, 255),
                why,
            )
        return stored, rejected


def _database_unavailable(error):
    """Whether ``error`` says the database cannot write now (rather than refusing a value)."""
    if not isinstance(error, db.Error) or isinstance(error, (db.DataError, db.IntegrityError)):
        return False
    cause = error.__cause__ or error
    pgcode = getattr(cause, "pgcode", None)
    if isinstance(pgcode, str) and pgcode[:2] in _POSTGRESQL_VALUE_CLASSES:
        return False
    args = getattr(cause, "args", ())
    return not (args and isinstance(args[0], int) and args[0] in _MYSQL_VALUE_ERRORS)


def _drop_broken_connections():
    """Close this thread's database connections that no longer work: the next try reconnects."""
    for connection in db.connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()


def _message_id(message):
    metadata = message.get("metadata") if isinstance(message, dict) else None
    return _loggable(metadata.get("message_id", "?") if isinstance(metadata, dict) else "?")


def _stack(error):
    """The frames ``error`` went through, without its message (which may quote data)."""
    return "".join(traceback.format_tb(error.__traceback__)).rstrip() or "?"


def _where(error):
    """``file:line in function`` where ``error`` was raised."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"


def _loggable(value, limit=80):
    """``value`` cut short, with what a UTF-8 log cannot hold (lone surrogates) escaped."""
    return str(value)[:limit].encode("utf-8", "backslashreplace").decode("utf-8")
