"""The "delete all matching" confirmation: counts first, then deletes and reports each failure."""

import logging

from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from event_viewer import config, filters, sources
from event_viewer.api import store
from event_viewer.api.errors import SourceError
from event_viewer.content.project import tables as project_tables

LOG = logging.getLogger(__name__)


class DeleteMatchingForm(forms.SelfHandlingForm):
    """Deletes every Block Storage message, and every service event where the user may
    delete them, matching the table's current filter.

    The confirmation states how many of each match (counted when it opens, up
    to ``EVENT_VIEWER_BULK_DELETE_MAX`` in all); on submit the same query is
    listed again, so an event that arrived in between is deleted only if it
    matches. If either source cannot be read, nothing is deleted.
    """

    confirmed_count = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, request, *args, **kwargs):
        self.view = kwargs.pop("view")
        super().__init__(request, *args, **kwargs)
        self.problem = None
        self.query = filters.Query()
        self.ids, self.complete = [], True
        self.service_event_ids = []
        self.service_events_deletable = self.view.may_delete_service_events()
        try:
            self.query = self.view.current_query()
            self._list_matches(request)
        except filters.InvalidFilter as error:
            self.problem = _("Invalid filter: %s") % error
        except SourceError as error:
            self.problem = error.message
        self.count = len(self.ids) + len(self.service_event_ids)
        self.fields["confirmed_count"].initial = self.count

    def _list_matches(self, request):
        query, most = self.query, config.bulk_delete_max()
        deletes_service_events = self.service_events_deletable and query.wants(store.SOURCE)
        if not (query.wants("cinder") or deletes_service_events):
            self.problem = (
                _("The filter selects service events, which you may not delete.")
                if query.source == store.SOURCE
                else _("The filter selects Database faults, which cannot be deleted.")
            )
            return
        if query.wants("cinder"):
            self.ids, self.complete = sources.matching_message_ids(
                request, query, self.view.all_projects, most
            )
        if deletes_service_events:
            self.service_event_ids, complete = store.matching_ids(
                query, self.view.store_scope(), most - len(self.ids)
            )
            self.complete = self.complete and complete

    def handle(self, request, data):
        if self.problem:
            messages.error(request, self.problem)
            return False
        if data["confirmed_count"] != self.count:
            messages.warning(
                request,
                _(
                    "%(then)d matched when you confirmed, %(now)d match now; "
                    "the %(now)d that match now are deleted."
                )
                % {"then": data["confirmed_count"], "now": self.count},
            )
        deleted, failed = self._delete_messages(request)
        deleted_events, failed_events = self._delete_service_events(request)
        if deleted:
            messages.success(request, _("Deleted %d messages.") % deleted)
        if deleted_events:
            messages.success(request, _("Deleted %d service events.") % deleted_events)
        return (failed + failed_events) == 0 or (deleted + deleted_events) > 0

    def _delete_messages(self, request):
        if not self.ids:
            return 0, 0
        client = self.view.messages_client(request)
        deleted, failed = 0, 0
        for message_id in self.ids:
            try:
                client.delete(message_id)
                deleted += 1
            except (SourceError, sources.cinder.NotFound) as error:
                failed += 1
                project_tables.report_failed_delete(
                    request, project_tables.COULD_NOT_DELETE_MESSAGE, message_id, error
                )
        return deleted, failed

    def _delete_service_events(self, request):
        if not self.service_event_ids:
            return 0, 0
        try:
            deleted = set(store.delete_events(self.service_event_ids, self.view.store_scope()))
        except SourceError as error:
            messages.error(request, error.message)
            LOG.warning("Event Viewer: could not delete service events: %s", error.message)
            return 0, len(self.service_event_ids)
        gone = [event_id for event_id in self.service_event_ids if event_id not in deleted]
        for event_id in gone:
            project_tables.report_failed_delete(
                request, project_tables.COULD_NOT_DELETE_SERVICE_EVENT, f"{store.SOURCE}:{event_id}"
            )
        return len(deleted), len(gone)
