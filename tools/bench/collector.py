"""Benchmark of the collector: ingestion rate, reaping, and the store's page cost at 1M rows.

Run through ``tools/bench/collector`` (it makes sure the Horizon virtualenv is there).
It is a benchmark, not a test: it prints a table of figures, writes them as JSON to
--json, and exits non-zero only when something broke (a goal missed is a figure). On
PostgreSQL (127.0.0.1:5432, user postgres, a database ev_bench_<random> of its own,
dropped at the end) where it answers, and on SQLite (a file in a temporary directory):

1. Ingestion. N notifications of the kind Cinder sends (half scheduler "no valid
   backend" errors, half volume.create .start/.end pairs; context with user, project
   and request id; publisher_id ``volume.hostX``) are published with oslo.messaging's
   Notifier to the local RabbitMQ on a topic of this run only, into the collector's pool
   queue (declared beforehand with kombu, exactly as oslo.messaging declares it), so
   the queue is full before any collector starts. Then one, and in a second run two,
   real ``event-viewer-collector`` processes (the console script of the virtualenv,
   the collector's default batch_size, executor_threads and batch_timeout; the reaper
   off) consume it; the clock runs from the moment the queue starts draining until a
   COUNT shows every row stored (and no operation still "in progress").
   Goal: >= 2,000 notifications/s per process.
2. Reaping. 1,000,000 expired rows (bulk-loaded: COPY on PostgreSQL, executemany on
   SQLite; values as the collector's own parser makes them, spread over 20 projects,
   60 users and 12 hosts and two months) deleted by
   ``event_viewer.collector.store.reap`` in batches of 1,000: total seconds, rows/s
   and the longest single transaction (from its ``on_batch`` callback).
3. Page cost. One page of the Service events source as the panels ask for it
   (``event_viewer.api.store.list_events``, 20 rows + 1 to know there is a next page,
   newest first): admin unfiltered, a member's project, a host filter, a user filter,
   and a page deep in the list (the cursor of the middle row), beside the equivalent
   hand-written SQL run through the same connection (ratio page/raw), each the median
   of --repeat runs after warm-ups, in a store of 1,000 rows and in one of 1,000,000
   (two databases of the same kind, timed turn about so both see the same machine),
   with the change between them (goal: within 15 %), the index the database used
   (EXPLAIN) and, on PostgreSQL, the server's own planning + execution time.
   PostgreSQL tables get a VACUUM ANALYZE after loading, as autovacuum would do;
   SQLite's get nothing (nothing runs ANALYZE on a deployment's SQLite file).
   (Horizon's view itself is not timed: it needs a Keystone login and Horizon's menu
   around the same store call; tools/bench/project_panel times real pages.)

Each database kind runs in a worker subprocess of its own (Django's DATABASES are read
once per process: tests.settings with EVENT_VIEWER_TEST_DB/EVENT_VIEWER_TEST_DB_NAME);
the parent creates and drops the databases and cleans up after a worker that died.
"""

import argparse
import collections
import contextlib
import csv
import datetime
import hashlib
import io
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = "rabbit://guest:guest@127.0.0.1:5672/"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
# The console script of the virtualenv this script runs in (the Horizon venv).
COLLECTOR = Path(sys.executable).with_name("event-viewer-collector")
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
KINDS = ("postgresql", "sqlite")
LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}

FULL = {"notifications": 20_000, "rows": 1_000_000}
SMALL = {"notifications": 2_000, "rows": 10_000}
FEW_ROWS = 1_000  # the small store of the page comparison
MANY, FEW = "default", "few"  # Django aliases of the big and the small store
PAGE_SIZE = 20  # Horizon's API_RESULT_PAGE_SIZE; sources.fetch_page asks one more
WARMUPS = 20
INGEST_GOAL = 2_000  # notifications/s per collector process
PAGE_GOAL_PERCENT = 15
WORKER_TIMEOUT = 1800  # seconds one database kind may take, all parts together


class BenchError(Exception):
    pass


def say(text):
    # Progress goes to stderr: stdout is for the figures.
    print(f"bench: {text}", file=sys.stderr, flush=True)


def timed(call):
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def wait_until(condition, seconds, what, interval=0.05):
    """Poll ``condition`` until it returns something true; BenchError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise BenchError(f"timed out after {seconds:.0f} s waiting for {what}")


def summary(samples):
    """Median and p90 (nearest rank) of samples in seconds, as milliseconds."""
    ordered = sorted(samples)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    return {"median_ms": statistics.median(ordered) * 1000, "p90_ms": p90 * 1000}


# ------------------------------------------------------------------------ the workload
#
# One catalogue for both what is published (part 1) and what is bulk-loaded (parts 2
# and 3): Keystone-like ids, a few big projects and many small ones (weights 1/k), three
# users per project, a dozen volume hosts.

PROJECTS = [hashlib.sha256(f"bench-project-{k}".encode()).hexdigest()[:32] for k in range(20)]
PROJECT_WEIGHTS = [1 / (k + 1) for k in range(len(PROJECTS))]
USERS = {
    p: [hashlib.sha256(f"bench-user-{p}-{n}".encode()).hexdigest()[:32] for n in range(3)]
    for p in PROJECTS
}
USER_WEIGHTS = (3, 2, 1)
HOSTS = [f"host{k}" for k in range(1, 13)]
VOLUME_TYPE = "6a654c8f-f376-4c6a-9137-c22ef17d38b4"
NO_VALID_BACKEND = "NoValidBackend('No valid backend was found. No weighed backends available')"
# What the page measurement filters on: a big project (about 14 % of the rows), its
# first user (7 %), one host (8 %): at 1,000 rows each still fills a page.
MEMBER_PROJECT = PROJECTS[1]
FILTER_USER = USERS[MEMBER_PROJECT][0]
FILTER_HOST = HOSTS[0]


def random_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def identity(rng):
    """(project, user, host) of one event, drawn from the catalogue's weights."""
    project = rng.choices(PROJECTS, PROJECT_WEIGHTS)[0]
    return project, rng.choices(USERS[project], USER_WEIGHTS)[0], rng.choice(HOSTS)


def context(project, user, request_id):
    """The request context a service notifies with (oslo.context, as Cinder's derives).

    Not a dict: oslo.messaging's Notifier drops a plain dict context (it sends only what
    ``redacted_copy()`` of a RequestContext keeps), so the collector would see no user,
    project or request id.
    """
    from oslo_context import context as oslo_context

    return oslo_context.RequestContext(
        user_id=user,
        project_id=project,
        project_name="bench",
        request_id=request_id,
        roles=["member", "reader"],
        is_admin=False,
        user_domain_id="default",
        project_domain_id="default",
        overwrite=False,  # not this thread's "current" context: there are 20,000
    )


def scheduler_failure_payload(volume_id, project, user, reservations):
    """cinder-scheduler's ``scheduler.create_volume`` error when no backend fits."""
    properties = {
        "attach_status": "detached",
        "availability_zone": "nova",
        "cgsnapshot_id": None,
        "consistencygroup_id": None,
        "display_description": None,
        "display_name": "bench-volume",
        "encryption_key_id": None,
        "group_id": None,
        "metadata": {},
        "multiattach": False,
        "project_id": project,
        "qos_specs": None,
        "reservations": reservations,
        "size": 1,
        "snapshot_id": None,
        "source_volid": None,
        "status": "creating",
        "user_id": user,
        "volume_type_id": VOLUME_TYPE,
    }
    return {
        "method": "create_volume",
        "reason": NO_VALID_BACKEND,
        "state": "error",
        "volume_id": volume_id,
        "volume_properties": properties,
        "request_spec": {
            "availability_zones": ["nova"],
            "resource_properties": properties,
            "volume_id": volume_id,
            "volume_type": {"id": VOLUME_TYPE, "name": "lvmdriver-1", "is_public": True},
        },
    }


def volume_usage_payload(volume_id, project, user, host, status):
    """cinder-volume's payload of ``volume.create.start`` / ``.end``."""
    return {
        "tenant_id": project,
        "user_id": user,
        "host": f"{host}@lvmdriver-1#lvmdriver-1",
        "availability_zone": "nova",
        "volume_id": volume_id,
        "volume_type": VOLUME_TYPE,
        "display_name": "bench-volume",
        "size": 1,
        "status": status,
        "created_at": "2026-11-22T02:37:49+00:00",
        "launched_at": "2026-11-22T02:37:52+00:00" if status == "available" else "",
        "snapshot_id": None,
        "replication_status": None,
        "metadata": [],
        "volume_attachment": [],
        "glance_metadata": [],
    }


def notifications_to_publish(count, rng):
    """``count`` (priority, publisher_id, event_type, ctxt, payload), and the rows they make.

    Half are scheduler failures (one row each), half .start/.end pairs (one row per
    pair); each .end comes a few notifications after its .start, as operations interleave.
    """
    pairs = count // 4
    units = ["failure"] * (count - 2 * pairs) + ["pair"] * pairs
    rng.shuffle(units)
    published, pending = [], collections.deque()
    for unit in units:
        project, user, host = identity(rng)
        volume_id, request_id = random_uuid(rng), f"req-{random_uuid(rng)}"
        ctxt = context(project, user, request_id)
        if unit == "failure":
            reservations = [random_uuid(rng) for _ in range(4)]
            payload = scheduler_failure_payload(volume_id, project, user, reservations)
            published.append(("error", f"volume.{host}", "scheduler.create_volume", ctxt, payload))
        else:
            start = volume_usage_payload(volume_id, project, user, host, "creating")
            published.append(("info", f"volume.{host}", "volume.create.start", ctxt, start))
            end = volume_usage_payload(volume_id, project, user, host, "available")
            due = len(published) + 5
            pending.append((due, ("info", f"volume.{host}", "volume.create.end", ctxt, end)))
        while pending and pending[0][0] <= len(published):
            published.append(pending.popleft()[1])
    published.extend(item for _due, item in pending)
    return published, len(units)


# Placeholders in the one notification of each kind that the collector's parser turns
# into a row; every bulk-loaded row is that row with its own ids in their place.
TOKENS = {
    "@MSG@": "msg",
    "@REQ@": "req",
    "@VOL@": "vol",
    "@PRJ@": "prj",
    "@USR@": "usr",
    "@HOST@": "host",
}


def row_templates():
    """{kind: {field: (templated, value)}} from ``notifications.parse`` of one notification.

    So the loaded rows hold exactly what the collector stores for such notifications
    (summary, resource, payload JSON, lengths), only faster to make than by parsing 1M.
    """
    from event_viewer.collector import notifications

    ctxt = context("@PRJ@", "@USR@", "req-@REQ@").redacted_copy().to_dict()  # as sent
    metadata = {"message_id": "@MSG@", "timestamp": "2026-11-22 02:37:49.669671"}
    failure = scheduler_failure_payload("@VOL@", "@PRJ@", "@USR@", [str(uuid.uuid4())] * 4)
    operation = volume_usage_payload("@VOL@", "@PRJ@", "@USR@", "@HOST@", "available")
    sources = {
        "failure": ("error", "scheduler.create_volume", failure),
        "operation": ("info", "volume.create.end", operation),
    }
    templates = {}
    for kind, (priority, event_type, payload) in sources.items():
        message = {"ctxt": ctxt, "publisher_id": "volume.@HOST@", "event_type": event_type}
        message.update(payload=payload, metadata=metadata)
        record = notifications.parse(priority, message)
        fields = {}
        for name, value in record.model_fields().items():
            if isinstance(value, str) and any(token in value for token in TOKENS):
                text = value.replace("{", "{{").replace("}", "}}")
                for token, key in TOKENS.items():
                    text = text.replace(token, "{" + key + "}")
                fields[name] = (True, text)
            else:
                fields[name] = (False, value)
        templates[kind] = fields
    return templates


# ------------------------------------------------------------------------ databases
# (parent side: raw psycopg2, outside Django)


def postgresql_answers():
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex((PG["host"], PG["port"])) != 0:
            return False
    try:
        _pg_admin("SELECT 1")
    except Exception as exc:  # a server that answers but refuses us: skip it, say why
        say(f"PostgreSQL answers on 127.0.0.1:5432 but refuses postgres: {exc}")
        return False
    return True


def _pg_admin(sql):
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    connection.autocommit = True
    try:
        connection.cursor().execute(sql)
    finally:
        connection.close()


class Database:
    """One database of the bench's own: a PostgreSQL database or an SQLite file."""

    def __init__(self, kind, tmp, name):
        self.kind = kind
        self.name = str(tmp / f"{name}.sqlite3") if kind == "sqlite" else name

    def create(self):
        if self.kind == "postgresql":
            _pg_admin(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        if self.kind == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    @property
    def env(self):
        """What tests/settings.py reads to point DATABASES at this database."""
        return {"EVENT_VIEWER_TEST_DB": self.kind, "EVENT_VIEWER_TEST_DB_NAME": self.name}


def django_env(database, few, tmp):
    # Horizon's test settings write a secret-key file under TMPDIR at import: ours.
    django_tmp = tmp / "django-tmp"
    django_tmp.mkdir(exist_ok=True)
    return {
        **database.env,
        "EV_BENCH_FEW_DB_NAME": few.name,  # the small store (see setup_django)
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(REPO_ROOT),
        "TMPDIR": str(django_tmp),
    }


# ------------------------------------------------------------------------ worker: Django


def setup_django():
    """Django for the databases the parent chose (its env), migrated.

    ``default`` (tests.settings) is the big store, which the collectors write too;
    :data:`FEW` is a second database of the same kind with 1,000 rows, so that pages of
    both are timed turn about, in the same minute (not minutes apart, in another state
    of the machine).
    """
    tempfile.tempdir = os.environ["TMPDIR"]
    sys.path.insert(0, str(REPO_ROOT))
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    # Before the first use of django.db.connections, which reads DATABASES once.
    few = {**settings.DATABASES["default"], "NAME": os.environ["EV_BENCH_FEW_DB_NAME"]}
    settings.DATABASES[FEW] = few
    for alias in (MANY, FEW):
        call_command("migrate", "event_viewer", database=alias, verbosity=0, interactive=False)


@contextlib.contextmanager
def store_on(alias):
    """The panels' store reads the database EVENT_VIEWER_DATABASE names (event_viewer.config)."""
    from django.conf import settings

    settings.EVENT_VIEWER_DATABASE = alias
    try:
        yield
    finally:
        del settings.EVENT_VIEWER_DATABASE


def clear_events():
    from event_viewer.models import ServiceEvent

    ServiceEvent.objects.all().delete()


def stored_counts():
    """(rows, rows still "in progress"): all notifications are in once the second is 0."""
    from django.db.models import Count, Q

    from event_viewer import models

    counts = models.ServiceEvent.objects.aggregate(
        rows=Count("id"), open=Count("id", filter=Q(outcome=models.OUTCOME_IN_PROGRESS))
    )
    return counts["rows"], counts["open"]


# ------------------------------------------------------------------------ 1. ingestion


class PoolQueue:
    """The collector's pool queue on a topic of our own, as oslo.messaging declares it.

    ``listen_for_notifications`` (oslo_messaging/_drivers/amqpdriver.py) declares one
    queue named after the pool, bound to the control exchange ("openstack", a
    non-durable topic exchange) with the routing key ``<topic>.<priority>`` for each
    priority the endpoint handles; with the default options it is neither durable nor
    auto-deleted and has no arguments. Declaring it first means the notifications
    published before the collector starts wait in it.
    """

    def __init__(self, topic, pool):
        import kombu

        from event_viewer.collector import listener

        self.connection = kombu.Connection(AMQP_URL, connect_timeout=10)
        exchange = kombu.Exchange("openstack", type="topic", durable=False, auto_delete=False)
        bindings = [
            kombu.binding(exchange, routing_key=f"{topic}.{priority}")
            for priority in listener.PRIORITIES
        ]
        self.queue = kombu.Queue(pool, bindings=bindings, durable=False, auto_delete=False)
        self.queue = self.queue(self.connection.channel())
        self.queue.declare()

    def delete_publishers_queues(self, topic):
        """The ``<topic>.<priority>`` queues oslo.messaging's publisher declares.

        Its rabbit driver creates a queue named after the routing key when it first
        publishes there (so that notifications wait for a consumer that comes later):
        here nothing will read those copies, so they go as soon as the publishing ends.
        """
        from event_viewer.collector import listener

        for priority in listener.PRIORITIES:
            with contextlib.suppress(Exception), self.connection.channel() as channel:
                channel.queue_delete(f"{topic}.{priority}")

    def ready(self):
        """Messages waiting (not delivered to a consumer yet)."""
        return self.queue.queue_declare(passive=True).message_count

    def delete(self):
        with contextlib.suppress(Exception):
            self.queue.delete()
        self.connection.release()


def publish(topic, items):
    """Send ``items`` the way services do: oslo.messaging's Notifier, driver messagingv2."""
    import oslo_messaging
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    conf([])
    transport = oslo_messaging.get_notification_transport(conf, url=BROKER_URL)
    try:
        base = oslo_messaging.Notifier(
            transport, driver="messagingv2", topics=[topic], retry=5, publisher_id="volume"
        )
        notifiers = {}
        started = time.perf_counter()
        for priority, publisher_id, event_type, ctxt, payload in items:
            if publisher_id not in notifiers:
                notifiers[publisher_id] = base.prepare(publisher_id=publisher_id)
            getattr(notifiers[publisher_id], priority)(ctxt, event_type, payload)
        return time.perf_counter() - started
    finally:
        transport.cleanup()


class Collectors:
    """``processes`` real event-viewer-collector processes on one topic and pool."""

    def __init__(self, tmp, topic, pool, processes):
        self.tmp = tmp
        self.conf = tmp / f"{topic}.conf"
        # The collector's defaults for batch_size, batch_timeout and executor_threads:
        # only what the bench must set is set. The reaper is off (ingestion alone).
        self.conf.write_text(
            "[DEFAULT]\n"
            f"transport_url = {BROKER_URL}\n\n"
            "[collector]\n"
            f"topics = {topic}\n"
            f"pool = {pool}\n"
            "message_reap_interval = -1\n"
        )
        self.logs = [tmp / f"{topic}-{n}.log" for n in range(processes)]
        self.processes = []

    def start(self):
        for log_path in self.logs:
            with log_path.open("w") as log:
                process = subprocess.Popen(
                    [str(COLLECTOR), "--config-file", str(self.conf)],
                    env=os.environ.copy(),  # the worker's: same Django settings and database
                    cwd=REPO_ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # the bench stops them, not a Ctrl-C
                )
            self.processes.append(process)
            # The parent kills what a dead worker left running: it reads this file.
            with (self.tmp / "collector-pids").open("a") as pids:
                pids.write(f"{process.pid}\n")

    def check_alive(self):
        for process, log_path in zip(self.processes, self.logs, strict=False):
            if process.poll() is not None:
                tail = log_path.read_text()[-2000:]
                raise BenchError(f"a collector exited ({process.returncode}):\n{tail}")

    def stop(self):
        """SIGTERM (the collector finishes its batches), then each one's statistics."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        return [self.statistics(log_path) for log_path in self.logs]

    @staticmethod
    def statistics(log_path):
        """The counters of the "Collector stopped. received: N, stored: N, ..." log line,
        and when (oslo.log's timestamp, seconds) the process said it was listening."""
        text = log_path.read_text()
        found = re.findall(r"Collector stopped\. (.*)", text)
        stats = {k: int(v) for k, v in re.findall(r"(\w+): (\d+)", found[-1])} if found else {}
        listening = re.search(r"^(\S+ \S+) \d+ INFO \S+ \[-\] Collector listening", text, re.M)
        if listening:
            moment = datetime.datetime.fromisoformat(listening.group(1))
            stats["listening_at"] = moment.timestamp()
        return stats


def ingest(tmp, processes, count, seed):
    """Publish ``count`` notifications, then time ``processes`` collectors storing them."""
    clear_events()
    topic = f"ev-bench-{uuid.uuid4().hex[:12]}"
    # Seeded, so every run publishes the same workload (not secrets: S311 is moot).
    items, rows = notifications_to_publish(count, random.Random(seed))  # noqa: S311
    with (tmp / "queues").open("a") as queues:  # for the parent, should this worker die
        queues.write(f"{topic}-pool\n")
        queues.writelines(f"{topic}.{priority}\n" for priority in ("error", "info"))
    queue = PoolQueue(topic, f"{topic}-pool")
    collectors = None
    try:
        say(f"publishing {count:,} notifications on topic {topic}")
        publish_seconds = publish(topic, items)
        queue.delete_publishers_queues(topic)
        wait_until(lambda: queue.ready() >= count, 60, f"{count} messages in the queue")
        collectors = Collectors(tmp, topic, f"{topic}-pool", processes)
        spawned = time.monotonic()
        collectors.start()

        def draining():
            collectors.check_alive()
            return queue.ready() < count

        wait_until(draining, 120, "a collector to start consuming", interval=0.01)
        started, cpu_before = time.monotonic(), cpu_counters(collectors.processes)

        def all_stored():
            collectors.check_alive()
            return stored_counts() == (rows, 0)

        try:
            # Every 0.1 s: the COUNT costs the database a little of the CPU it shares.
            wait_until(all_stored, max(120, count / 100), f"{rows:,} rows", interval=0.1)
        except BenchError as exc:
            raise BenchError(
                f"{exc}; stored (rows, in progress) {stored_counts()}, {queue.ready()} queued; "
                f"the first collector's log ends:\n{collectors.logs[0].read_text()[-3000:]}"
            ) from exc
        seconds = time.monotonic() - started
        cpu = cpu_use(cpu_before, cpu_counters(collectors.processes), seconds)
        left = queue.ready()
    finally:
        stats = collectors.stop() if collectors else []
        queue.delete()
    received = [s.get("received", 0) for s in stats]
    listening = [s["listening_at"] for s in stats if "listening_at" in s]
    if sum(received) < count:
        raise BenchError(f"the collectors say they received {received}, not {count} in all")
    return {
        "processes": processes,
        "notifications": count,
        "rows": rows,
        "seconds": seconds,
        "notifications_per_s": count / seconds,
        "notifications_per_s_per_process": count / seconds / processes,
        "rows_per_s": rows / seconds,
        "startup_seconds": started - spawned,
        "publish_per_s": count / publish_seconds,
        "left_in_queue": left,
        **cpu,
        # How much later the last process started listening than the first.
        "listening_spread_s": max(listening) - min(listening) if listening else None,
        "collector_stats": stats,
    }


def cpu_counters(processes):
    """(machine's busy and total jiffies, each process's CPU seconds), from /proc."""
    jiffies = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = jiffies[3] + jiffies[4]  # idle, iowait
    per_process = []
    for process in processes:
        stat = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        per_process.append((int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK"))
    return sum(jiffies) - idle, sum(jiffies), per_process


def cpu_use(before, after, seconds):
    """Whether the run was CPU-bound: the machine's busy %, each collector's % of a core."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return {
        "machine_busy_percent": 100 * busy / total if total else None,
        "collector_cpu_percent": [
            100 * (end - start) / seconds for start, end in zip(before[2], after[2], strict=True)
        ],
    }


# ------------------------------------------------------------------------ loading rows


def make_rows(count, rng, templates, columns, to_db_time):
    """``count`` rows (tuples in ``columns`` order) over two months that have expired.

    Creation times rise with the row (ids follow time, as the collector writes them)
    with a few minutes of jitter; every row expires message_ttl after it was created,
    which is before now.
    """
    from event_viewer.collector import options

    ttl = datetime.timedelta(seconds=_default(options, "message_ttl"))
    end = datetime.datetime.now(datetime.UTC) - ttl - datetime.timedelta(days=1)
    span = datetime.timedelta(days=60).total_seconds()
    kinds = rng.choices(("failure", "operation"), (2, 1), k=count)
    for i, kind in enumerate(kinds):
        project, user, host = identity(rng)
        ids = {
            "msg": random_uuid(rng),
            "req": random_uuid(rng),
            "vol": random_uuid(rng),
            "prj": project,
            "usr": user,
            "host": host,
        }
        offset = span * (i + 0.5) / count + rng.uniform(-300, 300)
        created = end - datetime.timedelta(seconds=span - min(max(offset, 0), span))
        values = {
            name: (value.format_map(ids) if templated else value)
            for name, (templated, value) in templates[kind].items()
        }
        values["created_at"] = to_db_time(created)
        finished = created + datetime.timedelta(seconds=3) if kind == "operation" else created
        values["finished_at"] = to_db_time(finished)
        values["expires_at"] = to_db_time(created + ttl)
        yield tuple(values[c] for c in columns)


def _default(options, name):
    return next(opt.default for opt in options.OPTS if opt.name == name)


def load_rows(count, seed, using, chunk=50_000):
    """Bulk-insert ``count`` rows: COPY on PostgreSQL, executemany on SQLite; seconds."""
    from django.db import connections, transaction

    from event_viewer.models import ServiceEvent

    connection = connections[using]
    table = ServiceEvent._meta.db_table
    columns = [f.column for f in ServiceEvent._meta.concrete_fields if not f.primary_key]
    if connection.vendor == "postgresql":
        # COPY's CSV format, with \N for NULL so that "" stays an empty string.
        def to_db_time(moment):
            return moment.isoformat()

        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    else:

        def to_db_time(moment):
            # The text the ORM itself writes to SQLite (comparisons are textual there).
            return connection.ops.adapt_datetimefield_value(moment)

        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    rng = random.Random(seed)  # noqa: S311 (a reproducible workload, not secrets)
    rows = make_rows(count, rng, row_templates(), columns, to_db_time)
    started = time.perf_counter()
    # A big load goes in without the model's (non-unique) indexes, which are built after
    # it, from the model's own definitions: three times faster, the same indexes.
    big = count > 100_000
    with without_indexes(connection, ServiceEvent) if big else contextlib.nullcontext():
        for _ in range(0, count, chunk):
            batch = [row for _, row in zip(range(chunk), rows, strict=False)]
            with transaction.atomic(using=using), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    buffer = io.StringIO()
                    writer = csv.writer(buffer)
                    writer.writerows(tuple("\\N" if v is None else v for v in r) for r in batch)
                    buffer.seek(0)
                    cursor.cursor.copy_expert(sql, buffer)
                else:
                    cursor.executemany(sql, batch)
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after such a load (inserts trigger it since PG 13).
            cursor.execute(f"VACUUM ANALYZE {table}")
    return seconds


@contextlib.contextmanager
def without_indexes(connection, model):
    """The model's Meta.indexes dropped for the block and created again after it."""
    with connection.schema_editor() as editor:
        for index in model._meta.indexes:
            editor.remove_index(model, index)
    yield
    with connection.schema_editor() as editor:
        for index in model._meta.indexes:
            editor.add_index(model, index)


# ------------------------------------------------------------------------ 3. page cost


def page_cases(total, using):
    """(label, query, scope, cursor, raw WHERE, raw params) of each page measured."""
    from django.db import connections

    from event_viewer.api import store
    from event_viewer.filters import Query
    from event_viewer.models import ServiceEvent

    # The cursor a reader paging down from the top has after half the rows.
    newest_first = ServiceEvent.objects.using(using).order_by("-created_at", "-id")
    middle = newest_first.values_list("created_at", "id")[total // 2]
    cursor = store.encode_cursor(*middle)
    moment = store.decode_cursor(cursor)[0]
    moment = connections[using].ops.adapt_datetimefield_value(moment)
    admin = store.ALL_PROJECTS
    deep = "created_at <= %s AND (created_at < %s OR (created_at = %s AND id < %s))"
    return [
        ("admin, all projects", Query(), admin, None, "", []),
        ("member, own project", Query(), MEMBER_PROJECT, None, "project_id = %s", [MEMBER_PROJECT]),
        ("admin, host filter", Query(host=FILTER_HOST), admin, None, "host = %s", [FILTER_HOST]),
        ("admin, user filter", Query(user=FILTER_USER), admin, None, "user_id = %s", [FILTER_USER]),
        ("admin, middle page (cursor)", Query(), admin, cursor, deep, [moment] * 3 + [middle[1]]),
    ]


def raw_page(using, where, params):
    """The SQL a hand-written client would send for the page, through Django's connection."""
    from django.db import connections

    from event_viewer.api import store
    from event_viewer.models import ServiceEvent

    fields = ServiceEvent._meta.concrete_fields
    listed = [f.column for f in fields if f.name not in store.ADMIN_TEXT_FIELDS]
    sql = (
        f"SELECT {', '.join(listed)} FROM {ServiceEvent._meta.db_table}"  # noqa: S608
        + (f" WHERE {where}" if where else "")
        + f" ORDER BY created_at DESC, id DESC LIMIT {PAGE_SIZE + 1}"
    )

    def run():
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def store_page(using, query, scope, cursor):
    """One page as the panels get it: ``list_events`` on the store in ``using``."""
    from event_viewer.api import store

    def run():
        with store_on(using):  # a setting switched: microseconds of the ~1 ms
            return store.list_events(query, scope, cursor, limit=PAGE_SIZE + 1)

    return run


def indexes_used(plan):
    """The index names in an EXPLAIN, and whether the database sorts (not a range scan)."""
    names = re.findall(r"(?:USING (?:COVERING )?INDEX|using) (\w+)", plan)
    sorts = bool(re.search(r"\bSort\b|TEMP B-TREE", plan))
    return ", ".join(dict.fromkeys(names)) + (" + SORT" if sorts else "")


def explain(using, query, scope, cursor):
    """The plan of the store's own query, and on PostgreSQL its server time (ms, median)."""
    from django.db import connections

    from event_viewer.api import store

    with store_on(using):
        rows = store.page_query(query, scope, cursor)[: PAGE_SIZE + 1]
        plan = rows.explain()
        if connections[using].vendor != "postgresql":
            return plan, None  # SQLite runs in this process: the raw time is its time
        server = []
        for _ in range(WARMUPS):
            (analyzed,) = json.loads(rows.explain(analyze=True, format="json"))
            server.append(analyzed["Planning Time"] + analyzed["Execution Time"])
    return plan, statistics.median(server)


def measure_pages(repeat):
    """Each case on both stores, turn about: {label: {"few": ..., "many": ...}}."""
    stores = {"few": FEW, "many": MANY}
    figures = {}
    cases = {size: page_cases(count_rows(alias), alias) for size, alias in stores.items()}
    for number, (label, *_spec) in enumerate(cases["many"]):
        runs = {}
        for size, alias in stores.items():
            _label, query, scope, cursor, where, params = cases[size][number]
            page, raw = store_page(alias, query, scope, cursor), raw_page(alias, where, params)
            listed, fetched = [row.pk for row in page()], [row[0] for row in raw()]
            if listed != fetched or len(listed) != PAGE_SIZE + 1:
                raise BenchError(f"{label}: the store listed {listed}, raw SQL {fetched}")
            runs[size] = {"page": page, "raw": raw, "samples": {"page": [], "raw": []}}
            runs[size]["plan"], runs[size]["server_ms"] = explain(alias, query, scope, cursor)
        for run in range(WARMUPS + repeat):
            # Raw and page, small and big store, in turn (and in the other order every
            # other time), so that all four see the same machine.
            order = list(runs.items()) if run % 2 else list(runs.items())[::-1]
            for _size, measured in order:
                for kind in ("raw", "page") if run % 2 else ("page", "raw"):
                    seconds, _ = timed(measured[kind])
                    if run >= WARMUPS:
                        measured["samples"][kind].append(seconds)
        figures[label] = {}
        for size, measured in runs.items():
            samples = measured["samples"]
            figures[label][size] = {
                "page": summary(samples["page"]),
                "raw": summary(samples["raw"]),
                "ratio": statistics.median(samples["page"]) / statistics.median(samples["raw"]),
                "index": indexes_used(measured["plan"]),
                "plan": measured["plan"],
                "server_ms": measured["server_ms"],
            }
        few, many = figures[label]["few"], figures[label]["many"]
        change = many["page"]["median_ms"] / few["page"]["median_ms"] - 1
        figures[label]["change_percent"] = 100 * change
    return figures


def count_rows(using):
    from event_viewer.models import ServiceEvent

    return ServiceEvent.objects.using(using).count()


# ------------------------------------------------------------------------ 2. reaping


def reap_all(expected):
    from event_viewer.collector import options, store

    batch_size = _default(options, "message_reap_batch_size")
    batches = []
    seconds, deleted = timed(
        lambda: store.reap(batch_size, on_batch=lambda n, s: batches.append((n, s)))
    )
    if deleted != expected:
        raise BenchError(f"reap deleted {deleted} rows, not {expected}")
    times = [s for _n, s in batches]
    return {
        "rows": deleted,
        "batch_size": batch_size,
        "batches": len(batches),
        "seconds": seconds,
        "rows_per_s": deleted / seconds,
        "longest_batch_ms": max(times) * 1000,
        "median_batch_ms": statistics.median(times) * 1000,
        "p99_batch_ms": sorted(times)[math.ceil(0.99 * len(times)) - 1] * 1000,
    }


# ------------------------------------------------------------------------ the worker


def worker(args):
    """Every part on the database of this process's environment; figures to --out."""
    setup_django()
    from django.db import connection

    figures = {"vendor": connection.vendor}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            figures["server"] = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        figures["server"] = f"SQLite {connection.Database.sqlite_version}"
    try:
        figures["ingestion"] = [
            ingest(args.tmp, processes, args.notifications, seed=processes) for processes in (1, 2)
        ]
        clear_events()
        say(f"{connection.vendor}: loading {FEW_ROWS:,} and {args.rows:,} rows")
        figures["load_few_seconds"] = load_rows(FEW_ROWS, seed=1, using=FEW)
        figures["load_many_seconds"] = load_rows(args.rows, seed=2, using=MANY)
        say(f"{connection.vendor}: measuring pages at {FEW_ROWS:,} and {args.rows:,} rows")
        figures["pages"] = measure_pages(args.repeat)
        say(f"{connection.vendor}: reaping {args.rows:,} expired rows")
        figures["reap"] = reap_all(args.rows)
    finally:
        args.out.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0


def run_worker(kind, args, tmp):
    """One database kind in a subprocess; its figures, or {"error": ...}."""
    name = f"ev_bench_{uuid.uuid4().hex[:12]}"
    database, few = Database(kind, tmp, name), Database(kind, tmp, f"{name}_few")
    out = tmp / f"{kind}.json"
    figures = {"database": database.name, "small_database": few.name}
    created = []
    try:
        for db in (database, few):
            db.create()
            created.append(db)
        command = [sys.executable, __file__, "--worker", "--tmp", str(tmp), "--out", str(out)]
        command += ["--notifications", str(args.notifications), "--rows", str(args.rows)]
        command += ["--repeat", str(args.repeat)]
        say(f"{LABELS[kind]}: worker on {database.name}")
        env = {**os.environ, **django_env(database, few, tmp)}
        result = subprocess.run(command, env=env, cwd=REPO_ROOT, timeout=WORKER_TIMEOUT)
        if out.exists():
            figures.update(json.loads(out.read_text()))
        if result.returncode != 0:
            figures["error"] = f"the {kind} worker failed (exit {result.returncode}), see above"
    except (subprocess.SubprocessError, OSError, BenchError) as exc:
        figures["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        kill_leftover_collectors(tmp)
        delete_leftover_queues(tmp)
        for db in created:
            try:
                db.drop()
            except Exception as exc:  # reported, and the run counts as broken
                figures["error"] = f"could not drop {db.name}: {exc}"
    return figures


def kill_leftover_collectors(tmp):
    """Collectors a dead worker left running: only ours (their command line names tmp)."""
    pids = tmp / "collector-pids"
    if not pids.exists():
        return
    for pid in {int(p) for p in pids.read_text().split()}:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if str(tmp).encode() in cmdline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    pids.unlink()


def delete_leftover_queues(tmp):
    """Our pool queues (a worker that died could not delete its own)."""
    import kombu

    names = tmp / "queues"
    if not names.exists():
        return
    with kombu.Connection(AMQP_URL, connect_timeout=10) as connection:
        for name in set(names.read_text().split()):
            # A channel each: one whose command failed is closed by the broker.
            with contextlib.suppress(Exception), connection.channel() as channel:
                channel.queue_delete(name)
    names.unlink()


# ------------------------------------------------------------------------ report


def report(results, args):
    kinds = [k for k in results if "ingestion" in results[k] or "reap" in results[k]]
    print(
        f"\nCollector benchmark on {os.cpu_count()} cores; "
        + "; ".join(f"{LABELS[k]}: {results[k].get('server', '?')}" for k in results)
    )
    print(
        "collector settings (its defaults): batch_size {batch_size}, executor_threads "
        '{executor_threads} (oslo.messaging executor "threading"), batch_timeout '
        "{batch_timeout} s; rabbit_qos_prefetch_count 2 x batch_size; reaper off".format(
            **args.defaults
        )
    )
    first = next((results[k]["ingestion"][0] for k in kinds if results[k].get("ingestion")), None)
    if first:
        print(
            f"\n1. Ingestion: {first['notifications']:,} notifications ({first['rows']:,} rows: "
            "scheduler failures + volume.create .start/.end pairs), queued before the "
            f"collectors start; goal >= {INGEST_GOAL:,} notifications/s per process"
        )
        print(
            f"  {'database':11} {'procs':>5} {'seconds':>7} {'notif/s':>7} {'per proc':>8} "
            f"{'rows/s':>7} {'start s':>7} {'2nd +s':>6} {'db err':>6} {'busy %':>6} "
            f"{'CPU %':>7}  received"
        )
        for kind in kinds:
            for run in results[kind].get("ingestion", []):
                stats = run["collector_stats"]
                errors = sum(s.get("database_errors", 0) for s in stats)
                shares = "/".join(f"{s.get('received', 0):,}" for s in stats)
                goal = "" if run["notifications_per_s_per_process"] >= INGEST_GOAL else " (below)"
                late = run["listening_spread_s"] if run["processes"] > 1 else None
                cpu = "/".join(f"{c:.0f}" for c in run["collector_cpu_percent"])
                print(
                    f"  {LABELS[kind]:11} {run['processes']:>5} {run['seconds']:7.2f} "
                    f"{run['notifications_per_s']:7,.0f} "
                    f"{run['notifications_per_s_per_process']:8,.0f} {run['rows_per_s']:7,.0f} "
                    f"{run['startup_seconds']:7.1f} {'' if late is None else f'{late:.2f}':>6} "
                    f"{errors:>6} {run['machine_busy_percent']:6.0f} {cpu:>7}  {shares}{goal}"
                )
        print(
            f"  published at {first['publish_per_s']:,.0f}/s with the Notifier; start s: from "
            "the processes' spawn to the first delivery; 2nd +s: how much later the second "
            "listened;\n  busy %: both cores, every process; CPU %: each collector's, of one "
            "core; received: notifications each collector took"
        )

    reaps = [(k, results[k]["reap"]) for k in kinds if "reap" in results[k]]
    if reaps:
        r = reaps[0][1]
        print(
            f"\n2. Reaping {r['rows']:,} expired rows in batches of {r['batch_size']:,} "
            "(event_viewer.collector.store.reap)"
        )
        print(
            f"  {'database':12} {'load s':>7} {'seconds':>8} {'rows/s':>8} {'batches':>8} "
            f"{'longest ms':>10} {'p99 ms':>8} {'median ms':>9}"
        )
        for kind, r in reaps:
            load = results[kind]["load_many_seconds"]
            print(
                f"  {LABELS[kind]:12} {load:7.1f} {r['seconds']:8.1f} {r['rows_per_s']:8,.0f} "
                f"{r['batches']:8,} {r['longest_batch_ms']:10.1f} {r['p99_batch_ms']:8.1f} "
                f"{r['median_batch_ms']:9.1f}"
            )

    paged = [k for k in kinds if "pages" in results[k]]
    if paged:
        print(
            f"\n3. One page of Service events (store.list_events, {PAGE_SIZE}+1 rows, newest "
            f"first) and the same SQL by hand; ms, median of {args.repeat} after {WARMUPS} "
            f"warm-ups, both stores in turn; goal: page within {PAGE_GOAL_PERCENT} % at "
            f"{args.rows:,} vs {FEW_ROWS:,} rows; server: PostgreSQL's planning + execution"
        )
        print(
            f"  {'':40} {f'{FEW_ROWS:,} rows':>20}   {f'{args.rows:,} rows':>20}   {'page':>7}"
            f"  {'server ms':>11}"
        )
        print(
            f"  {'':40} {'page':>6} {'raw':>6} {'ratio':>6}   {'page':>6} {'raw':>6} "
            f"{'ratio':>6}   {'change':>7}  {'1k / big':>11}  index (big store)"
        )
        for kind in paged:
            for label, sizes in results[kind]["pages"].items():
                a, b = sizes["few"], sizes["many"]
                server = f"{a['server_ms']:.2f} / {b['server_ms']:.2f}" if b["server_ms"] else "-"
                print(
                    f"  {LABELS[kind] + ': ' + label:40} {a['page']['median_ms']:6.2f} "
                    f"{a['raw']['median_ms']:6.2f} {a['ratio']:5.2f}x   "
                    f"{b['page']['median_ms']:6.2f} {b['raw']['median_ms']:6.2f} "
                    f"{b['ratio']:5.2f}x   {sizes['change_percent']:+6.1f}%  {server:>11}  "
                    f"{b['index']}"
                )
    for kind, figures in results.items():
        if "error" in figures:
            print(f"\n{LABELS[kind]}: BROKEN: {figures['error']}")


def collector_defaults():
    sys.path.insert(0, str(REPO_ROOT))
    from event_viewer.collector import options

    return {n: _default(options, n) for n in ("batch_size", "executor_threads", "batch_timeout")}


def preflight():
    if not COLLECTOR.exists():
        raise BenchError(f"{COLLECTOR} is missing: install the plugin into this virtualenv")
    with socket.socket() as probe:
        probe.settimeout(2)
        if probe.connect_ex(("127.0.0.1", 5672)) != 0:
            raise BenchError("RabbitMQ does not answer on 127.0.0.1:5672")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="2,000 notifications, 10,000 rows")
    parser.add_argument("--notifications", type=int, help="notifications per ingestion run")
    parser.add_argument("--rows", type=int, help="rows loaded for the pages and the reaper")
    parser.add_argument("--repeat", type=int, default=200, help="measured page loads (200)")
    parser.add_argument("--databases", default=",".join(KINDS), help="postgresql,sqlite")
    parser.add_argument("--json", type=Path, default=REPO_ROOT / "artifacts/bench-collector.json")
    # Internal: one database kind, in a subprocess started by the parent.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = SMALL if args.small else FULL
    args.notifications = args.notifications or sizes["notifications"]
    args.rows = args.rows or sizes["rows"]
    if args.rows <= FEW_ROWS * 2 or args.notifications < 4 or args.repeat < 1:
        parser.error(f"--rows must be above {FEW_ROWS * 2}, --notifications at least 4")
    if args.worker:
        return worker(args)

    started = time.monotonic()
    try:
        preflight()
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    args.defaults = collector_defaults()
    results = {}
    for kind in args.databases.split(","):
        if kind not in KINDS:
            parser.error(f"unknown database kind {kind!r}")
        if kind == "postgresql" and not postgresql_answers():
            say("PostgreSQL does not answer on 127.0.0.1:5432: skipped")
            continue
        tmp = Path(tempfile.mkdtemp(prefix=f"ev-bench-{kind}-"))
        try:
            results[kind] = run_worker(kind, args, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    runtime = time.monotonic() - started
    report(results, args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        "notifications": args.notifications,
        "rows": args.rows,
        "few_rows": FEW_ROWS,
        "repeat": args.repeat,
        "warmups": WARMUPS,
        "collector_defaults": args.defaults,
        "runtime_s": round(runtime, 1),
        "databases": results,
    }
    args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(f"\nbench: {runtime:.0f} s in all; figures: {args.json}")
    broken = not results or any("error" in figures for figures in results.values())
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
