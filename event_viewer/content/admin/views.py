"""Views of the Admin -> Event Viewer panel: the project views over all projects."""

import dataclasses

from django.utils.translation import gettext_lazy as _
from horizon import messages

from event_viewer import config, filters, policy
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

    # Hosts, traces and raw text: the project panel's may_see_admin_text (the
    # policy rule decides in both panels, on top of this panel's admin role).

    def may_delete_service_events(self):
        """Any project's service events, where the policy rule allows it."""
        return config.service_events_enabled() and policy.allows(
            self.request, policy.DELETE_SERVICE_EVENTS
        )

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
                messages.warning(self.request, self.error_text(error))
                cache[kind] = None
        return cache[kind]

    def current_query(self):
        """The filter, with a project or user given by name turned into its ID."""
        query = super().current_query()
        for field, kind, problem in (
            ("project", "projects", _("No single project is named or has the ID %(value)s.")),
            ("user", "users", _("No single user is named or has the ID %(value)s.")),
        ):
            value = getattr(query, field)
            names = self.names(kind) if value else None
            if names is None or value in names:
                continue
            ids = [some_id for some_id, name in names.items() if name == value]
            if len(ids) != 1:
                raise filters.InvalidFilter(problem % {"value": value})
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
    pass


class DeleteMatchingView(AdminScopeMixin, project_views.DeleteMatchingView):
    pass


class ExportView(AdminScopeMixin, project_views.ExportView):
    pass
