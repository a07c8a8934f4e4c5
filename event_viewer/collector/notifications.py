"""One notification from the bus -> one :class:`Record` the store can write.

Everything in a notification is untrusted and may be malformed: :func:`parse`
raises :class:`MalformedNotification` for what cannot be stored (the listener
counts and logs those, and acknowledges them so they are not redelivered
forever), and returns ``None`` for well-formed notifications that are not
failures or operations (plain ``info`` notifications such as usage audits).
A timestamp outside 2010-01-01 .. a day ahead of the collector's clock is
malformed (:data:`EARLIEST`, :data:`CLOCK_AHEAD`).

One row per resource per operation of a request: ``.start``/``.end``/``.error``
of one resource share an operation key ``<request id>|<operation>|<resource id>``.

The formats are read by :mod:`~event_viewer.collector.payloads` (legacy and
versioned), and secrets are taken out by :mod:`~event_viewer.collector.secrets`
before any field of the record is made.
"""

import dataclasses
import datetime
import hashlib

from event_viewer import models
from event_viewer.collector import payloads, secrets

#: oslo.messaging priority -> the level the panels show.
LEVELS = {"critical": "ERROR", "error": "ERROR", "warn": "WARNING", "info": "INFO"}

#: Event type suffix -> outcome of the operation it belongs to.
SUFFIX_OUTCOMES = {
    "start": models.OUTCOME_IN_PROGRESS,
    "end": models.OUTCOME_PASS,
    "error": models.OUTCOME_FAIL,
}

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


#: Timestamps the collector accepts. Before OpenStack existed is nonsense; a node's
#: clock may run somewhat ahead, but a day ahead is a broken clock, and a far
#: future time would pin its row at the top of every page and overflow the
#: expiry arithmetic (``9999-12-31`` + TTL).
EARLIEST = datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)
CLOCK_AHEAD = datetime.timedelta(days=1)


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
    exception: str = ""
    traceback: str = ""
    payload: str = ""
    #: The operation key without the resource (not a column): a ``.start`` sent
    #: before its resource existed has this as its key, and its ``.end`` (which
    #: names the resource) this as its prefix, so the store can fold the two.
    operation_prefix: str | None = dataclasses.field(default=None, metadata={"column": False})

    @property
    def is_terminal(self):
        return self.outcome != models.OUTCOME_IN_PROGRESS

    def model_fields(self):
        """Keyword arguments for the model, each text cut to its column's length."""
        # Shallow: every field is a str, datetime or None (asdict deep-copies).
        fields = {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.metadata.get("column", True)
        }
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
    elif outcome == models.OUTCOME_FAIL:
        # Trove sends every notification at info, its failures as ``<op>.error``:
        # a failed operation is an error whatever priority it came at.
        level = "ERROR"
    elif outcome is None:
        if level == "INFO":
            return None  # not an operation, not a failure: usage, audits...
        outcome = models.OUTCOME_FAIL
    service, host = payloads.split_publisher(publisher_id)
    # Secrets out first: every field below is read from the scrubbed payload.
    payload, payload_text = secrets.scrub_payload(message.get("payload"))
    fields = payloads.unwrapped(payload)
    fields = fields if isinstance(fields, dict) else {}
    request_id = _text(ctxt.get("request_id"))
    resource_type, resource_id = payloads.resource(
        fields, service, event_type, payloads.object_name(payload)
    )
    summary, exception, traceback = payloads.failure(fields)
    operation_key = operation_prefix = None
    if request_id and suffix in SUFFIX_OUTCOMES:
        operation_key = _operation_key(request_id, operation, resource_id)
        operation_prefix = _operation_key(request_id, operation, "")
    record = Record(
        message_id=message_id,
        operation_key=operation_key,
        service=service,
        publisher_id=publisher_id,
        event_type=event_type,
        outcome=outcome,
        level=level,
        created_at=created_at,
        project_id=_text(
            ctxt.get("project_id")
            or ctxt.get("tenant")
            or fields.get("project_id")
            or fields.get("tenant_id")
        ),
        user_id=_text(ctxt.get("user_id") or ctxt.get("user") or fields.get("user_id")),
        host=host,
        request_id=request_id,
        global_request_id=_text(ctxt.get("global_request_id")),
        resource_type=resource_type,
        resource_id=resource_id,
        resource_name=payloads.resource_name(fields),
        summary=(summary or event_type)[:MAX_SUMMARY],
        exception=exception,
        traceback=traceback[:MAX_TRACEBACK],
        payload=_capped(payload_text),
        operation_prefix=operation_prefix,
    )
    return _scrubbed(record)


def _scrubbed(record):
    """The record with secret shapes taken out of every text field (the payload already is)."""
    texts = {
        field.name: getattr(record, field.name)
        for field in dataclasses.fields(record)
        if field.name != "payload" and isinstance(getattr(record, field.name), str)
    }
    # One look at all of them together: most records hold nothing to scrub.
    if secrets.may_hold_secrets("\n".join(texts.values())):
        for name, value in texts.items():
            setattr(record, name, secrets.scrub_text(value))
    return record


def _required_text(mapping, key):
    value = mapping.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MalformedNotification(f"no {key}")
    return value.strip()


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _timestamp(value):
    """oslo.messaging's ``'2026-11-22 02:37:49.669671'`` (UTC) as an aware datetime.

    Within :data:`EARLIEST` .. now + :data:`CLOCK_AHEAD`, else malformed.
    """
    if not isinstance(value, str):
        raise MalformedNotification("no timestamp")
    shown = secrets.scrub_text(value[:40])
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise MalformedNotification(f"bad timestamp {shown!r}") from exc
    try:
        moment = (
            moment.astimezone(datetime.UTC)
            if moment.tzinfo
            else moment.replace(tzinfo=datetime.UTC)
        )
    except OverflowError as exc:  # year 1 at +12:00 is before datetime.min in UTC
        raise MalformedNotification(f"timestamp out of range {shown!r}") from exc
    latest = datetime.datetime.now(datetime.UTC) + CLOCK_AHEAD
    if not EARLIEST <= moment <= latest:
        raise MalformedNotification(
            f"timestamp out of range {shown!r}: the collector accepts"
            f" {EARLIEST:%Y-%m-%d} to a day ahead of its own clock"
        )
    return moment


def _operation_key(request_id, operation, resource_id):
    """One key per resource per operation of one request, within the column's length.

    The ``.start``/``.end``/``.error`` of one resource share it; two instances
    created by one request do not. A notification that names no resource (a
    ``.start`` sent before the resource exists) keys on the operation alone.
    """
    key = f"{request_id}|{operation}"
    if resource_id:
        key = f"{key}|{resource_id}"
    if len(key) <= _FIELD_LIMITS["operation_key"]:
        return key
    return f"sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _capped(text):
    if len(text) <= MAX_PAYLOAD:
        return text
    return text[:MAX_PAYLOAD] + f"\n... (cut: the payload had {len(text)} characters)"
