"""The admin table: the project table over all projects, linking to the admin pages."""

from django.utils.translation import gettext_lazy as _
from horizon import tables

from event_viewer import config, filters, policy
from event_viewer.content.project import tables as project_tables


class AdminDeleteMatching(project_tables.DeleteMatching):
    url = "horizon:admin:event_viewer:delete_matching"


class AdminDeleteServiceEvents(project_tables.DeleteServiceEvents):
    # Any project's: the admin panel's own rule (the view checks it too).
    policy_rules = policy.rule(policy.DELETE_SERVICE_EVENTS)


def project_label(event):
    return event.project_name or event.project_id or "\u2014"


def user_label(event):
    return event.user_name or event.user_id or "\u2014"


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
    policy_rules = policy.rule(policy.VIEW_OPERATOR_DETAILS)

    def allowed(self, request, datum=None):
        # Hosts are operator details (fail closed: see event_viewer.policy).
        return policy.allows(request, policy.VIEW_OPERATOR_DETAILS)

    def get_link_url(self, datum=None):
        # Counted under the page's filter, a filter link's included.
        return project_tables.with_link_params(super().get_link_url(datum), self.table)


class ServiceReportsAction(tables.LinkAction):
    name = "service_reports"
    verbose_name = _("Service Reports")
    url = "horizon:admin:event_viewer:reports"
    classes = ("btn-default",)
    icon = "file-text-o"
    policy_rules = policy.rule(policy.VIEW_OPERATOR_DETAILS)

    def allowed(self, request, datum=None):
        # Reports live in the store's database: no button where there is none.
        return config.service_events_enabled() and policy.allows(
            request, policy.VIEW_OPERATOR_DETAILS
        )


# The project table's actions that the admin table replaces with its own.
ADMIN_ACTIONS = {
    project_tables.DeleteMatching: AdminDeleteMatching,
    project_tables.EventFilterAction: AdminFilterAction,
    project_tables.DeleteServiceEvents: AdminDeleteServiceEvents,
}


class AdminEventsTable(project_tables.EventsTable):
    project = tables.Column(project_label, verbose_name=_("Project"))
    host = tables.Column(lambda e: e.host or "\u2014", verbose_name=_("Host"))
    user = tables.Column(user_label, verbose_name=_("User"))
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
        table_actions = (ByHostAction, ServiceReportsAction) + tuple(
            ADMIN_ACTIONS.get(action, action)
            for action in project_tables.EventsTable.Meta.table_actions
        )
        row_actions = tuple(
            ADMIN_ACTIONS.get(action, action)
            for action in project_tables.EventsTable.Meta.row_actions
        )
        columns = (
            "created_at",
            "source",
            "project",
            "host",
            "user",
            "resource",
            "event_id",
            "level",
            "outcome",
            "summary",
            "request_id",
            "expires_at",
        )
