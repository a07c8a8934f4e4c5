"""The Event value type: one event from any source, as the panels show it.

Each source module turns its own resources into :class:`Event` here, so tables,
views and templates deal with one shape whatever the source.
"""

import dataclasses
import datetime

from django.utils import dateparse
from django.utils.translation import gettext_lazy as _

SOURCE_LABELS = {
    "cinder": _("Block Storage"),
    "trove": _("Database"),
    "collector": _("Service events"),
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
    # Admin-only: the stack trace and a service event's raw notification
    # payload. Only the admin views ever fill them in.
    traceback: str = dataclasses.field(default="", repr=False)
    payload: str = dataclasses.field(default="", repr=False)

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

        The admin-only columns are read only when asked for: a row listed
        without them (deferred) would otherwise cost one query each.
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
        )


#: The resource type the Event Viewer gives Trove faults (Trove has no such field).
TROVE_RESOURCE_TYPE = "DATABASE_INSTANCE"
