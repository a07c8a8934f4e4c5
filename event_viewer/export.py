"""Export of the filtered failures as CSV or JSON, with django-tables2 and tablib.

The export walks the same merged pages as the table (so it is the filtered
table, not only the visible page), up to ``EVENT_VIEWER_EXPORT_MAX_ROWS``.
"""

import django_tables2
from django import http
from django_tables2.export import TableExport

from event_viewer import paging, sources

FORMATS = ("csv", "json")

# A spreadsheet runs a cell that starts with one of these as a formula; service
# text is untrusted, so CSV cells that would start with one get a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class ExportTable(django_tables2.Table):
    created_at = django_tables2.Column(verbose_name="time")
    source = django_tables2.Column(verbose_name="source")
    resource_type = django_tables2.Column(verbose_name="resource_type")
    resource_id = django_tables2.Column(verbose_name="resource_id")
    resource_name = django_tables2.Column(verbose_name="resource_name")
    event_id = django_tables2.Column(verbose_name="event_id")
    level = django_tables2.Column(verbose_name="level")
    outcome = django_tables2.Column(verbose_name="outcome")
    summary = django_tables2.Column(verbose_name="summary")
    request_id = django_tables2.Column(verbose_name="request_id")
    expires_at = django_tables2.Column(verbose_name="expires")
    id = django_tables2.Column(verbose_name="id")

    def value_created_at(self, value):
        return value.isoformat() if value else ""

    def value_expires_at(self, value):
        return value.isoformat() if value else ""

    def __init__(self, data, for_spreadsheet=False):
        super().__init__(data)
        self.for_spreadsheet = for_spreadsheet

    def as_values(self, exclude_columns=None):
        rows = super().as_values(exclude_columns)
        if not self.for_spreadsheet:
            yield from rows
            return
        yield next(rows)  # the header row is ours, not service data
        for row in rows:
            yield [neutralise_formula(value) for value in row]


def collect(source_list, most):
    """Up to ``most`` events of all sources, newest first: ``(events, errors)``."""
    events, errors = [], []
    marker = paging.Marker({})
    while len(events) < most:
        page, page_errors, _notes = sources.fetch_page(
            source_list, marker, min(200, most - len(events))
        )
        errors.extend(page_errors)
        events.extend(page.events)
        if page.next_marker is None or page_errors:
            break
        marker = page.next_marker
    return events, errors


def response(export_format, events, errors):
    if export_format not in FORMATS:
        raise http.Http404("Unknown export format")
    table = ExportTable(events, for_spreadsheet=export_format == "csv")
    exporter = TableExport(export_format, table)
    reply = exporter.response(filename=f"event-viewer.{export_format}")
    if errors:
        # Partial data must not look complete: the header names the failed sources.
        reply["X-Event-Viewer-Incomplete"] = ", ".join(sorted({e.source for e in errors}))
    return reply
