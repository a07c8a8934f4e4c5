"""Notifications for the collector's tests: real captured ones, and ones built like them."""

import copy
import json
import pathlib
import uuid

DATA = pathlib.Path(__file__).parent / "data" / "notifications"


def captured(name):
    """``(priority, message)`` of a notification captured from the dev cloud (see data/)."""
    sample = json.loads((DATA / f"{name}.json").read_text())
    return sample["priority"], sample["message"]


def corpus():
    """The names of every captured notification (data/notifications/*.json)."""
    return sorted(path.stem for path in DATA.glob("*.json"))


def scheduler_failure(**changes):
    """The real cinder-scheduler "no valid backend" error, with fields changed."""
    _priority, message = captured("cinder_scheduler_create_volume_error")
    message = copy.deepcopy(message)
    message["metadata"]["message_id"] = changes.pop("message_id", str(uuid.uuid4()))
    for key, value in changes.items():
        message[key] = value
    return message


def notification(event_type, request_id=None, timestamp="2026-11-22 10:00:00.000000", **kw):
    """A notification shaped as oslo.messaging delivers it to a batch endpoint."""
    return {
        "ctxt": {
            "request_id": request_id or f"req-{uuid.uuid4()}",
            "project_id": kw.pop("project_id", "p-alpha"),
            "user_id": kw.pop("user_id", "u-alice"),
            "global_request_id": kw.pop("global_request_id", None),
        },
        "publisher_id": kw.pop("publisher_id", "volume.node-1"),
        "event_type": event_type,
        "payload": kw.pop("payload", {"volume_id": "11111111-2222-3333-4444-555555555555"}),
        "metadata": {"message_id": kw.pop("message_id", str(uuid.uuid4())), "timestamp": timestamp},
    }
