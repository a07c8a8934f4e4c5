"""devcloud: the local real OpenStack cloud that event-viewer's demo and e2e tests run against.

This module owns the life cycle of that cloud: the virtualenv with the 2026.1 services
(Keystone, Cinder, Trove), their configuration files, their databases, starting and
stopping the processes, the Keystone users/projects/catalog, and the `env` helper.
Filling the cloud with failures is seed.py's job (it runs inside the venv).

It is stdlib-only on purpose: it has to run before the venv exists. Everything listens on
127.0.0.1 and nothing here ever waits without a time limit.

State lives in $DEVCLOUD_HOME (default: <repo>/.devcloud):
    venv/  etc/  data/  log/<service>.log  run/<service>.pid  cloud.json
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
HOME = Path(os.environ.get("DEVCLOUD_HOME") or REPO / ".devcloud").resolve()
VENV = HOME / "venv"
ETC = HOME / "etc"
DATA = HOME / "data"
LOG = HOME / "log"
RUN = HOME / "run"
CLOUD_JSON = HOME / "cloud.json"

REQUIREMENTS = HERE / "requirements.txt"
CONSTRAINTS = HERE / "upper-constraints-2026.1.txt"
PYTHON = os.environ.get("DEVCLOUD_PYTHON", "python3.11")

HOST = "127.0.0.1"
REGION = "RegionOne"
AUTH_URL = f"http://{HOST}:5000/v3"
RABBIT_PORT = 5672
TRANSPORT_URL = f"rabbit://guest:guest@{HOST}:{RABBIT_PORT}/"

# Demo identities. Passwords equal user names: this cloud only listens on loopback.
USERS = {
    "admin": {"project": "admin", "roles": ["admin"]},
    "alice": {"project": "alpha", "roles": ["member", "reader"]},
    "bob": {"project": "beta", "roles": ["member", "reader"]},
}
SERVICE_USERS = ("cinder", "trove")

ENDPOINTS = {
    # type: (service name, url); keystone's own entry is made by `keystone-manage bootstrap`.
    "identity": ("keystone", AUTH_URL),
    "volumev3": ("cinderv3", f"http://{HOST}:8776/v3/$(project_id)s"),
    "database": ("trove", f"http://{HOST}:8779/v1.0/$(tenant_id)s"),
}

# Start order matters: the APIs validate tokens against keystone.
SERVICES = {
    "keystone": {"port": 5000, "probe": "/v3"},
    "cinder-api": {"port": 8776, "probe": "/"},
    "cinder-scheduler": {"port": None, "probe": None},
    "trove-api": {"port": 8779, "probe": "/"},
}
START_TIMEOUT = 60  # seconds per service
STOP_TIMEOUT = 10


class DevcloudError(Exception):
    """A failure with a message meant for the person running devcloud."""


def say(msg: str) -> None:
    print(f"devcloud: {msg}", flush=True)


# --------------------------------------------------------------------------- install


def _requirements_hash() -> str:
    h = hashlib.sha256()
    for path in (REQUIREMENTS, CONSTRAINTS):
        h.update(path.read_bytes())
    return h.hexdigest()


def _install_stamp() -> Path:
    return VENV / ".devcloud-installed"


def venv_ready() -> bool:
    stamp = _install_stamp()
    return stamp.is_file() and stamp.read_text().strip() == _requirements_hash()


def cmd_install(_args: argparse.Namespace | None = None) -> int:
    if venv_ready():
        say(f"venv is complete ({VENV}); nothing to do")
        return 0
    if shutil.which(PYTHON) is None:
        raise DevcloudError(f"{PYTHON} not found; set DEVCLOUD_PYTHON to a Python 3.11")
    LOG.mkdir(parents=True, exist_ok=True)
    log = LOG / "install.log"
    started = time.monotonic()
    say(f"installing keystone, cinder, trove into {VENV} (about a minute; log: {log})")
    with log.open("w") as out:
        steps = []
        if not (VENV / "bin" / "python").exists():
            steps.append([PYTHON, "-m", "venv", str(VENV)])
        steps.append(
            [
                str(VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-c",
                str(CONSTRAINTS),
                "-r",
                str(REQUIREMENTS),
            ]
        )
        for step in steps:
            out.write(f"$ {shlex.join(step)}\n")
            out.flush()
            # pip has no overall timeout; 20 minutes is far beyond a normal run.
            try:
                rc = subprocess.run(
                    step,
                    check=False,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=1200,
                ).returncode
            except subprocess.TimeoutExpired:
                rc = -1
            if rc != 0:
                _print_tail(log)
                raise DevcloudError(f"install failed: {shlex.join(step)} (log: {log})")
    _install_stamp().write_text(_requirements_hash() + "\n")
    say(f"installed in {time.monotonic() - started:.0f} s")
    return 0


# --------------------------------------------------------------------------- configs


def _site_packages() -> Path:
    return next((VENV / "lib").glob("python3*/site-packages"))


def _ini(sections: dict[str, dict[str, object]]) -> str:
    lines = ["# Generated by tools/devcloud/devcloud.py; rewritten on every start."]
    for name, opts in sections.items():
        lines.append(f"\n[{name}]")
        lines.extend(f"{key} = {value}" for key, value in opts.items())
    return "\n".join(lines) + "\n"


def _authtoken(user: str) -> dict[str, object]:
    return {
        "www_authenticate_uri": f"http://{HOST}:5000",
        "auth_url": f"http://{HOST}:5000",
        "auth_type": "password",
        "username": user,
        "password": user,
        "project_name": "service",
        "user_domain_name": "Default",
        "project_domain_name": "Default",
        "region_name": REGION,
        # The service users carry the service role (see setup_keystone_entities).
        "service_token_roles_required": True,
    }


def write_configs() -> None:
    for d in (ETC, DATA, LOG, RUN, DATA / "cinder" / "locks", DATA / "trove"):
        d.mkdir(parents=True, exist_ok=True)
    venv_etc = VENV / "etc"
    # Every service keeps its own control exchange, as in production (none is set
    # here): Keystone publishes to "keystone", Cinder and Trove keep oslo.messaging's
    # default "openstack". The collector listens on all of them.
    keystone = {
        "DEFAULT": {"debug": False, "transport_url": TRANSPORT_URL},
        "database": {"connection": f"sqlite:///{DATA / 'keystone.db'}"},
        # Keystone's notifications (identity.user.created...) on its own exchange:
        # the e2e proves the collector hears a service outside "openstack".
        "oslo_messaging_notifications": {"driver": "messagingv2", "topics": "notifications"},
        "token": {"provider": "fernet"},
        "fernet_tokens": {"key_repository": ETC / "keystone" / "fernet-keys"},
        "fernet_receipts": {"key_repository": ETC / "keystone" / "fernet-keys"},
        "credential": {"key_repository": ETC / "keystone" / "credential-keys"},
    }
    cinder = {
        "DEFAULT": {
            "debug": False,
            "auth_strategy": "keystone",
            "transport_url": TRANSPORT_URL,
            "host": "devcloud",
            "my_ip": HOST,
            "osapi_volume_listen": HOST,
            "state_path": DATA / "cinder",
            "api_paste_config": venv_etc / "cinder" / "api-paste.ini",
            # Pitfall 4: without it every filtered list at microversion 3.31+ answers 400.
            "resource_query_filters_file": venv_etc / "cinder" / "resource_filters.json",
            # No volume backend on purpose: creates fail in the scheduler, which writes
            # the real "no valid backend" user message.
            "enabled_backends": "",
        },
        "database": {"connection": f"sqlite:///{DATA / 'cinder.db'}"},
        "oslo_concurrency": {"lock_path": DATA / "cinder" / "locks"},
        # Real notifications on the bus (topic "notifications"), which the
        # Event Viewer's collector stores: the seeded failures arrive through it.
        "oslo_messaging_notifications": {"driver": "messagingv2", "topics": "notifications"},
        "keystone_authtoken": _authtoken("cinder"),
    }
    trove = {
        "DEFAULT": {
            "debug": False,
            "bind_host": HOST,
            "bind_port": 8779,
            "transport_url": TRANSPORT_URL,
            "api_paste_config": venv_etc / "trove" / "api-paste.ini",
            # Pitfall 6: there is no Nova/Neutron/Cinder-for-Trove/guest agent here.
            "remote_nova_client": "trove_standins.nova_client",
            "remote_neutron_client": "trove_standins.neutron_client",
            "remote_cinder_client": "trove_standins.cinder_client",
            "remote_guest_client": "trove_standins.guest_client",
            # Trove rate-limits per user (200 GET/min by default); e2e tests and
            # benchmarks would trip it.
            "http_get_rate": 100000,
            "http_post_rate": 100000,
            "http_put_rate": 100000,
            "http_delete_rate": 100000,
            "http_mgmt_post_rate": 100000,
        },
        "database": {"connection": f"sqlite:///{DATA / 'trove.db'}"},
        # Real notifications on the bus (topic "notifications"), which the
        # Event Viewer's collector stores: the seeded failures arrive through it.
        "oslo_messaging_notifications": {"driver": "messagingv2", "topics": "notifications"},
        "keystone_authtoken": _authtoken("trove"),
        "service_credentials": {
            "auth_url": AUTH_URL,
            "username": "trove",
            "password": "trove",
            "project_name": "service",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": REGION,
        },
    }
    for name, sections in (("keystone", keystone), ("cinder", cinder), ("trove", trove)):
        (ETC / f"{name}.conf").write_text(_ini(sections))


def _wal(db: Path) -> None:
    # Pitfall 3: keystone under concurrent requests hits "database is locked" with the
    # default rollback journal. WAL mode is a property of the file, so set it once.
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def _tool(args: list[str], what: str, timeout: int = 180) -> None:
    log = LOG / "setup.log"
    with log.open("a") as out:
        out.write(f"$ {shlex.join(args)}\n")
        out.flush()
        try:
            rc = subprocess.run(
                args,
                check=False,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                cwd=HOME,
            ).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    if rc != 0:
        _print_tail(log)
        raise DevcloudError(f"{what} failed ({rc}); log: {log}")


def _setup_stamp() -> Path:
    return DATA / ".setup-done"


def setup_databases() -> None:
    """db_sync for all three services, keystone bootstrap and key repositories.

    Skipped when a stamp says it was done for this exact set of packages: db_sync on an
    up-to-date database still costs seconds each, and restarts should be quick.
    """
    stamp = _setup_stamp()
    if stamp.is_file() and stamp.read_text().strip() == _requirements_hash():
        return
    say("creating databases (db_sync for keystone, cinder, trove)")
    b = VENV / "bin"
    for name in ("keystone", "cinder", "trove"):
        _wal(DATA / f"{name}.db")
    uid, gid = os.getuid(), os.getgid()
    import grp
    import pwd

    user, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
    kconf = ["--config-file", str(ETC / "keystone.conf")]
    _tool([str(b / "keystone-manage"), *kconf, "db_sync"], "keystone db_sync")
    for repo, command in (("fernet-keys", "fernet_setup"), ("credential-keys", "credential_setup")):
        (ETC / "keystone" / repo).mkdir(parents=True, exist_ok=True, mode=0o700)
        _tool(
            [
                str(b / "keystone-manage"),
                *kconf,
                command,
                "--keystone-user",
                user,
                "--keystone-group",
                group,
            ],
            f"keystone {command}",
        )
    _tool(
        [
            str(b / "keystone-manage"),
            *kconf,
            "bootstrap",
            "--bootstrap-password",
            "admin",
            "--bootstrap-username",
            "admin",
            "--bootstrap-project-name",
            "admin",
            "--bootstrap-role-name",
            "admin",
            "--bootstrap-service-name",
            "keystone",
            "--bootstrap-region-id",
            REGION,
            "--bootstrap-admin-url",
            AUTH_URL,
            "--bootstrap-internal-url",
            AUTH_URL,
            "--bootstrap-public-url",
            AUTH_URL,
        ],
        "keystone bootstrap",
    )
    _tool(
        [str(b / "cinder-manage"), "--config-file", str(ETC / "cinder.conf"), "db", "sync"],
        "cinder db sync",
    )
    _tool(
        [str(b / "trove-manage"), "--config-file", str(ETC / "trove.conf"), "db_sync"],
        "trove db_sync",
    )
    stamp.write_text(_requirements_hash() + "\n")


# --------------------------------------------------------------------------- processes


def _command(name: str) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    env["PATH"] = f"{VENV / 'bin'}:{env.get('PATH', '')}"
    # Our WSGI wrapper and the Trove stand-ins are imported from this directory.
    env["PYTHONPATH"] = str(HERE)
    if name == "cinder-scheduler":
        return [
            str(VENV / "bin" / "cinder-scheduler"),
            "--config-file",
            str(ETC / "cinder.conf"),
        ], env
    port = SERVICES[name]["port"]
    env["DEVCLOUD_SERVICE"] = name
    env["DEVCLOUD_CONFIG_FILE"] = str(ETC / f"{name.split('-')[0]}.conf")
    if name == "keystone":
        env["OS_KEYSTONE_CONFIG_FILES"] = str(ETC / "keystone.conf")
    if name == "trove-api":
        # Pitfall 5: trove-api under gunicorn hangs once eventlet monkey-patches.
        env["NO_EVENTLET_MONKEYPATCH"] = "1"
    return [
        str(VENV / "bin" / "gunicorn"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "1",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--name",
        f"devcloud-{name}",
        # Pitfall 2: several gunicorns on one machine fight over the control socket.
        "--no-control-socket",
        "--pythonpath",
        str(HERE),
        "devcloud_wsgi:application",
    ], env


def _pid_file(name: str) -> Path:
    return RUN / f"{name}.pid"


def _pid(name: str) -> int | None:
    """The pid we recorded for NAME, if that process is still ours and alive."""
    try:
        pid = int(_pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # A recycled pid would not carry our venv path; a zombie is not running.
    if str(VENV) not in cmdline or stat.rsplit(")", 1)[1].split()[0] == "Z":
        return None
    return pid


def _http_ok(port: int, path: str, timeout: float = 3.0) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status < 500
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _scheduler_alive(since: float | None = None) -> bool:
    # cinder-scheduler has no port: it is up when it has reported to the services table
    # within cinder's service_down_time (60 s) -- and, right after a (re)start, since then,
    # or the previous process's last report would count.
    try:
        con = sqlite3.connect(f"file:{DATA / 'cinder.db'}?mode=ro", uri=True, timeout=2)
        try:
            row = con.execute(
                "SELECT max(coalesce(updated_at, created_at)) FROM services "
                "WHERE binary = 'cinder-scheduler' AND deleted = 0"
            ).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    if not row or not row[0]:
        return False
    import datetime

    seen = datetime.datetime.fromisoformat(str(row[0]))
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    if since is not None and seen < datetime.datetime.fromtimestamp(since, datetime.UTC).replace(
        tzinfo=None
    ):
        return False
    return (now - seen).total_seconds() < 60


def healthy(name: str, since: float | None = None) -> bool:
    if _pid(name) is None:
        return False
    spec = SERVICES[name]
    if spec["port"] is None:
        return _scheduler_alive(since)
    return _http_ok(spec["port"], spec["probe"])


def _port_busy(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((HOST, port)) == 0


def _print_tail(path: Path, lines: int = 30) -> None:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return
    # Only the latest run matters: start after the last "===== devcloud start" marker.
    marks = [i for i, line in enumerate(text) if line.startswith("===== devcloud start")]
    text = text[marks[-1] + 1 :] if marks else text
    text = text[-lines:]
    print(f"----- last {len(text)} lines of {path} -----", file=sys.stderr)
    for line in text:
        print(line, file=sys.stderr)
    print("-----", file=sys.stderr)


def start_service(name: str) -> None:
    if _pid(name) is not None:
        if healthy(name):
            return
        stop_service(name)
    port = SERVICES[name]["port"]
    if port and _port_busy(port):
        raise DevcloudError(
            f"{name}: port {HOST}:{port} is taken by a process devcloud "
            f"did not start; stop it first"
        )
    cmd, env = _command(name)
    log = LOG / f"{name}.log"
    launched = time.time() - 1  # cinder stores seconds; allow for rounding
    with log.open("a") as out:
        out.write(f"\n===== devcloud start {time.strftime('%Y-%m-%d %H:%M:%S')} =====\n")
        out.flush()
        # A new session makes the pid a process-group leader, so stop can signal the
        # gunicorn master and its workers together.
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=HOME,
            start_new_session=True,
        )
    _pid_file(name).write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _print_tail(log)
            raise DevcloudError(
                f"{name} exited with status {proc.returncode} during start-up; log: {log}"
            )
        if healthy(name, since=launched):
            return
        time.sleep(0.5)
    _print_tail(log)
    stop_service(name)
    raise DevcloudError(f"{name} did not answer within {START_TIMEOUT} s; log: {log}")


def stop_service(name: str) -> bool:
    """Stop NAME's whole process group. Returns whether something was running."""
    pid = _pid(name)
    _pid_file(name).unlink(missing_ok=True)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if not _group_alive(pid):
            return True
        time.sleep(0.2)
    say(f"{name} ignored SIGTERM for {STOP_TIMEOUT} s; sending SIGKILL")
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return True


def _group_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state, fields[2] the process group.
        if fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


# --------------------------------------------------------------------------- rabbitmq


def ensure_rabbitmq() -> None:
    """Use the broker on 127.0.0.1:5672 if there is one; else start Debian's, detached."""
    if _port_busy(RABBIT_PORT):
        return
    server = shutil.which("rabbitmq-server") or "/usr/sbin/rabbitmq-server"
    if not Path(server).exists():
        if os.geteuid() != 0:
            raise DevcloudError(
                "RabbitMQ is not running on 127.0.0.1:5672 and not "
                "installed; run: sudo apt-get install -y rabbitmq-server"
            )
        say("installing rabbitmq-server (apt-get)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        # policy-rc.d-less containers would start the broker on all interfaces; we stop
        # nothing here and start our own, loopback-only instance below.
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "rabbitmq-server"],
            check=True,
            env=env,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        if _port_busy(RABBIT_PORT):
            return
    rabbit = HOME / "rabbitmq"
    for d in ("mnesia", "log"):
        (rabbit / d).mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        RABBITMQ_NODE_IP_ADDRESS=HOST,
        RABBITMQ_NODE_PORT=str(RABBIT_PORT),
        RABBITMQ_DIST_PORT="25673",
        ERL_EPMD_ADDRESS=HOST,
        RABBITMQ_NODENAME="devcloud@localhost",
        RABBITMQ_MNESIA_BASE=str(rabbit / "mnesia"),
        RABBITMQ_LOG_BASE=str(rabbit / "log"),
        RABBITMQ_SERVER_START_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
    )
    say("starting RabbitMQ on 127.0.0.1:5672 (detached)")
    log = LOG / "rabbitmq.log"
    with log.open("a") as out:
        # Pitfall 7: fully detached (own session, no inherited stdio) or start hangs.
        proc = subprocess.Popen(
            [server],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    _pid_file("rabbitmq").write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _port_busy(RABBIT_PORT):
            return
        if proc.poll() is not None:
            break
        time.sleep(1)
    _print_tail(log)
    raise DevcloudError("RabbitMQ did not come up on 127.0.0.1:5672")


def stop_rabbitmq() -> None:
    # Only a broker that devcloud started has a pid file; any other one is left alone.
    pid_file = _pid_file("rabbitmq")
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return
    pid_file.unlink(missing_ok=True)
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.5)
    if _group_alive(pid):
        os.killpg(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- keystone


class Keystone:
    """Just enough of the Keystone v3 API (stdlib http.client) to make entities idempotently."""

    def __init__(self) -> None:
        self.token = self._token("admin", "admin", "admin")

    def _call(
        self, method: str, path: str, body: dict | None = None, token: str | None = None
    ) -> tuple[int, dict, dict]:
        conn = http.client.HTTPConnection(HOST, 5000, timeout=30)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token or getattr(self, "token", None):
            headers["X-Auth-Token"] = token or self.token
        try:
            conn.request(
                method, f"/v3{path}", body=json.dumps(body) if body else None, headers=headers
            )
            resp = conn.getresponse()
            raw = resp.read()
            data = json.loads(raw) if raw else {}
            if resp.status >= 400:
                raise DevcloudError(f"keystone {method} {path}: {resp.status} {raw[:300]!r}")
            return resp.status, data, dict(resp.getheaders())
        finally:
            conn.close()

    def _token(self, user: str, password: str, project: str) -> str:
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {"name": user, "password": password, "domain": {"id": "default"}}
                    },
                },
                "scope": {"project": {"name": project, "domain": {"id": "default"}}},
            }
        }
        _, _, headers = self._call("POST", "/auth/tokens", body, token="")
        return headers["X-Subject-Token"]

    def _find(self, collection: str, **query: str) -> dict | None:
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        items = self._call("GET", f"/{collection}?{qs}")[1][collection]
        return items[0] if items else None

    def ensure(self, collection: str, singular: str, query: dict, body: dict) -> dict:
        found = self._find(collection, **query)
        if found:
            return found
        return self._call("POST", f"/{collection}", {singular: body})[1][singular]

    def project(self, name: str) -> dict:
        return self.ensure(
            "projects", "project", {"name": name}, {"name": name, "domain_id": "default"}
        )

    def role(self, name: str) -> dict:
        return self.ensure("roles", "role", {"name": name}, {"name": name})

    def user(self, name: str, project: dict) -> dict:
        return self.ensure(
            "users",
            "user",
            {"name": name},
            {
                "name": name,
                "password": name,
                "domain_id": "default",
                "default_project_id": project["id"],
            },
        )

    def grant(self, user: dict, project: dict, role: dict) -> None:
        self._call("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{role['id']}")

    def endpoints(self, stype: str, name: str, url: str) -> None:
        service = self.ensure(
            "services", "service", {"type": stype}, {"type": stype, "name": name, "enabled": True}
        )
        existing = self._call("GET", f"/endpoints?service_id={service['id']}")[1]["endpoints"]
        have = {e["interface"] for e in existing if e.get("region_id") == REGION}
        for interface in ("public", "internal", "admin"):
            if interface not in have:
                self._call(
                    "POST",
                    "/endpoints",
                    {
                        "endpoint": {
                            "service_id": service["id"],
                            "interface": interface,
                            "url": url,
                            "region_id": REGION,
                            "enabled": True,
                        }
                    },
                )


def setup_keystone_entities() -> None:
    stamp = DATA / ".entities-done"
    if stamp.is_file():
        return
    ks = Keystone()
    roles = {name: ks.role(name) for name in ("admin", "member", "reader", "service")}
    for user, spec in USERS.items():
        project = ks.project(spec["project"])
        account = ks.user(user, project)
        for role in spec["roles"]:
            ks.grant(account, project, roles[role])
    service_project = ks.project("service")
    for user in SERVICE_USERS:
        account = ks.user(user, service_project)
        # keystonemiddleware validates tokens; keystone's policy wants the service role.
        for role in ("admin", "service"):
            ks.grant(account, service_project, roles[role])
    for stype, (name, url) in ENDPOINTS.items():
        ks.endpoints(stype, name, url)
    stamp.write_text("ok\n")


# --------------------------------------------------------------------------- commands


def cmd_start(_args: argparse.Namespace) -> int:
    started = time.monotonic()
    if all(healthy(name) for name in SERVICES):
        say("all services already running and healthy (devcloud status for details)")
        return 0
    if not venv_ready():
        cmd_install()
    ensure_rabbitmq()
    write_configs()
    setup_databases()
    for name in SERVICES:
        if healthy(name):
            continue
        t0 = time.monotonic()
        say(f"starting {name} ...")
        start_service(name)
        say(f"{name} is up ({time.monotonic() - t0:.1f} s)")
        if name == "keystone":
            setup_keystone_entities()
    say(f"cloud is up in {time.monotonic() - started:.0f} s; next: devcloud seed")
    return 0


def cmd_stop(_args: argparse.Namespace) -> int:
    for name in reversed(list(SERVICES)):
        if stop_service(name):
            say(f"stopped {name}")
    stop_rabbitmq()
    return 0


def _service_arg(name: str) -> str:
    if name not in SERVICES:
        raise DevcloudError(f"unknown service {name!r}; one of: {', '.join(SERVICES)}")
    return name


def cmd_start_service(args: argparse.Namespace) -> int:
    name = _service_arg(args.name)
    if not _setup_stamp().is_file():
        raise DevcloudError("the cloud was never set up; run: devcloud start")
    write_configs()
    start_service(name)
    say(f"{name} is up")
    return 0


def cmd_stop_service(args: argparse.Namespace) -> int:
    name = _service_arg(args.name)
    say(f"stopped {name}" if stop_service(name) else f"{name} was not running")
    return 0


def _rss_kb(pgid: int) -> int:
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            pgrp = Path(status.parent / "stat").read_text().rsplit(")", 1)[1].split()[2]
        except OSError:
            continue
        if pgrp == str(pgid):
            for line in text.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def cmd_status(_args: argparse.Namespace) -> int:
    all_up = True
    total = 0
    for name, spec in SERVICES.items():
        pid = _pid(name)
        up = healthy(name)
        all_up &= up
        port = f"{HOST}:{spec['port']}" if spec["port"] else "(rpc via rabbitmq)"
        rss = _rss_kb(pid) if pid else 0
        total += rss
        print(
            f"{name:<17} {'up' if up else 'DOWN':<5} {port:<20} "
            f"pid={pid or '-':<8} rss={rss // 1024} MB"
        )
    print(f"{'total':<17} {'':<5} {'':<20} {'':<12} rss={total // 1024} MB")
    return 0 if all_up else 1


def cmd_seed(args: argparse.Namespace) -> int:
    if not venv_ready():
        raise DevcloudError("the venv is not installed; run: devcloud start")
    wants_help = bool({"-h", "--help"} & set(args.rest))
    if not wants_help and not all(healthy(name) for name in SERVICES):
        raise DevcloudError("services are not all up; run: devcloud start")
    cmd = [str(VENV / "bin" / "python"), str(HERE / "seed.py"), *args.rest]
    env = dict(os.environ, DEVCLOUD_HOME=str(HOME), PYTHONPATH=str(HERE))
    return subprocess.run(cmd, env=env, check=False).returncode


def cmd_env(args: argparse.Namespace) -> int:
    if args.user not in USERS:
        raise DevcloudError(f"unknown user {args.user!r}; one of: {', '.join(USERS)}")
    exports = {
        "OS_AUTH_URL": AUTH_URL,
        "OS_AUTH_TYPE": "password",
        "OS_IDENTITY_API_VERSION": "3",
        "OS_USERNAME": args.user,
        "OS_PASSWORD": args.user,
        "OS_PROJECT_NAME": USERS[args.user]["project"],
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_REGION_NAME": REGION,
    }
    for key, value in exports.items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="devcloud",
        description="Local real OpenStack (Keystone, Cinder, Trove) for event-viewer. "
        f"State: {HOME} (set DEVCLOUD_HOME to move it).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="create the venv with the services").set_defaults(
        func=cmd_install
    )
    sub.add_parser("start", help="install if needed, configure, start everything").set_defaults(
        func=cmd_start
    )
    sub.add_parser("stop", help="stop everything devcloud started").set_defaults(func=cmd_stop)
    sub.add_parser("status", help="one line per service; exit 0 if all up").set_defaults(
        func=cmd_status
    )
    for name, func, text in (
        ("start-service", cmd_start_service, "start one service"),
        ("stop-service", cmd_stop_service, "stop one service"),
    ):
        p = sub.add_parser(name, help=f"{text}: {', '.join(SERVICES)}")
        p.add_argument("name", metavar="NAME", help=", ".join(SERVICES))
        p.set_defaults(func=func)
    # seed's own options are parsed by seed.py (inside the venv); see main() below.
    sub.add_parser("seed", help="create real failures: devcloud seed --help")
    p = sub.add_parser("env", help="print OS_* exports for a user: devcloud env alice")
    p.add_argument("user", nargs="?", default="admin", help=", ".join(USERS))
    p.set_defaults(func=cmd_env)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["seed"]:
        args = argparse.Namespace(func=cmd_seed, rest=argv[1:])
    else:
        args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DevcloudError as exc:
        print(f"devcloud: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
