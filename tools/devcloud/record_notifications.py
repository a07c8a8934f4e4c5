"""Record the notifications the devcloud's real services publish, as JSON files for tests.

Run inside the devcloud venv while the cloud is up (and while no test uses it):

    sh -c 'tools/devcloud/devcloud start && \\
        .devcloud/venv/bin/python tools/devcloud/record_notifications.py --out /tmp/rec --exercise'

It listens with oslo.messaging's own notification listener (so each file holds exactly
what the collector's endpoint receives: ``{"priority", "message": {"ctxt",
"publisher_id", "event_type", "payload", "metadata"}}``) on the topics of both formats
(``notifications``, ``versioned_notifications``) in every exchange a service of the cloud
may publish to, in a pool queue of its own (deleted at the end, so nothing piles up in
it and the collector's queue loses nothing). With ``--exercise`` it makes the services
publish through their real APIs: as alice, a volume no backend can take (cinder-api,
cinder-scheduler) and its deletion; a Trove instance with a database user and its
password, failing for want of a flavor and succeeding, published by Trove's own notification
classes (trove-api cannot get that far without Nova; see :func:`publish_trove`).

This module owns the recording; which files become test data is chosen by hand (see
tests/unit/data/notifications/README.md).
"""

import argparse
import contextlib
import json
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import devcloud
import oslo_messaging
from oslo_config import cfg

#: Every control exchange the devcloud's services may publish to: oslo.messaging's
#: default, and each service's own (as in production).
EXCHANGES = ("openstack", "cinder", "trove", "keystone", "nova")
TOPICS = ("notifications", "versioned_notifications")
AMQP_URL = f"amqp://guest:guest@{devcloud.HOST}:{devcloud.RABBIT_PORT}//"


class Recorder:
    """An oslo.messaging endpoint for every priority, writing one file per notification."""

    def __init__(self, out):
        self.out = out
        self.count = 0
        self._lock = threading.Lock()

    def _record(self, priority, ctxt, publisher_id, event_type, payload, metadata):
        sample = {
            "priority": priority,
            "message": {
                "ctxt": ctxt,
                "publisher_id": publisher_id,
                "event_type": event_type,
                "payload": payload,
                "metadata": metadata,
            },
        }
        with self._lock:
            self.count += 1
            name = re.sub(r"[^A-Za-z0-9]+", "_", f"{publisher_id}_{event_type}")
            path = self.out / f"{self.count:03d}_{name}.json"
        path.write_text(json.dumps(sample, indent=1, sort_keys=True) + "\n")
        print(f"recorded {path.name} ({priority})", flush=True)

    def __getattr__(self, priority):
        if priority not in ("audit", "debug", "info", "warn", "error", "critical", "sample"):
            raise AttributeError(priority)
        return lambda *args: self._record(priority, *args)


def exercise():
    """Make cinder-api, cinder-scheduler and trove-api publish through their real APIs."""
    import seed

    alice = seed.login("alice")
    name = f"record-{uuid.uuid4().hex[:6]}"
    volume = seed.call(
        alice, "volumev3", "POST", "/volumes", json={"volume": {"size": 1, "name": name}}
    )["volume"]
    for _ in range(60):
        status = seed.call(alice, "volumev3", "GET", f"/volumes/{volume['id']}")["volume"]
        if status["status"] == "error":
            break
        time.sleep(1)
    seed.call(alice, "volumev3", "DELETE", f"/volumes/{volume['id']}")

    # trove-api itself publishes nothing here: its instance create looks the flavor up
    # in Nova before its first notification, and the devcloud has no Nova. So Trove's
    # own notification classes publish, in a process configured like trove-api (its
    # trove.conf, its messaging driver), what trove-api sends on that path.
    token_project = alice.get_project_id()
    spec = {"user_id": alice.get_user_id(), "project_id": token_project, "name": name}
    spec["token"] = alice.get_token()
    subprocess.run(
        [sys.executable, __file__, "--publish-trove", json.dumps(spec)], check=True, timeout=120
    )


def publish_trove(spec):
    """Publish Trove API notifications with Trove's own code (own interpreter: Trove's CONF).

    ``dbaas.instance_create.start`` then ``.error`` (a flavor Trove cannot find, the
    failure trove-api meets here), and ``.start``/``.end`` of a create that succeeds,
    whose ``.end`` alone names the instance. The context carries alice's real token,
    as trove-api's does.
    """
    import webob
    from trove import rpc
    from trove.common import cfg as trove_cfg
    from trove.common import context as trove_context
    from trove.common import exception, notification

    trove_cfg.CONF(["--config-file", str(devcloud.ETC / "trove.conf")], project="trove")
    rpc.init(trove_cfg.CONF)
    request = webob.Request.blank("/v1.0/instances", remote_addr="192.0.2.10")
    request.host = f"{devcloud.HOST}:8779"
    call_args = {
        "name": spec["name"],
        "flavor_id": "1",
        "datastore": "mysql",
        "datastore_version": "8.0",
        "image_id": None,
        "availability_zone": None,
        "region_name": devcloud.REGION,
        "locality": None,
    }
    for outcome in ("error", "end"):
        context = trove_context.TroveContext(
            user_id=spec["user_id"],
            project_id=spec["project_id"],
            request_id=f"req-{uuid.uuid4()}",
            auth_token=spec["token"],
        )
        context.notification = notification.DBaaSInstanceCreate(context, request=request)
        with contextlib.suppress(exception.FlavorNotFound):
            with notification.StartNotification(context, **call_args):
                if outcome == "error":
                    raise exception.FlavorNotFound(uuid=call_args["flavor_id"])
                context.notification.payload["instance_id"] = str(uuid.uuid4())
    rpc.cleanup()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--publish-trove", metavar="JSON", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help="directory for the JSON files")
    parser.add_argument("--exercise", action="store_true", help="drive the services' APIs")
    parser.add_argument("--seconds", type=float, default=5, help="listen this long after")
    args = parser.parse_args(argv)
    if args.publish_trove:
        publish_trove(json.loads(args.publish_trove))
        return 0
    if not args.out:
        parser.error("--out is required")
    args.out.mkdir(parents=True, exist_ok=True)

    conf = cfg.ConfigOpts()
    conf([])
    transport = oslo_messaging.get_notification_transport(conf, url=devcloud.TRANSPORT_URL)
    targets = [
        oslo_messaging.Target(exchange=exchange, topic=topic)
        for exchange in EXCHANGES
        for topic in TOPICS
    ]
    pool = f"event-viewer-recorder-{uuid.uuid4().hex[:8]}"
    recorder = Recorder(args.out)
    listener = oslo_messaging.get_notification_listener(
        transport, targets, [recorder], executor="threading", pool=pool
    )
    listener.start()
    try:
        time.sleep(1)  # the pool queue and its bindings exist before anything is sent
        if args.exercise:
            exercise()
        time.sleep(args.seconds)
    finally:
        listener.stop()
        listener.wait()
        _delete_queue(pool)
        transport.cleanup()
    print(f"{recorder.count} notifications in {args.out}")
    return 0


def _delete_queue(name):
    import kombu

    with kombu.Connection(AMQP_URL, connect_timeout=10) as connection:
        with contextlib.suppress(Exception), connection.channel() as channel:
            channel.queue_delete(name)


if __name__ == "__main__":
    raise SystemExit(main())
