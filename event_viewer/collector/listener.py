"""The collector process: a batch notification listener that stores what it hears.

oslo.messaging hands :class:`NotificationEndpoint` a batch of notifications of
one priority; the batch is acknowledged when the endpoint returns and requeued
when it returns ``REQUEUE``. So a batch is acknowledged only after its
transaction committed; while the database is down the endpoint keeps the batch
(unacknowledged, so still on the queue) and retries, and after
``db_retry_seconds`` hands it back to the queue. Malformed notifications are
counted, logged and acknowledged: redelivering them would not mend them.

Several collector processes (on one node or many) with the same ``pool`` share
one queue, each notification going to one of them.
"""

import dataclasses
import logging
import signal
import threading
import time

import oslo_messaging
from django import db

from event_viewer.collector import notifications, store

LOG = logging.getLogger(__name__)

# Priorities the collector subscribes to: failures, warnings, and info for the
# .start/.end of operations (which give the outcome "pass").
PRIORITIES = ("critical", "error", "warn", "info")


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


class NotificationEndpoint:
    """Parses a batch, writes it in one transaction, and says whether to acknowledge it."""

    def __init__(self, ttl_seconds, db_retry_seconds, stats, write=None, sleep=time.sleep):
        self.ttl_seconds = ttl_seconds
        self.db_retry_seconds = db_retry_seconds
        self.stats = stats
        self._store = write or store.write_batch
        self._sleep = sleep

    def critical(self, messages):
        return self._handle("critical", messages)

    def error(self, messages):
        return self._handle("error", messages)

    def warn(self, messages):
        return self._handle("warn", messages)

    def info(self, messages):
        return self._handle("info", messages)

    def _handle(self, priority, messages):
        records, ignored = [], 0
        for message in messages:
            try:
                record = notifications.parse(priority, message)
            except notifications.MalformedNotification as error:
                self.stats.add(malformed=1)
                LOG.warning(
                    "Skipped a malformed %s notification (message id %s): %s",
                    priority,
                    _message_id(message),
                    error,
                )
                continue
            if record is None:
                ignored += 1
            else:
                records.append(record)
        self.stats.add(received=len(messages), ignored=ignored)
        if not records:
            return None
        return self._write(records)

    def _write(self, records):
        deadline = time.monotonic() + self.db_retry_seconds
        delay = 0.5
        while True:
            try:
                self._store(records, self.ttl_seconds)
            except (db.DataError, db.IntegrityError) as error:
                LOG.warning("The database refused a batch (%s); storing it one by one", error)
                self._write_one_by_one(records)
                return None
            except db.Error as error:
                self.stats.add(database_errors=1)
                _drop_broken_connections()
                if time.monotonic() + delay > deadline:
                    self.stats.add(requeued=len(records))
                    LOG.error(
                        "Database unavailable (%s): %d notifications go back to the queue",
                        error,
                        len(records),
                    )
                    return oslo_messaging.NotificationResult.REQUEUE
                LOG.error(
                    "Database down (%s): %d notifications wait on the queue; retry in %.1f s",
                    error,
                    len(records),
                    delay,
                )
                self._sleep(delay)
                delay = min(delay * 2, 10.0)
            else:
                self.stats.add(stored=len(records))
                return None

    def _write_one_by_one(self, records):
        for record in records:
            try:
                self._store([record], self.ttl_seconds)
            except (db.DataError, db.IntegrityError) as error:
                self.stats.add(rejected=1)
                LOG.warning(
                    "The database refused notification %s (%s): skipped", record.message_id, error
                )
            else:
                self.stats.add(stored=1)


def _drop_broken_connections():
    """Close this thread's database connections that no longer work: the next try reconnects."""
    for connection in db.connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()


def _message_id(message):
    metadata = message.get("metadata") if isinstance(message, dict) else None
    return metadata.get("message_id", "?") if isinstance(metadata, dict) else "?"


class Collector:
    """The listener plus the periodic work (reaping, report ingestion) of one process."""

    def __init__(self, conf, stats=None):
        self.conf = conf
        self.stats = stats or Stats()
        self._stopping = threading.Event()
        self._listener = None
        self._periodic = None

    def start(self):
        opts = self.conf.collector
        store.prepare_database()
        transport = oslo_messaging.get_notification_transport(self.conf)
        # Without a prefetch limit RabbitMQ would push the whole queue into this
        # process while the database is down; deployers may still set their own.
        self.conf.set_default(
            "rabbit_qos_prefetch_count", opts.batch_size * 2, group="oslo_messaging_rabbit"
        )
        endpoint = NotificationEndpoint(opts.message_ttl, opts.db_retry_seconds, self.stats)
        self._listener = oslo_messaging.get_batch_notification_listener(
            transport,
            [oslo_messaging.Target(topic=topic) for topic in opts.topics],
            [endpoint],
            executor="threading",
            allow_requeue=True,
            pool=opts.pool or None,
            batch_size=opts.batch_size,
            batch_timeout=opts.batch_timeout,
        )
        self._listener.start(override_pool_size=opts.executor_threads)
        self._periodic = threading.Thread(target=self._run_periodic, name="periodic", daemon=True)
        self._periodic.start()
        LOG.info(
            "Collector listening on %s (pool %s, batches of %d)",
            ", ".join(opts.topics),
            opts.pool or "-",
            opts.batch_size,
        )

    def stop(self):
        """Stop taking notifications; batches in hand are finished and acknowledged first."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.stop()
            self._listener.wait()
        LOG.info("Collector stopped. %s", self.stats.as_text().replace("\n", ", "))

    def wait(self):
        while not self._stopping.wait(1.0):
            pass

    def _run_periodic(self):
        opts = self.conf.collector
        jobs = [(60.0, self._log_stats)]
        if opts.message_reap_interval >= 0 and opts.message_ttl >= 0:
            jobs.append((float(opts.message_reap_interval), self.reap_once))
        if opts.reports_dir:
            jobs.append((float(opts.report_scan_interval), self.ingest_reports_once))
        due = {job: time.monotonic() for _interval, job in jobs}
        while not self._stopping.is_set():
            for interval, job in jobs:
                if time.monotonic() >= due[job]:
                    due[job] = time.monotonic() + interval
                    try:
                        job()
                    except Exception:
                        # The next run may succeed (a database back up, a file fixed).
                        LOG.exception("Periodic task %s failed", job.__name__)
                    finally:
                        db.connections.close_all()
            self._stopping.wait(1.0)

    def reap_once(self):
        deleted = store.reap(self.conf.collector.message_reap_batch_size)
        self.stats.add(reaped=deleted)
        if deleted:
            LOG.info("Reaped %d expired events", deleted)

    def ingest_reports_once(self):
        from event_viewer.collector import reports

        result = reports.ingest_directory(self.conf.collector.reports_dir)
        self.stats.add(reports=result.new)

    def _log_stats(self):
        LOG.info("Collector: %s", self.stats.as_text().replace("\n", ", "))


def run(conf):
    """Run a collector until SIGTERM or SIGINT."""
    collector = Collector(conf)

    def _stop(signum, _frame):
        LOG.info("Signal %d: stopping", signum)
        collector._stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if conf.collector.reports_dir:
        from event_viewer import gmr

        # SIGUSR2 (and [oslo_reports] file_event_handler) write this process's
        # report into the directory it ingests, like any service's on the node.
        gmr.register(
            "event-viewer-collector",
            conf.collector.reports_dir,
            conf=conf,
            extra_sections={"Collector statistics": collector.stats.as_text},
        )
    collector.start()
    collector.wait()
    collector.stop()
    return 0
