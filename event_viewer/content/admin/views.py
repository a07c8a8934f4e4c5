"""Views of the Admin -> Event Viewer panel: the project views over all projects."""

from event_viewer.content.admin import tables as admin_tables
from event_viewer.content.project import views as project_views


class AdminScopeMixin:
    all_projects = True
    table_class = admin_tables.AdminEventsTable
    url_namespace = "horizon:admin:event_viewer"


class IndexView(AdminScopeMixin, project_views.IndexView):
    pass


class DetailView(AdminScopeMixin, project_views.DetailView):
    pass


class DeleteMatchingView(AdminScopeMixin, project_views.DeleteMatchingView):
    pass


class ExportView(AdminScopeMixin, project_views.ExportView):
    pass
