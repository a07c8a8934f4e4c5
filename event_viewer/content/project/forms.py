"""The "delete all matching" confirmation: counts, then deletes exactly what was confirmed.

The confirmation carries a signed token (``django.core.signing``) with the
query it counted, the count and a digest of the matched ids, bound to the
user and the panel's scope. The submit lists that query again -- never the
filter the session or a URL holds by then -- and deletes only when the same
events still match; when they changed, it deletes nothing and asks again with
the new count. The scope of every list and delete is the view's (the token's
project of a member), whatever the token says.
"""

import hashlib
import logging

from django.core import signing
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from event_viewer import config, filters, sources
from event_viewer.api import store
from event_viewer.api.errors import SourceError
from event_viewer.content.project import tables as project_tables

LOG = logging.getLogger(__name__)

CONFIRMATION_SALT = "event_viewer.delete_matching"
# A confirmation older than this is refused (the user opens it again).
CONFIRMATION_MAX_AGE = 3600


class BadConfirmation(Exception):
    """A confirmation token that is forged, altered, expired or someone else's."""


def matched_digest(message_ids, service_event_ids):
    """One value for the matched set: equal digests, same events (order aside)."""
    text = "\n".join(
        [
            *sorted(f"cinder:{i}" for i in message_ids),
            *sorted(f"store:{i}" for i in service_event_ids),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


class DeleteMatchingForm(forms.SelfHandlingForm):
    """Deletes every Block Storage message, and every service event where the user may
    delete them, matching the query the confirmation counted (see the module docstring).

    Counted up to ``EVENT_VIEWER_BULK_DELETE_MAX`` in all. If either source
    cannot be read, nothing is deleted.
    """

    confirmation = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, request, *args, **kwargs):
        self.view = kwargs.pop("view")
        super().__init__(request, *args, **kwargs)
        self.problem = None
        self.query = filters.Query()
        self.confirmed = None
        self.ids, self.complete = [], True
        self.service_event_ids = []
        self.service_events_deletable = self.view.may_delete_service_events()
        try:
            if self.is_bound:
                self.confirmed = self._load(self.data.get("confirmation", ""))
                self.query = filters.query_from_dict(self.confirmed["q"])
            else:
                self.query = self.view.current_query()
            self._list_matches(request)
        except BadConfirmation:
            self.problem = _(
                "This confirmation is not valid (expired or altered): nothing was deleted. "
                "Open Delete All Matching again."
            )
        except filters.InvalidFilter as error:
            self.problem = _("Invalid filter: %(reason)s") % {"reason": error}
        except SourceError as error:
            self.problem = self.view.error_text(error)
        self.count = len(self.ids) + len(self.service_event_ids)
        self.digest = matched_digest(self.ids, self.service_event_ids)
        self.fields["confirmation"].initial = self._token()

    def _scope(self):
        user = self.request.user
        return {"u": user.id, "p": "*" if self.view.all_projects else user.project_id}

    def _token(self):
        payload = {
            "q": filters.query_to_dict(self.query),
            "n": self.count,
            "d": self.digest,
            **self._scope(),
        }
        return signing.dumps(payload, salt=CONFIRMATION_SALT, compress=True)

    def _load(self, token):
        try:
            payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
        except signing.BadSignature as exc:  # SignatureExpired included
            raise BadConfirmation() from exc
        if not isinstance(payload, dict) or any(
            payload.get(key) != value for key, value in self._scope().items()
        ):
            raise BadConfirmation()
        return payload

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
            self.service_event_ids, complete = sources.matching_service_event_ids(
                request, query, self.view.all_projects, most - len(self.ids)
            )
            self.complete = self.complete and complete

    def clean(self):
        cleaned = super().clean()
        if self.problem:
            raise forms.ValidationError(self.problem)
        if self.confirmed.get("d") != self.digest:
            # Re-ask: the form shows the new count, with a token for what matches now.
            self.data = self.data.copy()
            self.data["confirmation"] = self.fields["confirmation"].initial
            raise forms.ValidationError(
                _(
                    "The matching events changed since you confirmed (%(then)d then, "
                    "%(now)d now): nothing was deleted. Confirm again to delete the "
                    "%(now)d that match now."
                )
                % {"then": self.confirmed.get("n", 0), "now": self.count}
            )
        return cleaned

    def handle(self, request, data):
        deleted, failed = self._delete_messages(request)
        deleted_events, failed_events = self._delete_service_events(request)
        if deleted:
            messages.success(request, _("Deleted %(count)d messages.") % {"count": deleted})
        if deleted_events:
            messages.success(
                request, _("Deleted %(count)d service events.") % {"count": deleted_events}
            )
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
            messages.error(request, self.view.error_text(error))
            LOG.warning("Event Viewer: could not delete service events: %s", error.detail)
            return 0, len(self.service_event_ids)
        gone = [event_id for event_id in self.service_event_ids if event_id not in deleted]
        for event_id in gone:
            project_tables.report_failed_delete(
                request, project_tables.COULD_NOT_DELETE_SERVICE_EVENT, f"{store.SOURCE}:{event_id}"
            )
        return len(deleted), len(gone)
