"""Views of the Admin -> Event Viewer panel: the project views over all projects."""

from event_viewer.api import cinder
from event_viewer.content.admin import tables as admin_tables
from event_viewer.content.project import views as project_views


class IndexView(project_views.IndexView):
    table_class = admin_tables.AdminEventsTable

    def messages_client(self):
        return cinder.MessagesClient(self.request, all_projects=True)
