"""The Event value type: one event from any source, as the panels show it.

Each source module turns its own resources into :class:`Event` here, so tables,
views and templates deal with one shape whatever the source.
"""

import dataclasses
import datetime
import re

from django.utils import dateparse
from django.utils.translation import gettext_lazy as _

SOURCE_LABELS = {
    "cinder": _("Block Storage"),
    "trove": _("Database"),
    "collector": _("Service events"),
}

#: How an outcome reads in the panels (the code stays in exports, for scripts).
OUTCOME_LABELS = {
    "fail": _("fail"),
    "pass": _("pass"),
    "in_progress": _("in progress"),
}


def parse_time(value):
    """An aware UTC datetime from an API timestamp ('2026-11-22T10:00:00.000000'), or None."""
    if not value:
        return None
    parsed = dateparse.parse_datetime(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


@dataclasses.dataclass(frozen=True)
class Event:
    """One event (a failure, or an operation the collector saw). ``id`` is unique across sources.

    ``id`` is ``<source>:<native id>``; Cinder messages and Trove faults are
    always failures (``outcome`` "fail").
    """

    source: str
    native_id: str
    created_at: datetime.datetime | None
    summary: str
    level: str = ""
    event_id: str = ""
    resource_type: str = ""
    resource_id: str = ""
    resource_name: str = ""
    request_id: str = ""
    expires_at: datetime.datetime | None = None
    # Known only to some sources (and to the admin views): "" when unknown.
    project_id: str = ""
    project_name: str = ""
    host: str = ""
    user_id: str = ""
    user_name: str = ""  # the admin panel fills it in (Keystone)
    outcome: str = ""  # "fail", "pass" or "in_progress"
    # Known only to service events (the collector's notifications).
    service: str = ""
    publisher_id: str = ""
    global_request_id: str = ""
    finished_at: datetime.datetime | None = None
    # Operator-only (policy rule event_viewer:view_operator_details): the stack
    # trace, a service event's raw notification payload and exception class.
    # Filled in only where the rule allows; host, publisher id and a service
    # event's raw summary are taken out by for_viewer() where it does not.
    traceback: str = dataclasses.field(default="", repr=False)
    payload: str = dataclasses.field(default="", repr=False)
    exception: str = dataclasses.field(default="", repr=False)

    @property
    def sort_key(self):
        """The merged order of all sources: time, then source and id as tie-breakers.

        Ids compare by length first so that the store's numeric ids order as
        numbers, as its database orders them ("9" before "10"); the other
        sources' ids are UUIDs, all of one length.
        """
        created = self.created_at or datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return (created, self.source, len(self.native_id), self.native_id)

    @property
    def id(self):
        return f"{self.source}:{self.native_id}"

    @property
    def source_label(self):
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def outcome_label(self):
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    def for_viewer(self, operator_details):
        """The event as someone sees it whom the operator-details rule allows, or not.

        Not allowed: no host, publisher id, traceback, payload or exception
        class, and a service event's summary (the raw text of a service's
        exception) becomes :func:`generic_summary`. Cinder's user messages and
        Trove's fault messages are written for users by the services: kept.
        """
        if operator_details:
            return self
        hidden = {"host": "", "publisher_id": "", "traceback": "", "payload": "", "exception": ""}
        if self.source == "collector":
            hidden["summary"] = str(generic_summary(self.event_id, self.outcome))
        return dataclasses.replace(self, **hidden)

    @classmethod
    def from_cinder_message(cls, message):
        """From a cinderclient ``Message`` resource (its raw ``_info`` fields)."""
        info = message._info
        return cls(
            source="cinder",
            native_id=info["id"],
            created_at=parse_time(info.get("created_at")),
            summary=info.get("user_message") or "",
            level=info.get("message_level") or "",
            event_id=info.get("event_id") or "",
            resource_type=info.get("resource_type") or "",
            resource_id=info.get("resource_uuid") or "",
            request_id=info.get("request_id") or "",
            expires_at=parse_time(info.get("guaranteed_until")),
            outcome="fail",
        )

    @classmethod
    def from_trove_instance(cls, info, with_traceback=False):
        """From the raw ``_info`` of a Trove instance (detail view) that has a fault."""
        fault = info.get("fault") or {}
        return cls(
            source="trove",
            native_id=info["id"],
            created_at=parse_time(fault.get("created")),
            summary=fault.get("message") or "",
            level="ERROR",
            resource_type=TROVE_RESOURCE_TYPE,
            resource_id=info["id"],
            resource_name=info.get("name") or "",
            project_id=info.get("tenant_id") or "",
            host=(info.get("server") or {}).get("host") or "",
            outcome="fail",
            traceback=(fault.get("details") or "") if with_traceback else "",
        )

    @classmethod
    def from_service_event(cls, row, with_traceback=False, with_payload=False):
        """From a stored ``ServiceEvent`` row; the event ID is its event type.

        The operator-only columns are read only when asked for (the exception
        class with the traceback): a row listed without them (deferred) would
        otherwise cost one query each. Pass the result through
        :meth:`for_viewer` before anyone sees it.
        """
        return cls(
            source="collector",
            native_id=str(row.pk),
            created_at=row.created_at,
            summary=row.summary,
            level=row.level,
            event_id=row.event_type,
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            resource_name=row.resource_name,
            request_id=row.request_id,
            expires_at=row.expires_at,
            project_id=row.project_id,
            host=row.host,
            user_id=row.user_id,
            outcome=row.outcome,
            service=row.service,
            publisher_id=row.publisher_id,
            global_request_id=row.global_request_id,
            finished_at=row.finished_at,
            traceback=row.traceback if with_traceback else "",
            payload=row.payload if with_payload else "",
            exception=row.exception if with_traceback else "",
        )


#: The resource type the Event Viewer gives Trove faults (Trove has no such field).
TROVE_RESOURCE_TYPE = "DATABASE_INSTANCE"


# What a member reads instead of a service's raw exception text: the operation,
# from the event type's words, and its outcome. A resource word names what the
# operation is about; words of the emitting service are left out.
_RESOURCES = {
    "volume": _("Volume"),
    "snapshot": _("Snapshot"),
    "backup": _("Backup"),
    "instance": _("Server"),
    "server": _("Server"),
    "image": _("Image"),
    "network": _("Network"),
    "subnet": _("Subnet"),
    "port": _("Port"),
    "router": _("Router"),
    "floatingip": _("Floating IP"),
    "share": _("Share"),
    "stack": _("Stack"),
    "cluster": _("Cluster"),
    "database": _("Database"),
    "group": _("Group"),
    "attachment": _("Attachment"),
    "keypair": _("Key pair"),
    "aggregate": _("Aggregate"),
}
_ACTIONS = {
    "create": _("create"),
    "build": _("build"),
    "delete": _("delete"),
    "update": _("update"),
    "attach": _("attach"),
    "detach": _("detach"),
    "extend": _("extend"),
    "resize": _("resize"),
    "retype": _("retype"),
    "migrate": _("migrate"),
    "migration": _("migration"),
    "rebuild": _("rebuild"),
    "reboot": _("reboot"),
    "restore": _("restore"),
    "rescue": _("rescue"),
    "unrescue": _("unrescue"),
    "shelve": _("shelve"),
    "unshelve": _("unshelve"),
    "suspend": _("suspend"),
    "resume": _("resume"),
    "pause": _("pause"),
    "unpause": _("unpause"),
    "start": _("start"),
    "stop": _("stop"),
    "schedule": _("schedule"),
    "evacuate": _("evacuate"),
    "manage": _("manage"),
    "unmanage": _("unmanage"),
    "upload": _("upload"),
    "download": _("download"),
    "import": _("import"),
    "export": _("export"),
    "snapshot": _("snapshot"),
    "backup": _("backup"),
    "revert": _("revert"),
    "confirm": _("confirm"),
    "power": _("power"),
    "on": _("on"),
    "off": _("off"),
    "lock": _("lock"),
    "unlock": _("unlock"),
}
_SUFFIXES = ("start", "end", "error")
# Trove's event types ("trove.instance.create"): its instances are databases.
_DATABASE_SERVICES = ("trove", "dbaas")
_OUTCOME_TEXTS = {
    "fail": _("%(operation)s failed"),
    "pass": _("%(operation)s succeeded"),
    "in_progress": _("%(operation)s in progress"),
}
_WORD = re.compile(r"[a-z]+")


def generic_summary(event_type, outcome):
    """A translatable text made from an event type and outcome: "Volume create failed".

    Nothing in it comes from a service's message: only the words of the event
    type (which members see anyway, as the event ID) that name a known
    resource or action. Unknown words are left out; with none known, it says
    "Operation failed".
    """
    words = _WORD.findall((event_type or "").lower())
    if words and words[-1] in _SUFFIXES:
        words = words[:-1]
    resource_word = next((w for w in map(_singular, words) if w in _RESOURCES), None)
    resource = _RESOURCES.get(resource_word)
    if resource_word == "instance" and words[0] in _DATABASE_SERVICES:
        resource = _("Database instance")
    actions = [_ACTIONS[w] for w in words if w in _ACTIONS and _singular(w) != resource_word]
    if resource and actions:
        operation = _("%(resource)s %(action)s") % {
            "resource": resource,
            "action": " ".join(str(a) for a in actions),
        }
    elif resource:
        operation = _("%(resource)s operation") % {"resource": resource}
    elif actions:
        operation = " ".join(str(a) for a in actions).capitalize()
    else:
        operation = _("Operation")
    text = _OUTCOME_TEXTS.get(outcome, _OUTCOME_TEXTS["fail"])
    return text % {"operation": operation}


def _singular(word):
    return word[:-1] if word.endswith("s") and word[:-1] in _RESOURCES else word
