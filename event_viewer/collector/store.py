"""Writing collected events to the database, and reaping expired ones in batches.

:func:`write_batch` stores one batch of notifications in one transaction, so
the listener can acknowledge the batch once it returns (and only then).
Notifications of one operation (same request id, ``.start``/``.end``/``.error``)
update one row; a redelivered notification changes nothing. Several collectors
may write at once: inserts ignore conflicts on the unique keys, and updates lock
the rows they change. Expiry times are clamped inside the calendar, so no
timestamp or TTL can make the date arithmetic overflow.

:func:`reap` deletes expired events (and Guru Meditation Reports) at most
``batch_size`` rows per transaction; several reapers on several nodes take
disjoint rows (``SKIP LOCKED`` where the database has it), so none waits on
another's long lock.
"""

import datetime
import time

from django.db import transaction
from django.utils import timezone

from event_viewer import config, models

_SEVERITY = {"INFO": 0, "WARNING": 1, "ERROR": 2}
# Bounds of a stored expiry: a day inside Python's calendar, so that showing it
# in any time zone cannot overflow either.
LATEST_EXPIRY = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)
EARLIEST_EXPIRY = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
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
    "exception",
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
    with transaction.atomic(using=using):
        _fold_resourceless(records, using)
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
        row.expires_at = _expiry(record.created_at, ttl_seconds)
    return row


def _expiry(created_at, ttl_seconds):
    try:
        ttl = datetime.timedelta(seconds=ttl_seconds)
    except OverflowError:
        return LATEST_EXPIRY
    return _shifted(created_at, ttl)


def _shifted(moment, delta):
    """``moment + delta``, clamped to the bounds of a stored expiry instead of overflowing."""
    try:
        shifted = moment + delta
    except OverflowError:
        return LATEST_EXPIRY if delta > datetime.timedelta(0) else EARLIEST_EXPIRY
    return min(max(shifted, EARLIEST_EXPIRY), LATEST_EXPIRY)


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
            row.expires_at = _shifted(row.expires_at, -shift)
    if _RANK[record.outcome] > _RANK[row.outcome]:
        row.outcome = record.outcome
        row.event_type = record.event_type
        row.finished_at = record.created_at
        # Where it ended (or failed) is the host the operator wants.
        row.host, row.publisher_id, row.service = record.host, record.publisher_id, record.service
        row.payload = record.payload
        if record.summary and (record.outcome == models.OUTCOME_FAIL or not row.summary):
            row.summary = record.summary
            row.exception = record.exception or row.exception
    if _SEVERITY[record.level] > _SEVERITY[row.level]:
        row.level = record.level
    if record.traceback and not row.traceback:
        row.traceback = record.traceback
    if record.exception and not row.exception:
        row.exception = record.exception
    for name in ("project_id", "user_id", "global_request_id", "resource_name"):
        if not getattr(row, name) and getattr(record, name):
            setattr(row, name, getattr(record, name))
    if not row.resource_id and record.resource_id:
        row.resource_type, row.resource_id = record.resource_type, record.resource_id
    return before != [getattr(row, name) for name in _MERGED_FIELDS]


def _fold_resourceless(records, using):
    """Give a lifecycle notification that names no resource the key of its operation.

    Operations are keyed per resource (``request|operation|resource``), but a
    ``.start`` may be sent before its resource exists (Trove's
    ``dbaas.instance_create.start`` has no instance id; its ``.end`` has it) and
    is keyed ``request|operation``. It belongs to the one operation of its
    request that names a resource: in this batch or stored before. Where the
    request has several (a multi-create), it keeps a row of its own rather than
    join the wrong one. The other way round, a start stored under the short key
    takes the full key of the one resource a later notification names.
    """
    full_keys = {}  # request|operation -> the full keys this batch names
    for record in records:
        if record.operation_key and record.resource_id and record.operation_prefix:
            full_keys.setdefault(record.operation_prefix, set()).add(record.operation_key)
    events = models.ServiceEvent.objects.using(using)
    for record in records:
        prefix = record.operation_key
        if not prefix or record.resource_id or prefix != record.operation_prefix:
            continue
        keys = set(full_keys.get(prefix, ()))
        if not keys:
            # The request id index narrows this to the request's few rows.
            keys.update(
                events.filter(
                    request_id=record.request_id, operation_key__startswith=prefix + "|"
                ).values_list("operation_key", flat=True)[:2]
            )
        if len(keys) == 1:
            record.operation_key = keys.pop()
    # One query for the batch (it finds nothing unless a start came first, alone).
    single = {prefix: next(iter(keys)) for prefix, keys in full_keys.items() if len(keys) == 1}
    if not single:
        return
    starts = events.filter(operation_key__in=list(single), resource_id="")
    for row_pk, prefix in starts.values_list("pk", "operation_key"):
        key = single[prefix]
        if not events.filter(operation_key=key).exists():
            events.filter(pk=row_pk).update(operation_key=key)


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
    """Delete expired events and reports, ``batch_size`` rows per transaction, until none is left.

    ``on_batch(deleted, seconds)`` is called after each committed batch (the
    benchmark measures the longest transaction with it). Returns the total
    (events and Guru Meditation Reports: one TTL machinery for both).
    """
    using = using or config.database_alias()
    now = now or timezone.now()
    return sum(
        _reap_model(model, batch_size, now, using, on_batch)
        for model in (models.ServiceEvent, models.ServiceReport)
    )


def _reap_model(model, batch_size, now, using, on_batch):
    from django.db import connections

    rows = model.objects.using(using)
    expired = rows.filter(expires_at__lt=now).order_by("expires_at")
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
                deleted = rows.filter(id__in=ids).delete()[0] if ids else 0
            else:
                # SQLite: one DELETE, so the write lock is taken (or waited for)
                # at once; a read first would fail to upgrade beside another writer.
                deleted = rows.filter(id__in=expired.values("id")[:batch_size]).delete()[0]
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
