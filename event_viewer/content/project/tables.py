"""The Event Viewer table of the project panel (the admin table subclasses it)."""

import logging
import sys
from urllib.parse import urlencode

from django import urls
from django.template import defaultfilters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import exceptions, messages, tables

from event_viewer import filters, policy
from event_viewer.api import cinder, store
from event_viewer.api.errors import SourceError

LOG = logging.getLogger(__name__)

# Horizon panels with a detail page of the resources a failure can be about
# (``databases`` is trove-dashboard's, linked only when it is installed).
RESOURCE_PANELS = {
    "VOLUME": "volumes",
    "VOLUME_SNAPSHOT": "snapshots",
    "VOLUME_BACKUP": "backups",
    "DATABASE_INSTANCE": "databases",
}


def resource_label(event):
    name = event.resource_name or event.resource_id
    return " ".join(part for part in (event.resource_type, name) if part)


def resource_url(event, dashboard="project"):
    """The resource's detail page in ``dashboard``, when that panel is installed.

    The admin panel links to the admin dashboard's pages: the project pages
    only show the admin's own project's resources.
    """
    panel = RESOURCE_PANELS.get(event.resource_type)
    if not panel or not event.resource_id:
        return None
    try:
        return urls.reverse(f"horizon:{dashboard}:{panel}:detail", args=(event.resource_id,))
    except urls.NoReverseMatch:
        return None


def local_time(value):
    """A timestamp in the user's Horizon timezone (set by Horizon's middleware)."""
    if value is None:
        return ""
    return defaultfilters.date(timezone.localtime(value), "Y-m-d H:i:s")


class EventFilterAction(tables.FilterAction):
    """Horizon's filter box, applied by the sources (server side), not in the browser."""

    name = "filter"
    filter_type = "server"
    filter_choices = tuple((field, label, True) for field, (label, _v) in filters.FIELDS.items())


def filter_session_key(table_name):
    """Where Horizon keeps a table's server-side filter value (``<key>_field``: its field).

    Horizon's ``FilterAction.get_param_name()`` with the default ``param_name`` "q";
    views without a table instance (export, delete-matching) read it from here.
    """
    return "__".join([table_name, EventFilterAction.name, "q"])


class SortAction(tables.LinkAction):
    """Flips the order (newest or oldest first), which the API applies."""

    name = "sort"
    verbose_name = _("Oldest first")
    classes = ("btn-default",)
    icon = "sort"

    def get_link_url(self, datum=None):
        sort = "asc" if self.table.newest_first else "desc"
        return "?" + urlencode({"sort": sort, **self.table.link_params})

    def allowed(self, request, datum=None):
        # Horizon asks this on every render of the table actions: the one place
        # to label the button with the order it switches to.
        self.verbose_name = _("Oldest first") if self.table.newest_first else _("Newest first")
        return True


def _is_message(datum):
    return datum is not None and datum.source == cinder.SOURCE


def _is_service_event(datum):
    return datum is not None and datum.source == store.SOURCE


COULD_NOT_DELETE_MESSAGE = _("Could not delete message %(id)s: %(reason)s")
COULD_NOT_DELETE_SERVICE_EVENT = _("Could not delete service event %(id)s: %(reason)s")


def report_failed_delete(request, text, obj_id, error=None):
    """Shows one delete that failed, named with its reason, and logs it.

    ``text`` is one of the ``COULD_NOT_DELETE_*`` texts; without an ``error``
    (or one without a message) the reason is that the object no longer exists.
    """
    reason = getattr(error, "message", None) or _("it no longer exists")
    messages.error(request, text % {"id": obj_id, "reason": reason})
    LOG.warning("Event Viewer: could not delete %s: %s", obj_id, reason)


class DeleteMessages(tables.DeleteAction):
    """Deletes Cinder messages; each failure is reported with its reason."""

    help_text = _("Deleted messages cannot be restored. Database faults cannot be deleted.")
    policy_rules = (("volume", "message:delete"),)

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Message", "Delete Messages", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Message", "Deleted Messages", count)

    def allowed(self, request, datum=None):
        # Trove faults have no delete API: no checkbox, no button for them.
        return datum is None or _is_message(datum)

    def delete(self, request, obj_id):
        source, _sep, message_id = obj_id.partition(":")
        try:
            if source != cinder.SOURCE:
                raise SourceError(source, _("only Block Storage messages can be deleted"))
            self.table.messages_client(request).delete(message_id)
        except (SourceError, cinder.NotFound) as error:
            report_failed_delete(request, COULD_NOT_DELETE_MESSAGE, obj_id, error)
            # Handled: Horizon must not add its own aggregate message for it.
            raise exceptions.HandledException(sys.exc_info()) from error


class DeleteServiceEvents(tables.DeleteAction):
    """Deletes the collector's service events: in the admin panel, or a member's own
    project's where the policy rule ``event_viewer:delete_project_service_events`` allows it.

    The view sets ``service_events_deletable`` (from the same rule, checked by
    ``event_viewer.policy``, which denies where Horizon's engine would allow a
    scope it does not know) and ``store_scope`` on the table;
    the delete itself is scoped by the database query, so an id of another
    project deletes nothing and is reported like an id that no longer exists.
    """

    name = "delete_service_events"
    help_text = _("Deleted service events cannot be restored.")
    policy_rules = policy.rule(policy.DELETE_PROJECT_SERVICE_EVENTS)

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Service Event", "Delete Service Events", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Service Event", "Deleted Service Events", count)

    def allowed(self, request, datum=None):
        if not self.table.service_events_deletable:
            return False
        return datum is None or _is_service_event(datum)

    def delete(self, request, obj_id):
        source, _sep, event_id = obj_id.partition(":")
        try:
            if source != store.SOURCE or not self.table.service_events_deletable:
                raise SourceError(source, _("you may not delete it here"))
            if not store.delete_events([event_id], self.table.store_scope):
                raise store.NotFound(event_id)
        except (SourceError, store.NotFound) as error:
            report_failed_delete(request, COULD_NOT_DELETE_SERVICE_EVENT, obj_id, error)
            raise exceptions.HandledException(sys.exc_info()) from error


class DeleteMatching(tables.LinkAction):
    name = "delete_matching"
    verbose_name = _("Delete All Matching")
    url = "horizon:project:event_viewer:delete_matching"
    classes = ("ajax-modal", "btn-danger")
    icon = "trash"
    policy_rules = (("volume", "message:delete"),)

    def get_link_url(self, datum=None):
        # The confirmation counts under the page's filter, a filter link's included.
        return with_link_params(super().get_link_url(datum), self.table)


def with_link_params(url, table):
    """``url`` keeping the table's filter link (see ``views.ScopeMixin.link_filter``)."""
    return f"{url}?{urlencode(table.link_params)}" if table.link_params else url


class ExportAction(tables.LinkAction):
    """Download the filtered table (not just this page)."""

    name = "export"
    classes = ("btn-default",)
    icon = "download"
    format = None

    def get_link_url(self, datum=None):
        return with_link_params(
            urls.reverse(self.table.export_url_name, args=(self.format,)), self.table
        )


class ExportCSV(ExportAction):
    name = "export_csv"
    verbose_name = _("Export CSV")
    format = "csv"


class ExportJSON(ExportAction):
    name = "export_json"
    verbose_name = _("Export JSON")
    format = "json"


class EventRow(tables.Row):
    def can_be_selected(self, datum):
        # Only what can be deleted gets a checkbox: no checkbox that would pretend otherwise.
        return _is_message(datum) or (
            _is_service_event(datum) and self.table.service_events_deletable
        )


class EventsTable(tables.DataTable):
    created_at = tables.Column(
        "created_at",
        verbose_name=_("Time"),
        filters=(local_time,),
        link="horizon:project:event_viewer:detail",
    )
    source = tables.Column("source_label", verbose_name=_("Source"))
    resource = tables.Column(resource_label, verbose_name=_("Resource"), link=resource_url)
    event_id = tables.Column("event_id", verbose_name=_("Event"))
    level = tables.Column("level", verbose_name=_("Level"))
    outcome = tables.Column("outcome_label", verbose_name=_("Outcome"))
    summary = tables.Column("summary", verbose_name=_("Summary"), truncate=160)
    request_id = tables.Column("request_id", verbose_name=_("Request ID"))
    expires_at = tables.Column("expires_at", verbose_name=_("Expires"), filters=(local_time,))

    export_url_name = "horizon:project:event_viewer:export"

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Set by the view for the page it shows.
        self.page = None
        self.newest_first = True
        self.messages_client = lambda request: cinder.MessagesClient(request)
        self.store_scope = None  # no service event is in an unset scope
        self.service_events_deletable = False
        self.link_params = {}  # a filter link's URL parameters, kept by every link of the page

    def get_object_id(self, datum):
        return datum.id

    def get_object_by_id(self, lookup):
        """Horizon refuses an id on no row of the page (a forged form) before any action:
        say so, since Horizon's own redirect does not."""
        try:
            return super().get_object_by_id(lookup)
        except exceptions.Http302:
            messages.error(
                self.request,
                _("%(id)s is not on this page: nothing was done with it.") % {"id": lookup},
            )
            LOG.warning(
                "Event Viewer: user %s asked for %s, which is not on their page",
                self.request.user.id,
                lookup,
            )
            raise

    def get_object_display(self, datum):
        # None for an id that is not on this page (Horizon then shows the id).
        return datum.id if datum is not None else None

    def get_marker(self):
        return self.page.next_marker.encode() if self.page and self.page.next_marker else ""

    def get_prev_marker(self):
        return self.page.prev_marker.encode() if self.page and self.page.prev_marker else ""

    # Horizon's Next/Prev links are "?" + these: they keep a filter link's filter.
    def get_pagination_string(self):
        return urlencode({self._meta.pagination_param: self.get_marker(), **self.link_params})

    def get_prev_pagination_string(self):
        marker = {self._meta.prev_pagination_param: self.get_prev_marker()}
        return urlencode({**marker, **self.link_params})

    class Meta:
        name = "events"
        # Not "Failures": service events include operations that passed.
        verbose_name = _("Events")
        pagination_param = "marker"
        prev_pagination_param = "prev_marker"
        table_actions = (
            EventFilterAction,
            SortAction,
            ExportCSV,
            ExportJSON,
            DeleteMatching,
            DeleteMessages,
            DeleteServiceEvents,
        )
        row_actions = (DeleteMessages, DeleteServiceEvents)
        row_class = EventRow
