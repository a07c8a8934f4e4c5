"""Admin -> Event Viewer -> Service Reports: the stored Guru Meditation Reports (admin only).

The list reads one page at a time, newest first, after the (created_at, id)
of the last row shown (the ``ev_report_time`` index serves it), so a page
costs the same however many reports are stored. The detail page shows each
section of one report. Everything in a report came from a file on a node:
the templates only ever autoescape it.
"""

import datetime
from urllib.parse import quote_plus

from django import http
from django.db.models import Q
from django.template import defaultfilters
from django.utils.translation import gettext_lazy as _
from horizon import messages, tables, views

from event_viewer import config
from event_viewer.content.project.tables import local_time
from event_viewer.models import ServiceReport

#: What the list loads per row: never the sections (up to a MiB each).
LIST_FIELDS = ("id", "service", "host", "created_at", "size")


class BadCursor(ValueError):
    """A page link that this module did not make (edited, or from another version)."""


def encode_cursor(report):
    return f"{report.created_at.isoformat()}_{report.id}"


def decode_cursor(text):
    """``(created_at, id)`` of an :func:`encode_cursor` text."""
    moment, _sep, report_id = text.rpartition("_")
    try:
        created_at = datetime.datetime.fromisoformat(moment)
        report_id = int(report_id)
    except ValueError as error:
        raise BadCursor(text) from error
    if created_at.tzinfo is None:
        raise BadCursor(text)
    return created_at, report_id


def report_page(reports, cursor, forward, size):
    """``(rows newest first, has_prev, has_more)`` of one page of the ``reports`` queryset.

    ``cursor`` is the (created_at, id) the page continues from: older rows
    (``forward``) or the newer rows just before it (Prev); None: the first page.
    """
    if cursor is None:
        rows = list(reports.order_by("-created_at", "-id")[: size + 1])
        return rows[:size], False, len(rows) > size
    created_at, report_id = cursor
    if forward:
        older = Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=report_id)
        rows = list(reports.filter(older).order_by("-created_at", "-id")[: size + 1])
        return rows[:size], True, len(rows) > size
    newer = Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=report_id)
    rows = list(reports.filter(newer).order_by("created_at", "id")[: size + 1])
    return rows[:size][::-1], len(rows) > size, True


class ReportFilterAction(tables.FilterAction):
    """Horizon's filter box, applied by the database (exact service or host)."""

    name = "filter"
    filter_type = "server"
    filter_choices = (
        ("service", _("Service ="), True),
        ("host", _("Host ="), True),
    )


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

    def get_marker(self):
        return quote_plus(encode_cursor(self.data[-1])) if self.data else ""

    def get_prev_marker(self):
        return quote_plus(encode_cursor(self.data[0])) if self.data else ""

    class Meta:
        name = "service_reports"
        verbose_name = _("Service Reports")
        pagination_param = "marker"
        prev_pagination_param = "prev_marker"
        table_actions = (ReportFilterAction,)
        multi_select = False


class ReportsView(tables.DataTableView):
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

    def get_data(self):
        # A changed filter redirects to the first page (DataTableView.post).
        reports = ServiceReport.objects.only(*LIST_FIELDS).filter(**self.get_filters())
        try:
            cursor, forward = self._cursor()
        except BadCursor:
            messages.error(
                self.request,
                _("That page link is not valid (edited or outdated). Start from the first page."),
            )
            cursor, forward = None, True
        rows, self._has_prev, self._has_more = report_page(
            reports, cursor, forward, config.page_size(self.request)
        )
        return rows


class ReportDetailView(views.HorizonTemplateView):
    template_name = "event_viewer/report_detail.html"
    page_title = _("Service Report")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            report = ServiceReport.objects.get(pk=kwargs["report_id"])
        except ServiceReport.DoesNotExist as error:
            raise http.Http404(_("No such report.")) from error
        context["report"] = report
        return context
