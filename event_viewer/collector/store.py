"""Writing collected events to the database, and reaping expired ones in batches.

:func:`write_batch` stores one batch of notifications in one transaction, so
the listener can acknowledge the batch once it returns (and only then).
Notifications of one operation (same request id, ``.start``/``.end``/``.error``)
update one row; a redelivered notification changes nothing. Several collectors
may write at once: inserts ignore conflicts on the unique keys, and updates lock
the rows they change.

:func:`reap` deletes expired events at most ``batch_size`` rows per
transaction; several reapers on several nodes take disjoint rows (``SKIP
LOCKED`` where the database has it), so none waits on another's long lock.
"""

import datetime
import time

from django.db import transaction
from django.utils import timezone

from event_viewer import config, models

_SEVERITY = {"INFO": 0, "WARNING": 1, "ERROR": 2}
# Outcomes a later notification may not undo: a redelivered ``.start`` must not
# turn a failed operation back into one in progress.
_RANK = {models.OUTCOME_IN_PROGRESS: 0, models.OUTCOME_PASS: 1, models.OUTCOME_FAIL: 2}
_MERGED_FIELDS = (
    "event_type",
    "outcome",
    "level",
    "host",
    "publisher_id",
    "service",
    "summary",
    "traceback",
    "payload",
    "created_at",
    "finished_at",
    "project_id",
    "user_id",
    "global_request_id",
    "resource_type",
    "resource_id",
    "resource_name",
)


def write_batch(records, ttl_seconds, using=None):
    """Store ``records`` (from :func:`~event_viewer.collector.notifications.parse`) at once.

    ``ttl_seconds`` < 0 keeps them forever. Returns the number of records written.
    """
    using = using or config.database_alias()
    by_key, standalone = {}, []
    for record in sorted(records, key=lambda r: r.created_at):
        if record.operation_key:
            by_key.setdefault(record.operation_key, []).append(record)
        else:
            standalone.append(record)
    rows = [_new_row(r, ttl_seconds) for r in standalone]
    for group in by_key.values():
        row = _new_row(group[0], ttl_seconds)
        for record in group[1:]:
            _merge(row, record)
        rows.append(row)
    with transaction.atomic(using=using):
        # Rows whose message or operation is already stored are skipped here...
        models.ServiceEvent.objects.using(using).bulk_create(rows, ignore_conflicts=True)
        # ...and the stored operations take in what this batch adds to them.
        if by_key:
            _update_operations(by_key, ttl_seconds, using)
    return len(records)


def _new_row(record, ttl_seconds):
    row = models.ServiceEvent(**record.model_fields())
    if record.is_terminal:
        row.finished_at = record.created_at
    if ttl_seconds >= 0:
        row.expires_at = record.created_at + datetime.timedelta(seconds=ttl_seconds)
    return row


def _merge(row, record):
    """Fold a later (or redelivered) notification of the same operation into its row.

    Returns True when the row changed.
    """
    before = [getattr(row, name) for name in _MERGED_FIELDS]
    if record.created_at < row.created_at:
        # A ".start" that arrives after its ".end": the operation began earlier.
        shift = row.created_at - record.created_at
        row.created_at = record.created_at
        if row.expires_at is not None:
            row.expires_at -= shift
    if _RANK[record.outcome] > _RANK[row.outcome]:
        row.outcome = record.outcome
        row.event_type = record.event_type
        row.finished_at = record.created_at
        # Where it ended (or failed) is the host the operator wants.
        row.host, row.publisher_id, row.service = record.host, record.publisher_id, record.service
        row.payload = record.payload
        if record.summary and (record.outcome == models.OUTCOME_FAIL or not row.summary):
            row.summary = record.summary
    if _SEVERITY[record.level] > _SEVERITY[row.level]:
        row.level = record.level
    if record.traceback and not row.traceback:
        row.traceback = record.traceback
    for name in ("project_id", "user_id", "global_request_id", "resource_name"):
        if not getattr(row, name) and getattr(record, name):
            setattr(row, name, getattr(record, name))
    if not row.resource_id and record.resource_id:
        row.resource_type, row.resource_id = record.resource_type, record.resource_id
    return before != [getattr(row, name) for name in _MERGED_FIELDS]


def _update_operations(by_key, ttl_seconds, using):
    stored = (
        models.ServiceEvent.objects.using(using)
        .select_for_update()
        .filter(operation_key__in=list(by_key))
    )
    changed = []
    for row in stored:
        # Merging every record again is harmless: the one that created the row
        # changes nothing, and each merge only moves the row forward.
        if any([_merge(row, record) for record in by_key[row.operation_key]]):
            changed.append(row)
    if changed:
        fields = (*_MERGED_FIELDS, "expires_at")
        models.ServiceEvent.objects.using(using).bulk_update(changed, fields)


def reap(batch_size, now=None, using=None, on_batch=None):
    """Delete expired events, ``batch_size`` rows per transaction, until none is left.

    ``on_batch(deleted, seconds)`` is called after each committed batch (the
    benchmark measures the longest transaction with it). Returns the total.
    """
    from django.db import connections

    using = using or config.database_alias()
    now = now or timezone.now()
    events = models.ServiceEvent.objects.using(using)
    expired = events.filter(expires_at__lt=now).order_by("expires_at")
    features = connections[using].features
    total = 0
    while True:
        started = time.monotonic()
        with transaction.atomic(using=using):
            if features.has_select_for_update:
                # Rows another reaper holds are skipped, not waited for.
                ids = list(
                    expired.select_for_update(
                        skip_locked=features.has_select_for_update_skip_locked
                    ).values_list("id", flat=True)[:batch_size]
                )
                deleted = events.filter(id__in=ids).delete()[0] if ids else 0
            else:
                # SQLite: one DELETE, so the write lock is taken (or waited for)
                # at once; a read first would fail to upgrade beside another writer.
                deleted = events.filter(id__in=expired.values("id")[:batch_size]).delete()[0]
        if on_batch and deleted:
            on_batch(deleted, time.monotonic() - started)
        total += deleted
        if deleted < batch_size:
            return total


def prepare_database(using=None):
    """Checks the store is reachable and migrated; on SQLite, turns on WAL.

    WAL lets the dashboard read while the collector writes (the journal mode
    belongs to the database file, so setting it once is enough).
    """
    from django.db import connections

    connection = connections[using or config.database_alias()]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
    models.ServiceEvent.objects.using(connection.alias).exists()
