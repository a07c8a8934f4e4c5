"""The collector as a process on the real broker: storage, malformed input, database outages."""

import json
import re
import signal
import subprocess
import uuid

import kombu
import pytest

from tests.e2e.collector_process import (
    AMQP_URL,
    COLLECTOR,
    REPO_ROOT,
    CollectorProcess,
    Database,
    Publisher,
    server_answers,
    wait_for,
)

# SQLite always (the embedded default); PostgreSQL and MariaDB where a server
# runs (CI's machine).
DATABASE_KINDS = ["sqlite"] + [
    kind for kind, port in (("postgresql", 5432), ("mysql", 3306)) if server_answers(port)
]


@pytest.fixture
def topic():
    return f"ev-live-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=DATABASE_KINDS)
def database(request, tmp_path):
    db = Database(request.param, tmp_path)
    yield db
    db.drop()


@pytest.fixture
def publisher(topic):
    pub = Publisher(topic)
    yield pub
    pub.close()


def collector_for(tmp_path, database, topic, **options):
    collector = CollectorProcess(tmp_path, database, topic, **options)
    collector.migrate()
    return collector


def test_malformed_messages_are_counted_and_skipped(tmp_path, topic, publisher):
    database = Database("sqlite", tmp_path)
    collector = collector_for(tmp_path, database, topic)
    collector.start()
    try:
        publisher.error("volume.create.error", {"volume_id": "v-1", "reason": "first"})
        # A well-formed oslo.messaging envelope whose notification has no event type...
        publisher.raw(
            {
                "oslo.version": "2.0",
                "oslo.message": '{"message_id": "m-bad", "publisher_id": "volume.x", '
                '"priority": "ERROR", "payload": {}, "timestamp": "2026-11-22 10:00:00"}',
            }
        )
        # ...and a body that is not even JSON.
        publisher.raw("this is not a notification")
        publisher.error("volume.create.error", {"volume_id": "v-2", "reason": "second"})
        wait_for(lambda: len(database.rows()) == 2, 30, "both good notifications")
        wait_for(lambda: "Skipped a malformed error notification" in collector.log(), 10, "log")
        assert "m-bad" in collector.log() and "no event_type" in collector.log()
        # Bodies that are not JSON never reach the collector: oslo.messaging
        # logs and drops them itself.
        assert "Failed to process message ... skipping it" in collector.log()
        assert [row[5] for row in database.rows()] == ["first", "second"]
        # The host from the publisher id, the user from the request context.
        assert {(row[3], row[4]) for row in database.rows()} == {("live-node", "u-live")}
        assert collector.process.poll() is None, "the collector must survive malformed input"
    finally:
        collector.stop()


def _stopped_stats(collector):
    """The counts the collector logs when it stops ("Collector stopped. received: 3, ...")."""
    line = collector.log().rsplit("Collector stopped.", 1)[1].splitlines()[0]
    return {name: int(value) for name, value in re.findall(r"(\w+): (\d+)", line)}


def test_poison_notifications_in_a_batch_are_skipped_alone(tmp_path, topic, database):
    """Each poison is skipped, logged with its message id and counted; every good one is
    stored exactly once, whichever service exchange it came through (one pool, one queue)."""
    # Batches long enough to hold everything published below: poison in their middle.
    collector = collector_for(tmp_path, database, topic, batch_size=100, batch_timeout=3)
    openstack, nova = Publisher(topic), Publisher(topic, exchange="nova")
    collector.start()
    try:
        good, poison_ids = [], []
        for i in range(4):
            good.append(f"good-openstack-{i}")
            openstack.error("volume.create.error", {"volume_id": f"v-{i}", "reason": good[-1]})
            good.append(f"good-nova-{i}")
            nova.error("compute.instance.create.error", {"reason": good[-1]})
        # Lone surrogates: valid JSON escapes that no database driver can encode.
        openstack.error("volume.create.error", {"volume_id": "v-p1", "reason": "bad \ud800"})
        nova.error("compute.instance.create.error", {"reason": "p2"}, user_id="u-\udcff")
        for poison in (
            # A message id the unique index must hold, but the driver cannot send.
            {"message_id": "p3-\ud800"},
            # Timestamps at the calendar's ends: created_at + ttl overflowed.
            {"message_id": "p4-end-of-time", "timestamp": "9999-12-31 23:59:59.999999"},
            {"message_id": "p5-start-of-time", "timestamp": "0001-01-01 00:00:00.000000"},
            # Not a timestamp at all.
            {"message_id": "p6-no-time", "timestamp": "yesterday"},
        ):
            poison_ids.append(poison["message_id"])
            openstack.raw(openstack.envelope("volume.create.error", {"reason": "p"}, **poison))
        for i in range(4, 8):
            good.append(f"good-openstack-{i}")
            openstack.error("volume.create.error", {"volume_id": f"v-{i}", "reason": good[-1]})
            good.append(f"good-nova-{i}")
            nova.error("compute.instance.create.error", {"reason": good[-1]})

        wait_for(lambda: _summaries(database) == sorted(good), 60, "every good notification")
        wait_for(lambda: collector.log().count("Skipped") >= 6, 30, "the six poisons skipped")
        for message_id in poison_ids:
            logged = message_id.encode("utf-8", "backslashreplace").decode()  # as logged
            assert f"message id {logged}" in collector.log() or (
                f"Skipped notification {logged}" in collector.log()
            ), message_id
        assert "UnicodeEncodeError" in collector.log()
        assert collector.process.poll() is None
    finally:
        collector.stop()
        openstack.close()
        nova.close()
    stats = _stopped_stats(collector)
    assert stats["received"] == len(good) + 6
    assert (stats["stored"], stats["malformed"] + stats["rejected"]) == (len(good), 6)
    assert (stats["requeued"], stats["database_errors"]) == (0, 0)
    # Exactly once: no row twice, nothing of the poison stored.
    assert _summaries(database) == sorted(good)


def _summaries(database):
    return sorted(row[5] for row in database.rows())


def test_database_outage_loses_no_notification(tmp_path, topic, database, publisher):
    collector = collector_for(tmp_path, database, topic)
    collector.start()
    try:
        publisher.error("volume.create.error", {"reason": "before"})
        wait_for(lambda: _summaries(database) == ["before"], 30, "the first notification")

        # 1. The database goes away under the running collector, then comes back.
        lock = database.stop()
        for i in range(20):
            publisher.error("volume.create.error", {"reason": f"outage-1-{i:02d}"})
        wait_for(lambda: "Database down" in collector.log(), 60, "the collector to notice")
        database.start(lock)
        expected = ["before"] + [f"outage-1-{i:02d}" for i in range(20)]
        wait_for(lambda: _summaries(database) == expected, 60, "the batch held during the outage")

        # 2. Down again, and the collector dies while it is: the unacknowledged
        #    notifications go back to the queue and the next collector stores them.
        lock = database.stop()
        for i in range(10):
            publisher.error("volume.create.error", {"reason": f"outage-2-{i:02d}"})
        wait_for(lambda: collector.log().count("Database down") >= 2, 60, "the second outage")
        collector.stop(signal.SIGKILL)
        database.start(lock)
        collector.start()
        expected += [f"outage-2-{i:02d}" for i in range(10)]
        wait_for(lambda: _summaries(database) == expected, 60, "the requeued notifications")
        assert len(database.rows()) == len(expected)  # and none twice
    finally:
        collector.stop()


def _insert_expired(database, count):
    """``count`` events that expired an hour ago, written straight into the table."""
    connection = database.connect()
    try:
        cursor = connection.cursor()
        sql = (
            "INSERT INTO event_viewer_serviceevent (message_id, service, publisher_id, "
            "event_type, outcome, level, project_id, user_id, host, request_id, "
            "global_request_id, resource_type, resource_id, resource_name, summary, "
            "exception, traceback, payload, created_at, expires_at) VALUES "
            "(%s, 'volume', '', 'volume.create.error', 'fail', 'ERROR', '', '', '', '', "
            "'', '', '', '', 'expired', '', '', '', %s, %s)"
        )
        created, expires = "2026-01-01 00:00:00+00:00", "2026-01-31 00:00:00+00:00"
        if database.kind == "sqlite":
            sql = sql.replace("%s", "?")  # the sqlite3 module's placeholder
        elif database.kind == "mysql":
            created, expires = created[:19], expires[:19]  # DATETIME in UTC, no offset
        cursor.executemany(sql, [(f"expired-{i}", created, expires) for i in range(count)])
        connection.commit()
    finally:
        connection.close()


def test_reap_once_command_and_reapers_running_side_by_side(tmp_path, topic, database):
    collector = collector_for(tmp_path, database, topic, message_reap_batch_size=500)
    _insert_expired(database, 6000)
    reap = [str(COLLECTOR.with_name("event-viewer-reap")), "--config-file", collector.conf_path]
    # Two reapers at once (two nodes' crons): disjoint batches, nothing deleted twice.
    runs = [
        subprocess.Popen(reap, env=collector.env, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    deleted = [int(re.search(r"Deleted (\d+) expired events", out).group(1)) for out in outputs]
    assert sum(deleted) == 6000, deleted
    assert database.rows() == []


# --- The services' own exchanges (issue 9, item 12) ---------------------------------------

# Where the local cloud's services publish, each by its own default (tools/devcloud
# sets no control_exchange): Keystone calls set_transport_defaults("keystone");
# Cinder and Trove never do, so they keep oslo.messaging's "openstack".
SERVICE_EXCHANGES = ("keystone", "openstack")


class ExchangeSpy:
    """A queue of the test's own bound to the services' exchanges: shows where each
    notification was really published (the exchange is in every delivery)."""

    def __init__(self, exchanges, topic="notifications"):
        self.connection = kombu.Connection(AMQP_URL)
        bindings = [
            kombu.binding(kombu.Exchange(name, type="topic", durable=False), f"{topic}.*")
            for name in exchanges
        ]
        self.queue = kombu.Queue(
            f"ev-live-spy-{uuid.uuid4().hex[:8]}", bindings=bindings, exclusive=True
        )(self.connection.channel())
        self.queue.declare()
        self.seen = []

    def drain(self):
        while (message := self.queue.get(no_ack=True)) is not None:
            body = json.loads(message.body)
            inner = json.loads(body["oslo.message"]) if "oslo.message" in body else body
            self.seen.append((message.delivery_info["exchange"], inner.get("event_type")))
        return self.seen

    def close(self):
        self.connection.release()


def _delete_queue(name):
    with kombu.Connection(AMQP_URL) as connection, connection.channel() as channel:
        channel.queue_delete(name)


def _resource_ids(database):
    connection = database.connect()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT resource_id FROM event_viewer_serviceevent")
        return {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()


def test_the_services_notifications_arrive_through_their_own_exchanges(tmp_path, topic, cloud):
    """A real Cinder failure (exchange openstack) and a real Keystone notification (exchange
    keystone) reach a collector with the default exchanges, through one pool queue."""
    from tests.e2e.conftest import api_session

    database = Database("sqlite", tmp_path)
    pool = f"{topic}-pool"
    # The real services' topic and the default exchanges; a pool (queue) of its own.
    collector = collector_for(tmp_path, database, topic, debug=True, topics="notifications")
    spy = ExchangeSpy(SERVICE_EXCHANGES + ("cinder", "trove"))
    collector.start()
    admin = api_session(cloud, "admin")
    identity = {"service_type": "identity", "interface": "public"}
    volume = {"service_type": "volumev3", "interface": "public"}
    user_id = volume_id = None
    try:
        # Keystone: a user created (and deleted) by the admin.
        response = admin.post(
            "/users",
            json={"user": {"name": f"ev-exchange-{topic}", "domain_id": "default"}},
            endpoint_filter=identity,
        )
        user_id = response.json()["user"]["id"]
        # Cinder: a volume create that the real cinder-scheduler fails (no backend).
        response = api_session(cloud, "alice").post(
            "/volumes",
            json={"volume": {"size": 1, "name": f"ev-exchange-{topic}"}},
            endpoint_filter=volume,
        )
        volume_id = response.json()["volume"]["id"]

        wait_for(lambda: volume_id in _resource_ids(database), 60, "Cinder's failure stored")
        # Keystone's notifications are plain info (not stored): the collector's
        # debug log names each one it received and ignored.
        wait_for(
            lambda: "notification identity.user.created" in collector.log(),
            60,
            "Keystone's notification at the collector",
        )
        seen = spy.drain()
        assert ("keystone", "identity.user.created") in seen, seen
        cinder = {
            exchange for exchange, event in seen if event.startswith(("volume.", "scheduler."))
        }
        assert cinder == {"openstack"}, seen  # Cinder's own default, not "cinder"
    finally:
        collector.stop()
        spy.close()
        # Bound to the services' real topic: left behind it would fill up forever.
        _delete_queue(pool)
        if user_id:
            admin.delete(f"/users/{user_id}", endpoint_filter=identity)
        if volume_id:
            api_session(cloud, "alice").delete(f"/volumes/{volume_id}", endpoint_filter=volume)
