"""One notification from the bus -> one :class:`Record` the store can write.

Everything in a notification is untrusted and may be malformed: :func:`parse`
raises :class:`MalformedNotification` for what cannot be stored (the listener
counts and logs those, and acknowledges them so they are not redelivered
forever), and returns ``None`` for well-formed notifications that are not
failures or operations (plain ``info`` notifications such as usage audits).
"""

import dataclasses
import datetime
import hashlib
import json

from event_viewer import models

#: oslo.messaging priority -> the level the panels show.
LEVELS = {"critical": "ERROR", "error": "ERROR", "warn": "WARNING", "info": "INFO"}

#: Event type suffix -> outcome of the operation it belongs to.
SUFFIX_OUTCOMES = {
    "start": models.OUTCOME_IN_PROGRESS,
    "end": models.OUTCOME_PASS,
    "error": models.OUTCOME_FAIL,
}

#: Payload keys that name the resource, in order of preference, and its type.
#: ``instance_id`` means a database instance when Trove publishes it.
RESOURCE_KEYS = (
    ("volume_id", "VOLUME"),
    ("snapshot_id", "VOLUME_SNAPSHOT"),
    ("backup_id", "VOLUME_BACKUP"),
    ("instance_uuid", "INSTANCE"),
    ("instance_id", "INSTANCE"),
    ("server_id", "INSTANCE"),
    ("stack_id", "STACK"),
    ("share_id", "SHARE"),
    ("cluster_id", "CLUSTER"),
    ("image_id", "IMAGE"),
    ("port_id", "PORT"),
    ("network_id", "NETWORK"),
)
NAME_KEYS = ("display_name", "name", "instance_name", "stack_name")
SUMMARY_KEYS = ("reason", "exception_message", "message", "error", "exception")
TRACEBACK_KEYS = ("traceback", "exception_traceback", "details")

# Stored sizes: the panels show summaries, admins read traces and payloads;
# none of them may let one notification fill the database.
MAX_SUMMARY = 2000
MAX_TRACEBACK = 64 * 1024
MAX_PAYLOAD = 16 * 1024
_FIELD_LIMITS = {
    field.name: field.max_length
    for field in models.ServiceEvent._meta.get_fields()
    if getattr(field, "max_length", None)
}


class MalformedNotification(ValueError):
    """A notification the collector cannot store; the message says what is wrong."""


@dataclasses.dataclass
class Record:
    """The fields of one :class:`~event_viewer.models.ServiceEvent` from one notification."""

    message_id: str
    operation_key: str | None
    service: str
    publisher_id: str
    event_type: str
    outcome: str
    level: str
    created_at: datetime.datetime
    project_id: str = ""
    user_id: str = ""
    host: str = ""
    request_id: str = ""
    global_request_id: str = ""
    resource_type: str = ""
    resource_id: str = ""
    resource_name: str = ""
    summary: str = ""
    traceback: str = ""
    payload: str = ""

    @property
    def is_terminal(self):
        return self.outcome != models.OUTCOME_IN_PROGRESS

    def model_fields(self):
        """Keyword arguments for the model, each text cut to its column's length."""
        # Shallow: every field is a str, datetime or None (asdict deep-copies).
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        for name, value in fields.items():
            if isinstance(value, str):
                # PostgreSQL cannot store NUL in text; one such notification
                # must not make its whole batch fail again and again.
                fields[name] = value.replace("\x00", "\ufffd")[: _FIELD_LIMITS.get(name)]
        return fields


def parse(priority, message):
    """The :class:`Record` of one notification as a batch endpoint receives it, or None.

    ``message`` is oslo.messaging's ``{"ctxt", "publisher_id", "event_type",
    "payload", "metadata"}``; ``priority`` the endpoint method it came to.
    """
    if not isinstance(message, dict):
        raise MalformedNotification(f"not a mapping: {type(message).__name__}")
    event_type = _required_text(message, "event_type")
    publisher_id = _required_text(message, "publisher_id")
    metadata = message.get("metadata")
    if not isinstance(metadata, dict):
        raise MalformedNotification("no metadata")
    message_id = _required_text(metadata, "message_id")
    created_at = _timestamp(metadata.get("timestamp"))
    ctxt = message.get("ctxt") or {}
    if not isinstance(ctxt, dict):
        raise MalformedNotification("the context is not a mapping")
    level = LEVELS.get(priority)
    if level is None:
        raise MalformedNotification(f"unknown priority {priority!r}")

    operation, _dot, suffix = event_type.rpartition(".")
    outcome = SUFFIX_OUTCOMES.get(suffix) if operation else None
    if level == "ERROR":
        outcome = models.OUTCOME_FAIL
    elif outcome is None:
        if level == "INFO":
            return None  # not an operation, not a failure: usage, audits...
        outcome = models.OUTCOME_FAIL
    service, _dot, host = publisher_id.partition(".")
    payload = _unwrapped(message.get("payload"))
    fields = payload if isinstance(payload, dict) else {}
    request_id = _text(ctxt.get("request_id"))
    resource_type, resource_id = _resource(fields, service)
    operation_key = None
    if request_id and suffix in SUFFIX_OUTCOMES:
        operation_key = _operation_key(request_id, operation)
    return Record(
        message_id=message_id,
        operation_key=operation_key,
        service=service,
        publisher_id=publisher_id,
        event_type=event_type,
        outcome=outcome,
        level=level,
        created_at=created_at,
        project_id=_text(ctxt.get("project_id") or ctxt.get("tenant") or fields.get("project_id")),
        user_id=_text(ctxt.get("user_id") or ctxt.get("user") or fields.get("user_id")),
        host=host,
        request_id=request_id,
        global_request_id=_text(ctxt.get("global_request_id")),
        resource_type=resource_type,
        resource_id=resource_id,
        resource_name=_resource_name(fields),
        summary=_summary(fields, event_type)[:MAX_SUMMARY],
        traceback=_traceback(fields)[:MAX_TRACEBACK],
        payload=_capped_json(message.get("payload")),
    )


def _required_text(mapping, key):
    value = mapping.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MalformedNotification(f"no {key}")
    return value.strip()


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _timestamp(value):
    """oslo.messaging's ``'2026-11-22 02:37:49.669671'`` (UTC) as an aware datetime."""
    if not isinstance(value, str):
        raise MalformedNotification("no timestamp")
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise MalformedNotification(f"bad timestamp {value[:40]!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _unwrapped(value):
    """A versioned object's fields (``{"nova_object.data": {...}}``) as a plain dict.

    Only the dicts that are read are unwrapped (the payload, and its fault,
    instance or volume properties): copying whole payloads cost more than the
    rest of the parse.
    """
    for _depth in range(8):
        if not isinstance(value, dict):
            return value
        inner = next(
            (
                inner
                for key, inner in value.items()
                if isinstance(key, str) and key.endswith("_object.data") and isinstance(inner, dict)
            ),
            None,
        )
        if inner is None:
            return value
        value = inner
    return value


def _part(fields, key):
    """``fields[key]`` as a plain dict, or an empty one."""
    part = _unwrapped(fields.get(key))
    return part if isinstance(part, dict) else {}


def _resource(fields, service):
    for key, resource_type in RESOURCE_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and value:
            if key == "instance_id" and service.startswith("trove"):
                resource_type = "DATABASE_INSTANCE"
            return resource_type, value
    return "", ""


def _resource_name(fields):
    for container in (fields, _part(fields, "volume_properties"), _part(fields, "instance")):
        for key in NAME_KEYS:
            if isinstance(container.get(key), str) and container[key]:
                return container[key]
    return ""


def _summary(fields, event_type):
    for container in (fields, _part(fields, "fault")):
        for key in SUMMARY_KEYS:
            value = container.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return event_type


def _traceback(fields):
    for container in (fields, _part(fields, "fault")):
        for key in TRACEBACK_KEYS:
            value = container.get(key)
            if isinstance(value, list):
                value = "".join(str(line) for line in value)
            if isinstance(value, str) and value.strip():
                return value
    return ""


def _operation_key(request_id, operation):
    """One key per operation of one request, within the column's length."""
    key = f"{request_id}|{operation}"
    if len(key) <= _FIELD_LIMITS["operation_key"]:
        return key
    return f"{request_id}|sha256:{hashlib.sha256(operation.encode()).hexdigest()}"


def _capped_json(payload):
    try:
        text = json.dumps(payload, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(payload)
    if len(text) <= MAX_PAYLOAD:
        return text
    return text[:MAX_PAYLOAD] + f"\n... (cut: the payload had {len(text)} characters)"
