"""The Event Viewer table of the project panel (the admin table subclasses it)."""

from django.template import defaultfilters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from horizon import tables


def _resource(event):
    return " ".join(part for part in (event.resource_type, event.resource_id) if part)


def _local_time(value):
    """A timestamp in the user's Horizon timezone (set by Horizon's middleware)."""
    if value is None:
        return ""
    return defaultfilters.date(timezone.localtime(value), "Y-m-d H:i:s")


class EventsTable(tables.DataTable):
    created_at = tables.Column("created_at", verbose_name=_("Time"), filters=(_local_time,))
    source = tables.Column("source_label", verbose_name=_("Source"))
    resource = tables.Column(_resource, verbose_name=_("Resource"))
    event_id = tables.Column("event_id", verbose_name=_("Event"))
    level = tables.Column("level", verbose_name=_("Level"))
    summary = tables.Column("summary", verbose_name=_("Summary"), truncate=160)
    request_id = tables.Column("request_id", verbose_name=_("Request ID"))
    expires_at = tables.Column("expires_at", verbose_name=_("Expires"), filters=(_local_time,))

    def get_object_id(self, datum):
        return datum.id

    def get_marker(self):
        return self.data[-1].native_id if self.data else ""

    def get_prev_marker(self):
        return self.data[0].native_id if self.data else ""

    class Meta:
        name = "events"
        verbose_name = _("Failures")
        pagination_param = "marker"
        prev_pagination_param = "prev_marker"
