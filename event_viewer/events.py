"""The Event value type: one failure from any source, as the panels show it.

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
    """One failure. ``id`` is unique across sources (``<source>:<native id>``)."""

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
    # Admin-only: the stack trace. Only the admin views ever fill it in.
    traceback: str = dataclasses.field(default="", repr=False)

    @property
    def sort_key(self):
        """The merged order of all sources: time, then source and id as tie-breakers."""
        created = self.created_at or datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return (created, self.source, self.native_id)

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
            traceback=(fault.get("details") or "") if with_traceback else "",
        )


#: The resource type the Event Viewer gives Trove faults (Trove has no such field).
TROVE_RESOURCE_TYPE = "DATABASE_INSTANCE"
