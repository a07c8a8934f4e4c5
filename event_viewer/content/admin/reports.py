"""Admin -> Event Viewer -> Service Reports: the stored Guru Meditation Reports (admin only).

The list shows one page at a time, newest first (``api/reports.py`` reads it);
the detail page shows each section of one report; admins whom the policy rule
``event_viewer:delete_service_reports`` allows delete reports. Reports are
operator details (stack traces, configuration): every page needs the rule
``event_viewer:view_operator_details`` too, on top of the admin panel's role.
Everything in a report came from a file on a node: the templates only ever
autoescape it. A database that fails is named in the page, as for the events.
"""

import logging
import sys
from urllib.parse import quote_plus

from django import http, urls
from django.core.exceptions import PermissionDenied
from django.template import defaultfilters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import exceptions, messages, tables, views

from event_viewer import config, policy
from event_viewer.api import reports as reports_api
from event_viewer.api import store
from event_viewer.api.errors import SourceError
from event_viewer.content.project.tables import local_time

LOG = logging.getLogger(__name__)


def encode_cursor(report):
    """A report's place in the list, in the store's one cursor format (``api.store``)."""
    return store.encode_cursor(report.created_at, report.id)


def decode_cursor(text):
    """``(created_at, id)`` of an :func:`encode_cursor` text, both checked, or ``BadCursor``."""
    return store.decode_cursor(text)


BadCursor = store.BadCursor


class ReportsAccessMixin:
    """Reports are operator details: the policy rule decides (and denies where unsure)."""

    def dispatch(self, request, *args, **kwargs):
        if not policy.allows(request, policy.VIEW_OPERATOR_DETAILS):
            raise PermissionDenied(_("You are not allowed to see service reports."))
        return super().dispatch(request, *args, **kwargs)

    def error_text(self, error):
        LOG.warning("Event Viewer: service reports failed: %s", error.detail)
        # Those who get here may see operator details: the reason too.
        return error.detail


class ReportFilterAction(tables.FilterAction):
    """Horizon's filter box, applied by the database (exact service or host)."""

    name = "filter"
    filter_type = "server"
    filter_choices = (
        ("service", _("Service ="), True),
        ("host", _("Host ="), True),
    )


COULD_NOT_DELETE_REPORT = _("Could not delete report %(id)s: %(reason)s")


class DeleteReports(tables.DeleteAction):
    """Deletes stored reports (not the files: those are the services')."""

    name = "delete_reports"
    help_text = _("Deleted reports cannot be restored; the report files are not touched.")
    policy_rules = policy.rule(policy.DELETE_SERVICE_REPORTS)

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Report", "Delete Reports", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Report", "Deleted Reports", count)

    def allowed(self, request, datum=None):
        # Fail closed where Horizon's engine does not know the rule.
        return policy.allows(request, policy.DELETE_SERVICE_REPORTS)

    def delete(self, request, obj_id):
        try:
            if not policy.allows(request, policy.DELETE_SERVICE_REPORTS):
                raise SourceError(reports_api.SOURCE, _("you may not delete reports"))
            if not reports_api.delete_reports([obj_id]):
                raise reports_api.NotFound(obj_id)
        except (SourceError, reports_api.NotFound) as error:
            reason = getattr(error, "detail", None) or _("it no longer exists")
            messages.error(request, COULD_NOT_DELETE_REPORT % {"id": obj_id, "reason": reason})
            LOG.warning("Event Viewer: could not delete report %s: %s", obj_id, reason)
            raise exceptions.HandledException(sys.exc_info()) from error


class ServiceReportsTable(tables.DataTable):
    created_at = tables.Column(
        "created_at",
        verbose_name=_("Time"),
        filters=(local_time,),
        link="horizon:admin:event_viewer:report_detail",
    )
    service = tables.Column("service", verbose_name=_("Service"))
    host = tables.Column(lambda report: report.host or "\u2014", verbose_name=_("Host"))
    size = tables.Column("size", verbose_name=_("Size"), filters=(defaultfilters.filesizeformat,))

    def get_object_id(self, datum):
        return str(datum.id)

    def get_object_display(self, datum):
        return f"{datum.service}@{datum.host or '-'} {datum.created_at:%Y-%m-%d %H:%M:%S}"

    def get_marker(self):
        return quote_plus(encode_cursor(self.data[-1])) if self.data else ""

    def get_prev_marker(self):
        return quote_plus(encode_cursor(self.data[0])) if self.data else ""

    class Meta:
        name = "service_reports"
        verbose_name = _("Service Reports")
        pagination_param = "marker"
        prev_pagination_param = "prev_marker"
        table_actions = (ReportFilterAction, DeleteReports)
        row_actions = (DeleteReports,)


class ReportsView(ReportsAccessMixin, tables.DataTableView):
    table_class = ServiceReportsTable
    template_name = "event_viewer/reports.html"
    page_title = _("Service Reports")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._has_prev = self._has_more = False

    def has_prev_data(self, table):
        return self._has_prev

    def has_more_data(self, table):
        return self._has_more

    def _cursor(self):
        """``(cursor, forward)`` from the page link (Horizon's Next/Prev parameters)."""
        meta = self.table_class._meta
        marker = self.request.GET.get(meta.pagination_param)
        if marker:
            return decode_cursor(marker), True
        prev_marker = self.request.GET.get(meta.prev_pagination_param)
        if prev_marker:
            return decode_cursor(prev_marker), False
        return None, True

    def _show_problem(self, text):
        messages.error(self.request, text)
        self.table._no_data_message = text

    def get_data(self):
        # A changed filter redirects to the first page (DataTableView.post).
        try:
            cursor, forward = self._cursor()
        except BadCursor:
            messages.error(
                self.request,
                _("That page link is not valid (edited or outdated). Start from the first page."),
            )
            cursor, forward = None, True
        try:
            rows, self._has_prev, self._has_more = reports_api.list_page(
                self.get_filters(), cursor, forward, config.page_size(self.request)
            )
        except SourceError as error:
            self._show_problem(self.error_text(error))
            return []
        return rows


class ReportDetailView(ReportsAccessMixin, views.HorizonTemplateView):
    template_name = "event_viewer/report_detail.html"
    page_title = _("Service Report")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["report"] = reports_api.get_report(kwargs["report_id"])
        except reports_api.NotFound as error:
            raise http.Http404(_("No such report.")) from error
        except SourceError as error:
            exceptions.handle(
                self.request,
                self.error_text(error),
                redirect=urls.reverse("horizon:admin:event_viewer:reports"),
            )
        return context
