"""The collector's store read by the panels: the only module that queries ``ServiceEvent`` for them.

The database applies every filter (none is applied in Python), and lists are
keyset-paged on ``(created_at, id)``: a page is one range scan of one of the
model's indexes -- ``(created_at, id)``, or ``(project_id | host | user_id,
created_at, id)`` when that column is fixed -- so its cost does not grow with
the number of rows (``tests/unit/test_store_source.py`` checks the plan on SQLite,
PostgreSQL and MariaDB).

Scope: every function takes ``project_id``, the *token's* project of a member,
or :data:`ALL_PROJECTS` for the admin panel. A member's scope never includes
rows of another project nor rows without a project (an empty scope matches
nothing). The traceback and the raw payload are admin-only: they are read
only when asked for (``admin_text=True``), never by lists.

Database failures become :class:`~event_viewer.api.errors.SourceError`, so the
page names the problem and the other sources still render.
"""

import contextlib
import datetime
import logging

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from event_viewer import config, timebounds
from event_viewer.api.errors import SourceError
from event_viewer.models import ServiceEvent

LOG = logging.getLogger(__name__)

SOURCE = "collector"
LABEL = _("Service events")
MIGRATE_COMMAND = "python -m django migrate event_viewer"

# Query field -> ServiceEvent field, compared for equality by the database.
# (``text`` and ``request_id`` are not plain equalities: see _filtered.)
EXACT_FILTERS = {
    "resource_type": "resource_type",
    "resource_id": "resource_id",
    "event_id": "event_type",
    "level": "level",
    "project": "project_id",
    "host": "host",
    "user": "user_id",
    "outcome": "outcome",
}

# Never loaded by lists: operator-only (see event_viewer.policy), and the largest
# columns. The summary is loaded (the table shows it), but only those allowed
# operator details see it raw (events.Event.for_viewer).
ADMIN_TEXT_FIELDS = ("exception", "traceback", "payload")

# Rows deleted per statement (keeps the IN list well under every backend's limit).
DELETE_CHUNK = 500


class AllProjects:
    """The admin panel's scope: rows of every project, and rows without one."""

    def __repr__(self):
        return "ALL_PROJECTS"


ALL_PROJECTS = AllProjects()


class NotFound(Exception):
    """No such service event in the caller's scope (or not a service event id at all)."""


class BadCursor(ValueError):
    """A cursor that :func:`encode_cursor` did not make."""


def encode_cursor(created_at, event_pk):
    """The cursor a page continues after: ``<created_at ISO>|<id>``."""
    return f"{created_at.isoformat()}|{event_pk}"


def decode_cursor(text):
    """``(created_at, id)`` of a cursor, both checked before any query sees them.

    The time must be aware and in :mod:`~event_viewer.timebounds` (a naive or
    absurd one would fail in the database's date handling), the id a positive
    integer within the column's range.
    """
    created, sep, event_pk = text.partition("|")
    try:
        if not sep:
            raise ValueError(text)
        return timebounds.checked(datetime.datetime.fromisoformat(created)), _pk(event_pk)
    except ValueError as exc:  # OutOfRange included
        raise BadCursor(text) from exc


# The primary key is a BigAutoField: a larger number overflows the drivers.
MAX_PK = 2**63 - 1


def _pk(value):
    text = str(value)
    if not text.isdigit() or len(text) > len(str(MAX_PK)):
        raise ValueError(value)
    event_pk = int(text)
    if event_pk < 1 or event_pk > MAX_PK or str(event_pk) != text:
        raise ValueError(value)
    return event_pk


def list_events(query, project_id, cursor=None, limit=20, newest_first=True):
    """At most ``limit`` rows matching ``query`` after ``cursor``, in time order.

    ``cursor`` is None for the first row of that order. Raises
    :class:`BadCursor` for an edited cursor and ``SourceError`` when the
    database fails.
    """
    rows = page_query(query, project_id, cursor, newest_first)
    with _database():
        return list(rows[:limit])


def page_query(query, project_id, cursor=None, newest_first=True):
    """The (lazy) QuerySet of :func:`list_events`, without its limit: for ``EXPLAIN``."""
    rows = _filtered(_scoped(project_id), query).defer(*ADMIN_TEXT_FIELDS)
    if cursor:
        rows = _after(rows, *decode_cursor(cursor), newest_first=newest_first)
    return rows.order_by(*_order(newest_first))


def get_event(event_id, project_id, admin_text=False):
    """One row by its id (a string from a URL); ``admin_text`` also reads traceback and payload."""
    try:
        event_pk = _pk(event_id)
    except ValueError as exc:
        raise NotFound(event_id) from exc
    with _database():
        rows = _scoped(project_id)
        if not admin_text:
            rows = rows.defer(*ADMIN_TEXT_FIELDS)
        row = rows.filter(pk=event_pk).first()
    if row is None:
        raise NotFound(event_id)
    return row


def matching_ids(query, project_id, most):
    """Ids of the rows matching ``query``, newest first: ``(ids, complete)``, at most ``most``."""
    with _database():
        rows = _filtered(_scoped(project_id), query).order_by(*_order(newest_first=True))
        ids = list(rows.values_list("pk", flat=True)[: most + 1])
    return ids[:most], len(ids) <= most


def delete_events(event_ids, project_id):
    """Deletes the rows with these ids *in the scope*; returns the ids it deleted.

    An id of another project (or not an id at all) is simply not deleted, so
    the caller can name it.
    """
    with _database():
        return delete_ids(_scoped(project_id), event_ids)


def delete_ids(rows, ids):
    """Deletes the rows of the queryset ``rows`` with these ids; returns the ids it deleted.

    Ids that are not ids (strings from a form) are skipped; the deletes go in
    chunks of ``DELETE_CHUNK``. The caller holds ``_database()``.
    """
    wanted = []
    for some_id in ids:
        with contextlib.suppress(ValueError):
            wanted.append(_pk(some_id))
    deleted = []
    for start in range(0, len(wanted), DELETE_CHUNK):
        found = list(
            rows.filter(pk__in=wanted[start : start + DELETE_CHUNK]).values_list("pk", flat=True)
        )
        rows.filter(pk__in=found).delete()
        deleted.extend(found)
    return deleted


def _scoped(project_id):
    rows = ServiceEvent.objects.using(config.database_alias())
    if project_id is ALL_PROJECTS:
        return rows
    if not project_id:
        # A member without a project (never from a real token) sees nothing,
        # and "" must never select the rows that have no project.
        return rows.none()
    return rows.filter(project_id=project_id)


def _filtered(rows, query):
    conditions = {
        field: getattr(query, query_field)
        for query_field, field in EXACT_FILTERS.items()
        if getattr(query, query_field)
    }
    rows = rows.filter(**conditions)
    if query.text:
        rows = rows.filter(summary__icontains=query.text)
    if query.request_id:
        # The id the user has may be the operation's own or the global one
        # that a calling service passed on (both are indexed).
        rows = rows.filter(Q(request_id=query.request_id) | Q(global_request_id=query.request_id))
    if query.since:
        rows = rows.filter(created_at__gte=query.since)
    if query.until:
        rows = rows.filter(created_at__lte=query.until)
    return rows


def _order(newest_first):
    return ("-created_at", "-id") if newest_first else ("created_at", "id")


def _after(rows, created_at, event_pk, newest_first):
    """The rows strictly after ``(created_at, id)`` in the order of the page.

    The plain bound on ``created_at`` is what lets the database start the
    index range scan at the cursor; the OR only settles ties on that time.
    """
    if newest_first:
        return rows.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=event_pk),
            created_at__lte=created_at,
        )
    return rows.filter(
        Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=event_pk),
        created_at__gte=created_at,
    )


@contextlib.contextmanager
def _database(label=LABEL, model=None, source=SOURCE):
    """Translates database failures into ``SourceError`` (logged with the full reason).

    The error's ``message`` never contains the driver's text (it names the
    database's host and port); its ``detail`` does, for those allowed to see it.
    ``api/reports.py`` uses this for the reports' table too.
    """
    alias = config.database_alias()
    try:
        # Inside a transaction (ATOMIC_REQUESTS, tests) a failed statement must
        # only roll back its savepoint: PostgreSQL refuses every later statement
        # of an aborted transaction, including the other sources' and Horizon's.
        atomic = connections[alias].in_atomic_block
        with transaction.atomic(using=alias) if atomic else contextlib.nullcontext():
            yield
    except DatabaseError as exc:
        LOG.warning("Event Viewer: the store (database %r) failed: %s", alias, exc)
        message, detail = _message(alias, exc, label, model)
        raise SourceError(source, message, detail=detail) from exc


def _message(alias, exc, label=LABEL, model=None):
    """``(message for everyone, detail with the driver's reason)`` of a database failure."""
    if _table_missing(alias, model):
        text = _(
            "%(label)s: the Event Viewer's tables are not in its database "
            "(not migrated): an operator must run `%(command)s`."
        ) % {"label": label, "command": MIGRATE_COMMAND}
        return text, text
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    if isinstance(exc, OperationalError | InterfaceError):
        message = _("%(label)s: the Event Viewer's database is not reachable.")
        detail = _("%(label)s: the Event Viewer's database is not reachable (%(reason)s).")
    else:
        message = _("%(label)s: the Event Viewer's database failed.")
        detail = _("%(label)s: the Event Viewer's database failed (%(reason)s).")
    return message % {"label": label}, detail % {"label": label, "reason": reason}


def _table_missing(alias, model=None):
    """True when the database answers and has no table of ``model``; False when unsure."""
    model = model or ServiceEvent  # looked up now: tests replace it
    try:
        connection = connections[alias]
        return model._meta.db_table not in connection.introspection.table_names()
    except DatabaseError:
        return False
