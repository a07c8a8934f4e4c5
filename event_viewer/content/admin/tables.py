"""The admin table: the project table over all projects, linking to the admin pages."""

from django.utils.translation import gettext_lazy as _
from horizon import tables

from event_viewer.content.project import tables as project_tables


class AdminDeleteMatching(project_tables.DeleteMatching):
    url = "horizon:admin:event_viewer:delete_matching"


class AdminEventsTable(project_tables.EventsTable):
    created_at = tables.Column(
        "created_at",
        verbose_name=_("Time"),
        filters=(project_tables.local_time,),
        link="horizon:admin:event_viewer:detail",
    )

    export_url_name = "horizon:admin:event_viewer:export"

    class Meta(project_tables.EventsTable.Meta):
        name = "admin_events"
        table_actions = tuple(
            AdminDeleteMatching if action is project_tables.DeleteMatching else action
            for action in project_tables.EventsTable.Meta.table_actions
        )
