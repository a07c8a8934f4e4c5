"""The "delete all matching" confirmation: counts first, then deletes and reports each failure."""

import logging

from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from event_viewer import config, filters, sources
from event_viewer.api.errors import SourceError

LOG = logging.getLogger(__name__)


class DeleteMatchingForm(forms.SelfHandlingForm):
    """Deletes every Block Storage message matching the table's current filter.

    The confirmation states how many messages match (counted when it opens, up
    to ``EVENT_VIEWER_BULK_DELETE_MAX``); on submit the same query is listed again,
    so a message that arrived in between is deleted only if it matches.
    """

    confirmed_count = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, request, *args, **kwargs):
        self.view = kwargs.pop("view")
        super().__init__(request, *args, **kwargs)
        self.problem = None
        self.query = filters.Query()
        self.ids, self.complete = [], True
        try:
            self.query = self.view.current_query()
            if not self.query.wants("cinder"):
                self.problem = _("The filter selects Database faults, which cannot be deleted.")
            else:
                self.ids, self.complete = sources.matching_message_ids(
                    request, self.query, self.view.all_projects, config.bulk_delete_max()
                )
        except filters.InvalidFilter as error:
            self.problem = _("Invalid filter: %s") % error
        except SourceError as error:
            self.problem = error.message
        self.count = len(self.ids)
        self.fields["confirmed_count"].initial = self.count

    def handle(self, request, data):
        if self.problem:
            messages.error(request, self.problem)
            return False
        if data["confirmed_count"] != self.count:
            messages.warning(
                request,
                _(
                    "%(then)d messages matched when you confirmed, %(now)d match now; "
                    "the %(now)d that match now are deleted."
                )
                % {"then": data["confirmed_count"], "now": self.count},
            )
        client = self.view.messages_client(request)
        deleted, failed = 0, 0
        for message_id in self.ids:
            try:
                client.delete(message_id)
                deleted += 1
            except (SourceError, sources.cinder.NotFound) as error:
                failed += 1
                reason = getattr(error, "message", None) or _("it no longer exists")
                messages.error(
                    request,
                    _("Could not delete message %(id)s: %(reason)s")
                    % {"id": message_id, "reason": reason},
                )
                LOG.warning("Event Viewer: could not delete message %s: %s", message_id, reason)
        if deleted:
            messages.success(request, _("Deleted %d messages.") % deleted)
        return failed == 0 or deleted > 0
