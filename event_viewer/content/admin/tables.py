"""The admin table: the project table over all projects, linking to the admin pages."""

from django.utils.translation import gettext_lazy as _
from horizon import tables

from event_viewer import filters
from event_viewer.content.project import tables as project_tables


class AdminDeleteMatching(project_tables.DeleteMatching):
    url = "horizon:admin:event_viewer:delete_matching"


def project_label(event):
    return event.project_name or event.project_id or "\u2014"


class AdminFilterAction(project_tables.EventFilterAction):
    filter_choices = tuple(
        (field, label, True) for field, (label, _v) in filters.ADMIN_FIELDS.items()
    )


class ByHostAction(tables.LinkAction):
    name = "by_host"
    verbose_name = _("By Host")
    url = "horizon:admin:event_viewer:by_host"
    classes = ("btn-default",)
    icon = "server"


# The project table's actions that the admin table replaces with its own.
ADMIN_ACTIONS = {
    project_tables.DeleteMatching: AdminDeleteMatching,
    project_tables.EventFilterAction: AdminFilterAction,
}


class AdminEventsTable(project_tables.EventsTable):
    project = tables.Column(project_label, verbose_name=_("Project"))
    host = tables.Column(lambda e: e.host or "\u2014", verbose_name=_("Host"))
    resource = tables.Column(
        project_tables.resource_label,
        verbose_name=_("Resource"),
        link=lambda event: project_tables.resource_url(event, "admin"),
    )
    created_at = tables.Column(
        "created_at",
        verbose_name=_("Time"),
        filters=(project_tables.local_time,),
        link="horizon:admin:event_viewer:detail",
    )

    export_url_name = "horizon:admin:event_viewer:export"

    class Meta(project_tables.EventsTable.Meta):
        name = "admin_events"
        table_actions = (ByHostAction,) + tuple(
            ADMIN_ACTIONS.get(action, action)
            for action in project_tables.EventsTable.Meta.table_actions
        )
        columns = (
            "created_at",
            "source",
            "project",
            "host",
            "resource",
            "event_id",
            "level",
            "summary",
            "request_id",
            "expires_at",
        )
