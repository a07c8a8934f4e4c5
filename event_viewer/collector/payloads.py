"""Reading the services' notification formats: who published, on what, and how it failed.

Two formats reach the collector (design.md section 6):

- **legacy** (unversioned): ``publisher_id`` ``<service>.<host>`` (``scheduler.node1``),
  the payload a plain dict; a failure is flat (``message``, ``code``, ``exception``;
  Trove's ``exception`` is the traceback as a list of lines), or a ``reason`` that is a
  string (Cinder: ``repr`` of the exception) or an exception as Nova's payload
  serializer writes it, ``{"class": "NoValidHost_Remote", "message": ..., "kwargs": ...}``
  -- as a dict, or (seen from Nova 33) as the ``repr`` of that dict;
- **versioned** (oslo versioned objects): ``publisher_id`` ``<binary>:<host>``
  (``nova-compute:compute1``), every object ``{"<ns>_object.name": ...,
  "<ns>_object.data": {...}}`` at any depth; the instance is ``uuid``; a failure is
  an ``ExceptionPayload`` (``exception``, ``exception_message``, ``traceback``,
  ``function_name``, ``module_name``) under ``fault`` or ``reason``.

Only the parts that are read are unwrapped: copying whole payloads would cost
more than the rest of the parse.
"""

import ast
import re

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
#: Where a resource's name may be, besides the payload itself.
NAME_CONTAINERS = ("volume_properties", "instance", "instance_properties")
#: Where a failure may be, besides the payload itself: a versioned
#: ``ExceptionPayload`` (``fault`` or ``reason``), or a legacy exception dict.
FAILURE_CONTAINERS = ("fault", "reason", "exception", "error")
MESSAGE_KEYS = ("exception_message", "message")
TRACEBACK_KEYS = ("traceback", "exception_traceback", "details")
CLASS_KEYS = ("exception", "class")

# oslo.messaging names an exception re-raised from another service
# ``<Class>_Remote``; the class the operator knows is ``<Class>``.
_REMOTE_SUFFIX = "_Remote"
_CLASS_NAME = re.compile(r"[A-Za-z_][\w.]*")
# Cinder's scheduler sends ``repr(exception)``: ``NoValidBackend('No valid ...')``.
_EXCEPTION_REPR = re.compile(r"([A-Za-z_]\w*)\(")
# oslo.messaging appends the remote traceback to a remote exception's message.
_TRACEBACK_START = "\nTraceback (most recent call last):"
# The last line of a Python traceback: ``trove.common.exception.FlavorNotFound: ...``.
_TRACEBACK_LAST_LINE = re.compile(r"([A-Za-z_][\w.]*)(?::|$)")
# Nova's legacy ``reason`` as the repr of its exception dict; longer ones are not read.
_MAX_REPR = 16 * 1024


def split_publisher(publisher_id):
    """``(service, host)`` of a legacy ``<service>.<host>`` or a versioned ``<binary>:<host>``.

    Host names may hold dots (``compute1.example.org``), service and binary
    names never hold either; so the separator is whichever comes first.
    """
    dot, colon = publisher_id.find("."), publisher_id.find(":")
    if colon != -1 and (dot == -1 or colon < dot):
        service, _sep, host = publisher_id.partition(":")
    else:
        service, _sep, host = publisher_id.partition(".")
    return service, host


def unwrapped(value):
    """A versioned object's fields (``{"nova_object.data": {...}}``) as a plain dict."""
    for _depth in range(8):
        if not isinstance(value, dict):
            return value
        inner = _object_data(value)
        if inner is None:
            return value
        value = inner
    return value


def object_name(value):
    """The class name of a versioned object (``"InstanceActionPayload"``), else ``""``."""
    if isinstance(value, dict):
        for key, name in value.items():
            if isinstance(key, str) and key.endswith("_object.name") and isinstance(name, str):
                return name
    return ""


def _object_data(value):
    for key, inner in value.items():
        if isinstance(key, str) and key.endswith("_object.data") and isinstance(inner, dict):
            return inner
    return None


def part(fields, key):
    """``fields[key]`` as a plain dict, or an empty one."""
    value = unwrapped(fields.get(key))
    return value if isinstance(value, dict) else {}


def is_trove(service, event_type):
    """Trove's taskmanager publishes ``trove.instance.*``, its API ``dbaas.*`` as ``api.<host>``."""
    return service.startswith("trove") or event_type.startswith(("trove.", "dbaas."))


def resource(fields, service, event_type, payload_name):
    """``(resource_type, resource_id)`` the notification is about, or ``("", "")``."""
    for key, resource_type in RESOURCE_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and value:
            if key == "instance_id" and is_trove(service, event_type):
                resource_type = "DATABASE_INSTANCE"
            return resource_type, value
    # Nova's versioned instance payloads (InstanceActionPayload, InstanceUpdatePayload...)
    # name the instance ``uuid``; other objects' ``uuid`` is theirs (aggregates, groups).
    uuid = fields.get("uuid")
    if payload_name.startswith("Instance") and isinstance(uuid, str) and uuid:
        return "INSTANCE", uuid
    return "", ""


def resource_name(fields):
    for container in (fields, *(part(fields, key) for key in NAME_CONTAINERS)):
        for key in NAME_KEYS:
            value = container.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def failure(fields):
    """``(summary, exception class, traceback)`` of a failure notification's payload.

    Each is ``""`` where the payload does not say. The summary is the message
    proper (a remote traceback appended to it goes to the traceback).
    """
    containers, texts = [], []
    for key in FAILURE_CONTAINERS:
        value = _exception_dict(unwrapped(fields.get(key)))
        if isinstance(value, dict):
            containers.append(value)
        elif isinstance(value, str) and value.strip() and key != "exception":
            texts.append(value)
    containers.append(fields)

    summary = _first_text(containers, MESSAGE_KEYS) or next(iter(texts), "")
    exception = ""
    for container in containers:
        exception = _class_name(container.get("exception")) or _class_name(container.get("class"))
        if exception:
            break
    if not summary:
        # A legacy flat ``exception`` that is not a class name is the message.
        bare = fields.get("exception")
        if isinstance(bare, str) and not _class_name(bare):
            summary = bare
    traceback = _first_text(containers, TRACEBACK_KEYS, join_lists=True)
    if not traceback and isinstance(fields.get("exception"), list):
        traceback = _first_text([fields], ("exception",), join_lists=True)  # Trove's
    summary, _sep, appended = summary.partition(_TRACEBACK_START)
    if appended and not traceback:
        traceback = _TRACEBACK_START.lstrip("\n") + appended
    summary = summary.strip()
    if not exception:
        match = _EXCEPTION_REPR.match(summary)
        exception = match.group(1) if match else _class_in_traceback(traceback)
    return summary, exception, traceback


def _exception_dict(value):
    """Nova's legacy exception dict also when it arrives as its ``repr`` (a string)."""
    if (
        isinstance(value, str)
        and value.startswith("{")
        and "'class'" in value
        and len(value) <= _MAX_REPR
    ):
        try:
            # Literals only: never evaluates code.
            parsed = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return value
        if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
            return parsed
    return value
    return value


def _class_in_traceback(traceback):
    """The exception class a Python traceback ends with, without its module."""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    if not lines or not traceback.lstrip().startswith("Traceback"):
        return ""
    match = _TRACEBACK_LAST_LINE.match(lines[-1].strip())
    return _class_name(match.group(1).rpartition(".")[2]) if match else ""


def _first_text(containers, keys, join_lists=False):
    for container in containers:
        for key in keys:
            value = container.get(key)
            if join_lists and isinstance(value, list):
                value = "".join(str(line) for line in value)
            if isinstance(value, str) and value.strip():
                return value
    return ""


def _class_name(value):
    """An exception's class name without oslo's ``_Remote`` suffix, or ``""``."""
    if not isinstance(value, str) or not _CLASS_NAME.fullmatch(value.strip()):
        return ""
    value = value.strip()
    return value[: -len(_REMOTE_SUFFIX)] if value.endswith(_REMOTE_SUFFIX) else value
