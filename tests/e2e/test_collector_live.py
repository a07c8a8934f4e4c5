"""The collector as a process on the real broker: storage, malformed input, database outages."""

import re
import signal
import subprocess
import uuid

import pytest

from tests.e2e.collector_process import (
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
            "traceback, payload, created_at, expires_at) VALUES "
            "(%s, 'volume', '', 'volume.create.error', 'fail', 'ERROR', '', '', '', '', "
            "'', '', '', '', 'expired', '', '', %s, %s)"
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
