"""Views of the Admin -> Event Viewer panel: the project views over all projects."""

import dataclasses
import importlib.metadata
import json

from django.utils.translation import gettext_lazy as _
from horizon import messages
from openstack_dashboard import policy

from event_viewer import config, filters
from event_viewer.api import keystone
from event_viewer.api.errors import SourceError
from event_viewer.content.admin import tables as admin_tables
from event_viewer.content.project import views as project_views


class AdminScopeMixin:
    all_projects = True
    table_class = admin_tables.AdminEventsTable
    dashboard = "admin"
    url_namespace = "horizon:admin:event_viewer"
    filter_fields = filters.ADMIN_FIELDS
    # Checked again here, not only by the panel: traces and raw payloads are
    # for admins alone.
    admin_text_policy = (("identity", "admin_required"),)

    def may_see_admin_text(self):
        if not hasattr(self, "_may_see_admin_text"):
            self._may_see_admin_text = bool(policy.check(self.admin_text_policy, self.request))
        return self._may_see_admin_text

    def may_delete_service_events(self):
        # The panel (and so every view and action of it) is admin-only.
        return config.service_events_enabled()

    def names(self, kind):
        """``{id: name}`` of all ``"projects"`` or ``"users"``: one Keystone call per page.

        Kept on the view, which lives for one request. None when Keystone
        failed (the page says so, and IDs still work).
        """
        cache = self.__dict__.setdefault("_names", {})
        if kind not in cache:
            try:
                cache[kind] = getattr(keystone, NAME_LISTS[kind])(self.request)
            except SourceError as error:
                self.log_source_error(error)
                messages.warning(self.request, error.message)
                cache[kind] = None
        return cache[kind]

    def current_query(self):
        """The filter, with a project or user given by name turned into its ID."""
        query = super().current_query()
        for field, kind, problem in (
            ("project", "projects", _("No single project is named or has the ID %s.")),
            ("user", "users", _("No single user is named or has the ID %s.")),
        ):
            value = getattr(query, field)
            names = self.names(kind) if value else None
            if names is None or value in names:
                continue
            ids = [some_id for some_id, name in names.items() if name == value]
            if len(ids) != 1:
                raise filters.InvalidFilter(problem % value)
            query = dataclasses.replace(query, **{field: ids[0]})
        return query

    def with_names(self, event):
        """The event with the names of its project and user, where it has them."""
        names = {}
        if event.project_id:
            names["project_name"] = (self.names("projects") or {}).get(event.project_id, "")
        if event.user_id:
            names["user_name"] = (self.names("users") or {}).get(event.user_id, "")
        return dataclasses.replace(event, **names) if names else event


# kind -> the function of event_viewer.api.keystone that lists its names.
NAME_LISTS = {"projects": "project_names", "users": "user_names"}


class IndexView(AdminScopeMixin, project_views.IndexView):
    def get_data(self):
        return [self.with_names(event) for event in super().get_data()]


class DetailView(AdminScopeMixin, project_views.DetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = context["event"] = self.with_names(context["event"])
        allowed = self.may_see_admin_text()
        context["show_traceback"] = bool(allowed and event.traceback)
        if context["show_traceback"]:
            context["bug_report"] = bug_report(event)
        context["show_payload"] = bool(allowed and event.payload)
        if context["show_payload"]:
            context["payload"] = readable_payload(event.payload)
        return context


def readable_payload(payload):
    """The raw notification payload, indented when it is JSON (the template escapes it)."""
    try:
        return json.dumps(json.loads(payload), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return payload


def bug_report(event):
    """The text an operator pastes into a bug: ids, host, versions and the trace."""
    lines = [
        f"Event: {event.id} ({event.source_label})",
        f"Time: {event.created_at.isoformat() if event.created_at else '-'}",
        f"Summary: {event.summary}",
        f"Event ID: {event.event_id or '-'}",
        f"Request ID: {event.request_id or '-'}",
        f"Resource: {event.resource_type} {event.resource_id}",
        f"Project: {event.project_name or event.project_id or '-'}",
        f"Host: {event.host or '-'}",
        *([f"User: {event.user_name or event.user_id}"] if event.user_id else []),
        *([f"Service: {event.service} ({event.publisher_id})"] if event.service else []),
        *([f"Global request ID: {event.global_request_id}"] if event.global_request_id else []),
        f"Versions: event-viewer {_version('event-viewer')}, horizon {_version('horizon')}",
        "",
        event.traceback,
    ]
    return "\n".join(lines)


def _version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class DeleteMatchingView(AdminScopeMixin, project_views.DeleteMatchingView):
    pass


class ExportView(AdminScopeMixin, project_views.ExportView):
    pass
