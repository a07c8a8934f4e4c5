"""Views of the Project -> Event Viewer panel."""

import logging

from django.utils.translation import gettext_lazy as _
from horizon import messages, tables

from event_viewer import config
from event_viewer.api import cinder
from event_viewer.api.errors import SourceError
from event_viewer.content.project import tables as project_tables
from event_viewer.events import Event

LOG = logging.getLogger(__name__)


class IndexView(tables.DataTableView):
    table_class = project_tables.EventsTable
    page_title = _("Event Viewer")
    template_name = "event_viewer/index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._more = False
        self._prev = False

    def has_more_data(self, table):
        return self._more

    def has_prev_data(self, table):
        return self._prev

    def messages_client(self):
        """The Cinder client for this panel's scope (the admin view widens it)."""
        return cinder.MessagesClient(self.request)

    def get_data(self):
        table = self.table_class
        marker = self.request.GET.get(table._meta.pagination_param)
        prev_marker = self.request.GET.get(table._meta.prev_pagination_param)
        limit = config.page_size(self.request)
        try:
            client = self.messages_client()
            if prev_marker:
                page = client.list(marker=prev_marker, limit=limit + 1, sort_dir="asc")
                self._prev = len(page) > limit
                self._more = True
                page = list(reversed(page[:limit]))
            else:
                page = client.list(marker=marker, limit=limit + 1, sort_dir="desc")
                self._more = len(page) > limit
                self._prev = bool(marker)
                page = page[:limit]
        except SourceError as error:
            # The user sees the reason; the operator's log gets it with who asked.
            LOG.warning(
                "Event Viewer: source %s failed for project %s: %s",
                error.source,
                self.request.user.project_id,
                error.message,
            )
            messages.error(self.request, error.message)
            return []
        return [Event.from_cinder_message(message) for message in page]
