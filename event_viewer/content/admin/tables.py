"""The admin table: the project table under its own name (all projects)."""

from event_viewer.content.project import tables as project_tables


class AdminEventsTable(project_tables.EventsTable):
    class Meta(project_tables.EventsTable.Meta):
        name = "admin_events"
