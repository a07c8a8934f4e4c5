"""A real ``event-viewer-collector`` process for the live tests, and what they publish to it.

Each test gets its own topic and pool (so its queue holds only its own
notifications), a database of its own (an SQLite file, or a PostgreSQL or
MariaDB database where a server answers on 127.0.0.1) and the local RabbitMQ that
``tools/devcloud`` uses.
"""

import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import kombu
import oslo_messaging
from oslo_config import cfg
from oslo_context.context import RequestContext

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
BROKER_URL = "rabbit://guest:guest@127.0.0.1:5672/"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
COLLECTOR = pathlib.Path(sys.executable).with_name("event-viewer-collector")


class Database:
    """The collector's database as the test reads it (raw SQL, outside Django).

    ``stop()`` makes it refuse the collector as a stopped server would, without
    touching the machine's shared servers: PostgreSQL closes this database to
    connections, MariaDB locks the collector's own account (and both cut the
    open connections), SQLite is held under an exclusive lock.
    """

    def __init__(self, kind, tmp_path):
        self.kind = kind
        if kind == "sqlite":
            self.name = str(tmp_path / "store.sqlite3")
            return
        self.name = f"ev_live_{uuid.uuid4().hex[:12]}"
        if kind == "postgresql":
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            # The collector logs in as a user of its own, which stop() can lock.
            self._admin(f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4")
            for account in self._mysql_accounts():
                self._admin(f"CREATE USER {account}")
                self._admin(f"GRANT ALL ON `{self.name}`.* TO {account}")

    def _mysql_accounts(self):
        # 127.0.0.1 when the server skips name resolution, localhost when not.
        return [f"'{self.name}'@'{host}'" for host in ("127.0.0.1", "localhost")]

    @property
    def env(self):
        env = {"EVENT_VIEWER_TEST_DB": self.kind, "EVENT_VIEWER_TEST_DB_NAME": self.name}
        if self.kind == "mysql":
            env["EVENT_VIEWER_TEST_DB_USER"] = self.name
        return env

    def connect(self):
        if self.kind == "sqlite":
            return sqlite3.connect(self.name, timeout=30)
        if self.kind == "postgresql":
            import psycopg2

            return psycopg2.connect(host="127.0.0.1", user="postgres", dbname=self.name)
        import pymysql

        return pymysql.connect(host="127.0.0.1", user="root", database=self.name)

    def rows(self):
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute(
                "SELECT message_id, event_type, outcome, host, user_id, summary "
                "FROM event_viewer_serviceevent ORDER BY id"
            )
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            connection.close()

    def _admin(self, sql, params=None):
        if self.kind == "postgresql":
            import psycopg2

            connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
            connection.autocommit = True
        else:
            import pymysql

            connection = pymysql.connect(host="127.0.0.1", user="root", autocommit=True)
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def stop(self):
        """Make the database refuse the collector, as a stopped server would."""
        if self.kind == "postgresql":
            self._admin(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
            self._admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (self.name,),
            )
            return None
        if self.kind == "mysql":
            for account in self._mysql_accounts():
                self._admin(f"ALTER USER {account} ACCOUNT LOCK")
            sessions = self._admin(
                "SELECT id FROM information_schema.processlist WHERE user = %s", (self.name,)
            )
            for (session,) in sessions:
                self._admin(f"KILL {int(session)}")
            return None
        # SQLite has no server: an exclusive lock held elsewhere makes every
        # write fail ("database is locked") until it is released.
        locker = sqlite3.connect(self.name, timeout=1, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        return locker

    def start(self, locker=None):
        if self.kind == "postgresql":
            self._admin(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')
        elif self.kind == "mysql":
            for account in self._mysql_accounts():
                self._admin(f"ALTER USER {account} ACCOUNT UNLOCK")
        elif locker is not None:
            locker.execute("ROLLBACK")
            locker.close()

    def drop(self):
        if self.kind == "postgresql":
            self.start()
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.kind == "mysql":
            self._admin(f"DROP DATABASE IF EXISTS `{self.name}`")
            for account in self._mysql_accounts():
                self._admin(f"DROP USER IF EXISTS {account}")


def server_answers(port):
    """True when a server listens on 127.0.0.1:``port`` (PostgreSQL 5432, MariaDB 3306)."""
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class CollectorProcess:
    """``event-viewer-collector`` with the unit tests' Django settings on ``database``."""

    def __init__(self, tmp_path, database, topic, debug=False, **options):
        self.database = database
        self.topic = topic
        self.log_path = tmp_path / f"collector-{topic}.log"
        self.conf_path = tmp_path / f"collector-{topic}.conf"
        collector = {
            "topics": topic,
            "pool": f"{topic}-pool",
            "batch_timeout": 0.2,
            "db_retry_seconds": 1200,  # the longest allowed: outages here are held, not requeued
            **options,
        }
        lines = [
            "[DEFAULT]",
            f"transport_url = {BROKER_URL}",
            f"debug = {debug}",
            "",
            "[collector]",
        ]
        lines += [f"{key} = {value}" for key, value in collector.items()]
        self.conf_path.write_text("\n".join(lines) + "\n")
        self.env = {
            **os.environ,
            **database.env,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": str(REPO_ROOT),
        }
        self.process = None

    def migrate(self):
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput", "event_viewer"],
            env=self.env,
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )

    def start(self):
        already = len(self.log())
        with self.log_path.open("a") as log:  # the process keeps its own descriptor
            self.process = subprocess.Popen(
                [str(COLLECTOR), "--config-file", str(self.conf_path)],
                env=self.env,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(
            lambda: "Collector listening" in self.log()[already:], 60, "the collector to listen"
        )

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def send(self, signum):
        self.process.send_signal(signum)

    def stop(self, signum=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


class Publisher:
    """Notifications sent the way OpenStack services send them (oslo.messaging Notifier)."""

    def __init__(self, topic, publisher_id="volume.live-node", exchange="openstack"):
        conf = cfg.ConfigOpts()
        conf([])
        # The exchange is the transport's control_exchange, as in a service: a
        # first transport registers that option, the second one uses it.
        oslo_messaging.get_notification_transport(conf, url=BROKER_URL).cleanup()
        conf.set_override("control_exchange", exchange)
        self.exchange = exchange
        self.transport = oslo_messaging.get_notification_transport(conf, url=BROKER_URL)
        self.notifier = oslo_messaging.Notifier(
            self.transport, publisher_id=publisher_id, driver="messagingv2", topics=[topic]
        )
        self.topic = topic

    def error(self, event_type, payload, **ctxt):
        # A request context, as services notify with: the Notifier drops a
        # plain dict's fields (no user, project or request id would arrive).
        context = {"request_id": f"req-{uuid.uuid4()}", "user_id": "u-live", "project_id": "p-live"}
        self.notifier.error(RequestContext(**{**context, **ctxt}), event_type, payload)

    def envelope(self, event_type, payload, message_id=None, timestamp=None, **context):
        """The body oslo.messaging's messagingv2 driver sends, with fields it would not make.

        For :meth:`raw`: any message id or timestamp, as a broken or hostile publisher
        on the bus could send them.
        """
        message = {
            "message_id": message_id or str(uuid.uuid4()),
            "publisher_id": "volume.live-node",
            "event_type": event_type,
            "priority": "ERROR",
            "payload": payload,
            "timestamp": timestamp or time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime()),
        }
        context = {"request_id": f"req-{uuid.uuid4()}", "user_id": "u-live", **context}
        message.update({f"_context_{key}": value for key, value in context.items()})
        return {"oslo.version": "2.0", "oslo.message": json.dumps(message)}

    def raw(self, body, priority="error"):
        """A message no OpenStack service would send, straight onto the topic's exchange."""
        with kombu.Connection(AMQP_URL) as connection:
            exchange = kombu.Exchange(self.exchange, type="topic", durable=False)
            connection.Producer().publish(
                body if isinstance(body, str) else json.dumps(body),
                exchange=exchange,
                routing_key=f"{self.topic}.{priority}",
                content_type="application/json",
            )

    def close(self):
        self.transport.cleanup()
