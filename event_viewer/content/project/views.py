"""Views of the Project -> Event Viewer panel: index, detail, delete-matching, export.

The admin panel's views subclass these and widen their scope (see
``event_viewer.content.admin.views``); the scope lives in :meth:`scope_kwargs`.
"""

import logging
from urllib.parse import urlencode

from django import http, urls
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages, tables, views

from event_viewer import cinder_events, config, filters, paging, policy, sources
from event_viewer.api import cinder, store, trove
from event_viewer.api.errors import SourceError, TokenRejected
from event_viewer.content.project import forms as project_forms
from event_viewer.content.project import operator_details
from event_viewer.content.project import tables as project_tables
from event_viewer.events import Event

LOG = logging.getLogger(__name__)

# A filter link (detail pages, By Host) carries its filter in the URL: following
# it changes nothing on the server, and the page's own links keep it.
LINK_FIELD_PARAM, LINK_VALUE_PARAM = "filter_field", "filter"
# ``?sort=`` values: oldest or newest first (Next/Prev markers carry the order on).
SORTS = ("asc", "desc")


class LoginAgainOnRejectedToken:
    """An expired or revoked token sends the user to the login page (Horizon's way)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except TokenRejected as error:
            LOG.info("Event Viewer: %s Logging user %s out.", error, request.user.id)
            raise exceptions.NotAuthenticated(
                _("Your session has expired. Please log in again.")
            ) from error


class ScopeMixin(LoginAgainOnRejectedToken):
    """What this panel may see: the user's project (the admin panel: all projects)."""

    all_projects = False
    table_class = project_tables.EventsTable
    dashboard = "project"
    url_namespace = "horizon:project:event_viewer"
    filter_fields = filters.FIELDS

    def sources_for(self, query):
        candidates = [
            sources.CinderSource(self.request, query, all_projects=self.all_projects),
            sources.TroveSource(self.request, query, all_projects=self.all_projects),
        ]
        if config.service_events_enabled():
            candidates.append(
                sources.StoreSource(self.request, query, all_projects=self.all_projects)
            )
        return [source for source in candidates if query.wants(source.name)]

    def messages_client(self, request):
        return cinder.MessagesClient(request, all_projects=self.all_projects)

    def store_scope(self):
        return sources.store_scope(self.request, self.all_projects)

    def may_see_admin_text(self):
        """Hosts, raw exception text, traces, payloads: where the policy rule allows (admins)."""
        if not hasattr(self, "_may_see_admin_text"):
            self._may_see_admin_text = policy.allows(self.request, policy.VIEW_OPERATOR_DETAILS)
        return self._may_see_admin_text

    def may_delete_service_events(self):
        """Members delete their project's service events only where the policy rule allows it."""
        return config.service_events_enabled() and policy.allows(
            self.request, policy.DELETE_PROJECT_SERVICE_EVENTS
        )

    def shown(self, event):
        """The event as this user may see it (see ``Event.for_viewer``)."""
        return event.for_viewer(self.may_see_admin_text())

    def with_names(self, event):
        """The admin panel adds project and user names; here the event is as it is."""
        return event

    def link_filter(self):
        """``(field, value)`` of a filter link in the URL, or None."""
        field = self.request.GET.get(LINK_FIELD_PARAM)
        if field is None:
            return None
        return field, self.request.GET.get(LINK_VALUE_PARAM, "")

    def link_filter_params(self):
        """The URL parameters that keep this page's filter link (``{}`` without one)."""
        link = self.link_filter()
        return dict(zip((LINK_FIELD_PARAM, LINK_VALUE_PARAM), link, strict=True)) if link else {}

    def current_query(self):
        """The query of the page: a filter link's, else the table's filter box (in the session).

        Reading it never writes the session: only the filter box's POST does (Horizon's way).
        """
        link = self.link_filter()
        if link is not None:
            field, value = link
        else:
            param = project_tables.filter_session_key(self.table_class._meta.name)
            value = self.request.session.get(param, "")
            field = self.request.session.get(param + "_field")
        return filters.parse(field, value, self.filter_fields)

    def filter_url(self, field, value):
        """This panel's table filtered by ``field = value`` (see ``_filter_from_link``).

        None where the panel has no such filter, or the value is none or not one
        the filter takes.
        """
        if not value or field not in self.filter_fields:
            return None
        try:
            filters.parse(field, value, self.filter_fields)
        except filters.InvalidFilter:
            return None  # a link that would only say "invalid filter"
        index = urls.reverse(self.url_namespace + ":index")
        return f"{index}?{urlencode({LINK_FIELD_PARAM: field, LINK_VALUE_PARAM: value})}"

    def log_source_error(self, error):
        LOG.warning(
            "Event Viewer: source %s failed for user %s project %s: %s",
            error.source,
            self.request.user.id,
            self.request.user.project_id,
            error.detail,
        )

    def error_text(self, error):
        """A source's error as this user may read it (the reason only where the policy allows)."""
        return error.text_for(self.may_see_admin_text())


class IndexView(ScopeMixin, tables.DataTableView):
    page_title = _("Event Viewer")
    template_name = "event_viewer/index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._page = None

    def has_more_data(self, table):
        return bool(self._page and self._page.next_marker)

    def has_prev_data(self, table):
        return bool(self._page and self._page.prev_marker)

    def get_tables(self):
        tables_by_name = super().get_tables()
        self.table.messages_client = self.messages_client
        self.table.store_scope = self.store_scope()
        self.table.service_events_deletable = self.may_delete_service_events()
        self.table.link_params = self.link_filter_params()
        return tables_by_name

    def post(self, request, *args, **kwargs):
        """A table action acts on the rows shown; the filter box sets the filter (Horizon's way).

        Unlike Horizon's own ``post``, an action is never dropped because the
        filter box holds a value that is not the session's (a filter link's).
        """
        if "action" in request.POST:
            return self.get(request, *args, **kwargs)
        self.handle_server_filter(request)
        sort = request.GET.get("sort")
        target = self.get_table().get_absolute_url()
        return http.HttpResponseRedirect(
            f"{target}?{urlencode({'sort': sort})}" if sort in SORTS else target
        )

    def _marker(self):
        """The page's marker: from Next/Prev, or the first page in the order ``?sort=`` asks.

        The order lives in the URL (``?sort=``, then in the markers), never in the session.
        """
        table = self.table_class._meta
        text = self.request.GET.get(table.pagination_param) or self.request.GET.get(
            table.prev_pagination_param
        )
        sort = self.request.GET.get("sort")
        if sort in SORTS or not text:
            return paging.Marker({}, sort != "asc")
        return paging.Marker.decode(text)

    def _show_problem(self, text):
        messages.error(self.request, text)
        self.table._no_data_message = text

    def update_server_filter_action(self, request, table=None):
        # Horizon fills the filter box from the session here; a filter link
        # shows its own filter there instead (and leaves the session alone).
        super().update_server_filter_action(request, table)
        link = self.link_filter()
        if link is not None:
            action = (table or self.get_table())._meta._filter_action
            action.filter_field, action.filter_string = link

    def get_data(self):
        self.table.newest_first = self.request.GET.get("sort") != "asc"
        try:
            query = self.current_query()
            marker = self._marker()
            self.table.newest_first = marker.newest_first
            # A source's cursor inside a well-formed marker can be edited too.
            page, errors, notes = sources.fetch_page(
                self.sources_for(query), marker, config.page_size(self.request)
            )
        except filters.InvalidFilter as error:
            self._show_problem(_("Invalid filter: %(reason)s") % {"reason": error})
            return []
        except paging.BadMarker:
            self._show_problem(
                _("That page link is not valid (edited or outdated). Start from the first page.")
            )
            return []
        for error in errors:
            self.log_source_error(error)
            messages.error(self.request, self.error_text(error))
        for note in notes:
            messages.info(self.request, note)
        if errors and all(e.bad_request for e in errors) and not page.events:
            self.table._no_data_message = _("No events: the request was rejected (see above).")
        self._page = self.table.page = page
        return [self.shown(event) for event in page.events]


class DetailView(ScopeMixin, views.HorizonTemplateView):
    template_name = "event_viewer/detail.html"
    page_title = _("Event {{ event.id }}")

    def get_event(self, source, native_id):
        admin_text = self.may_see_admin_text()
        try:
            if source == cinder.SOURCE:
                return Event.from_cinder_message(self.messages_client(self.request).get(native_id))
            if source == trove.SOURCE:
                info = trove.InstancesClient(self.request, all_projects=self.all_projects).get(
                    native_id
                )
                if info.get("fault"):
                    event = Event.from_trove_instance(info, with_traceback=admin_text)
                    return self.shown(event)
            if source == store.SOURCE and config.service_events_enabled():
                # Scoped by the database query itself: another project's id is
                # "no such event", exactly like an id that never existed.
                row = store.get_event(native_id, self.store_scope(), admin_text=admin_text)
                event = Event.from_service_event(
                    row, with_traceback=admin_text, with_payload=admin_text
                )
                return self.shown(event)
        except (cinder.NotFound, trove.NotFound, store.NotFound):
            pass
        except SourceError as error:
            self.log_source_error(error)
            exceptions.handle(self.request, self.error_text(error), redirect=self.index_url())
        raise http.Http404(_("No such event."))

    def index_url(self):
        return urls.reverse(self.url_namespace + ":index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source, _sep, native_id = kwargs["event_ref"].partition(":")
        event = context["event"] = self.with_names(self.get_event(source, native_id))
        context["decoded"] = cinder_events.decode(event.event_id)
        context["explanation"] = cinder_events.explanation(event.event_id)
        context["resource_url"] = project_tables.resource_url(event, self.dashboard)
        context["time_left"] = event.expires_at - timezone.now() if event.expires_at else None
        context["resource_status"] = sources.resource_status(self.request, event, self.all_projects)
        context["url"] = self.index_url()
        # The same request, or the same kind of failure, across the sources.
        context["request_url"] = self.filter_url("request_id", event.request_id)
        context["global_request_url"] = self.filter_url("request_id", event.global_request_id)
        context["event_id_url"] = self.filter_url("event_id", event.event_id)
        context["host_url"] = self.filter_url("host", event.host)
        context.update(operator_details.context(event, self.may_see_admin_text()))
        return context


class DeleteMatchingView(ScopeMixin, forms.ModalFormView):
    form_class = project_forms.DeleteMatchingForm
    template_name = "event_viewer/delete_matching.html"
    modal_id = "delete_matching_modal"
    page_title = _("Delete All Matching")
    submit_label = _("Delete")

    def get_success_url(self):
        return urls.reverse(self.url_namespace + ":index")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["view"] = self
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_url"] = urls.reverse(self.url_namespace + ":delete_matching")
        context["cancel_url"] = self.get_success_url()
        form = context["form"]
        context["count"], context["complete"] = form.count, form.complete
        context["message_count"] = len(form.ids)
        context["service_event_count"] = len(form.service_event_ids)
        context["service_events_deletable"] = form.service_events_deletable
        context["query"] = form.query
        context["problem"] = form.problem
        return context


class ExportView(ScopeMixin, views.APIView):
    """The filtered table as CSV or JSON, through django-tables2's export."""

    def get(self, request, *args, **kwargs):
        from event_viewer import export

        try:
            query = self.current_query()
        except filters.InvalidFilter as error:
            messages.error(request, _("Invalid filter: %(reason)s") % {"reason": error})
            return http.HttpResponseRedirect(urls.reverse(self.url_namespace + ":index"))
        events, errors = export.collect(self.sources_for(query), config.export_max_rows())
        for error in errors:
            self.log_source_error(error)
        return export.response(kwargs["format"], [self.shown(e) for e in events], errors)
