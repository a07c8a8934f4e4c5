"""The collector process: a batch notification listener that stores what it hears.

It listens on every topic of ``topics`` in every exchange of ``exchanges``:
each OpenStack service publishes to its own control exchange (Nova to ``nova``,
Keystone to ``keystone``, Cinder to oslo.messaging's default ``openstack``...),
and a listener hears only the exchanges it is bound to. With a ``pool`` all
those (exchange, topic, priority) bindings lead into one queue named after the
pool, consumed once; several collector processes (on one node or many) with the
same pool share it, each notification going to one of them. What one batch of
notifications becomes is :mod:`~event_viewer.collector.endpoint`'s job.
"""

import logging
import signal
import threading
import time

import oslo_messaging
from django import db

from event_viewer.collector import store
from event_viewer.collector.endpoint import NotificationEndpoint, Stats  # noqa: F401

LOG = logging.getLogger(__name__)

# Priorities the collector subscribes to: failures, warnings, and info for the
# .start/.end of operations (which give the outcome "pass").
PRIORITIES = ("critical", "error", "warn", "info")


def listen_targets(exchanges, topics):
    """One oslo.messaging target per (exchange, topic), each exchange and topic once."""
    return [
        oslo_messaging.Target(exchange=exchange, topic=topic)
        for exchange in dict.fromkeys(exchanges)
        for topic in dict.fromkeys(topics)
    ]


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
        targets = listen_targets(opts.exchanges, opts.topics)
        # Without a prefetch limit RabbitMQ would push the whole queue into this
        # process while the database is down; deployers may still set their own.
        # RabbitMQ counts it per consumer, and oslo.messaging consumes each queue
        # once however many bindings lead into it: with a pool, one consumer.
        self.conf.set_default(
            "rabbit_qos_prefetch_count", opts.batch_size * 2, group="oslo_messaging_rabbit"
        )
        endpoint = NotificationEndpoint(
            opts.message_ttl,
            opts.db_retry_seconds,
            self.stats,
            sleep=self._stopping.wait,
            stopping=self._stopping,
        )
        self._listener = oslo_messaging.get_batch_notification_listener(
            transport,
            targets,
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
            "Collector listening on topics %s in exchanges %s (pool %s, batches of %d)",
            ", ".join(opts.topics),
            ", ".join(opts.exchanges),
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

        opts = self.conf.collector
        # Reports expire with the events: one retention for what the collector keeps.
        result = reports.ingest_directory(opts.reports_dir, ttl_seconds=opts.message_ttl)
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
