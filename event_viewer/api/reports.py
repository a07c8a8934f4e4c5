"""The stored Guru Meditation Reports read and deleted by the admin panel.

The only module that queries ``ServiceReport`` for the panels, on the store's
database (``EVENT_VIEWER_DATABASE``). A list is one page, newest first, after
the ``(created_at, id)`` of the last row shown (the ``ev_report_time`` index
serves it), so a page costs the same however many reports are stored; lists
never load the sections (up to a MiB each). Database failures become
:class:`~event_viewer.api.errors.SourceError` like the events' (a reason for
operators in ``detail``, none in ``message``).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from event_viewer import config
from event_viewer.api import store
from event_viewer.api.errors import SourceError
from event_viewer.models import ServiceReport

SOURCE = "reports"
LABEL = _("Service reports")

#: What the list loads per row: never the sections.
LIST_FIELDS = ("id", "service", "host", "created_at", "size")
#: The exact filters of the list (the table's filter box).
FILTERS = ("service", "host")


class NotFound(Exception):
    """No such report (or not a report id at all)."""


def available():
    """True when the store has a database (the reports live beside the events)."""
    return config.service_events_enabled()


def list_page(filters, cursor, forward, size):
    """``(rows newest first, has_prev, has_more)`` of one page of reports.

    ``filters``: ``{"service"|"host": value}``, exact. ``cursor`` is the
    ``(created_at, id)`` the page continues from: older rows (``forward``) or
    the newer rows just before it (Prev); None: the first page.
    """
    wanted = {field: value for field, value in filters.items() if field in FILTERS}
    with _database():
        reports = _reports().only(*LIST_FIELDS).filter(**wanted)
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


def get_report(report_id):
    """One report with its sections, by its id (a string from a URL)."""
    try:
        report_pk = store._pk(report_id)
    except ValueError as error:
        raise NotFound(report_id) from error
    with _database():
        report = _reports().filter(pk=report_pk).first()
    if report is None:
        raise NotFound(report_id)
    return report


def delete_reports(report_ids):
    """Deletes the reports with these ids; returns the ids it deleted (others: not found)."""
    with _database():
        return store.delete_ids(_reports(), report_ids)


def _reports():
    return ServiceReport.objects.using(config.database_alias())


def _database():
    if not available():
        # Django's placeholder backend raises ImproperlyConfigured, not a DatabaseError.
        raise SourceError(
            SOURCE, _("%(label)s: the Event Viewer has no database.") % {"label": LABEL}
        )
    return store._database(label=LABEL, model=ServiceReport, source=SOURCE)
