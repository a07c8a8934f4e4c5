"""The sources of the failure inbox and one merged page over them.

A source turns one API into :class:`~event_viewer.events.Event` rows in time
order after a cursor, applying the filters its API can apply and the others
itself. :func:`fetch_page` (in ``page_fetch``) asks all sources at once and merges
their answers. Every cursor is validated before it reaches a query or a
comparison: an edited one raises :class:`~event_viewer.paging.BadMarker`, one
the backend no longer knows :class:`~event_viewer.paging.StaleCursor`.

The sources: Cinder user messages, Trove instance faults, and the service
events the collector stored in the plugin's database (when it has one).
"""

import dataclasses
import datetime
import uuid

from django.utils.translation import gettext_lazy as _

from event_viewer import config, paging, policy, timebounds
from event_viewer.api import cinder, store, trove
from event_viewer.events import Event
from event_viewer.page_fetch import fetch_page  # noqa: F401 (the sources' page, re-exported)
from event_viewer.resource_status import resource_status  # noqa: F401 (the detail page's)

# Query field -> Cinder message filter key (Cinder applies these itself).
CINDER_FILTERS = {
    "resource_type": "resource_type",
    "resource_id": "resource_uuid",
    "event_id": "event_id",
    "request_id": "request_id",
    "level": "message_level",
}


def matches_text(event, text):
    return not text or text.lower() in event.summary.lower()


def plugin_side_match(event, query):
    """The filters no source API applies: summary text and the time range."""
    return matches_text(event, query.text) and query.in_time_range(event)


class Source:
    """What every source keeps: the request, the query, its scope and the page's notes.

    ``all_projects`` is the admin panel's scope (every project; for Trove also
    the stack traces, which only the admin-only pane renders). ``truncated`` is
    set when a plugin-side scan stopped at its limit.
    """

    name = label = None
    # Sources that query Django's database run in the request's thread:
    # Django's connections belong to a thread, so a pool thread would open (and
    # leave behind) a connection of its own, outside the request's transaction.
    in_request_thread = False

    def __init__(self, request, query, all_projects=False):
        self.request = request
        self.query = query
        self.all_projects = all_projects
        self.notes = []
        self.truncated = False

    def scan(self, read, cursor, limit, wanted, note):
        """What a source's API cannot filter: read chunks in order, keep matches, bounded.

        ``read(cursor, size)`` returns ``(events, the cursor after them)`` in
        the page's order; ``wanted(event)`` is True (keep), False (skip) or None
        (past the time range: stop). At most ``EVENT_VIEWER_TEXT_SCAN_LIMIT``
        events are read; a scan stopped by that sets ``truncated`` and adds
        ``note % {"count": <events read>}`` to the page's notes.
        """
        found, scanned, scan_limit = [], 0, config.text_scan_limit()
        while len(found) < limit:
            size = min(max(limit, 100), scan_limit - scanned)
            if size <= 0:
                self.truncated = True
                self.notes.append(note % {"count": scanned})
                break
            events, cursor = read(cursor, size)
            scanned += len(events)
            for event in events:
                verdict = wanted(event)
                if verdict is None:
                    return found[:limit]
                if verdict:
                    found.append(event)
            if len(events) < size:
                break
        return found[:limit]


class CinderSource(Source):
    """Cinder user messages; everything but summary text and times is filtered by Cinder."""

    name = cinder.SOURCE
    label = cinder.LABEL

    def cursor_of(self, event):
        return event.native_id

    def fetch(self, cursor, limit, newest_first):
        query = self.query
        if query.host or query.user or query.outcome == "pass":
            # Cinder records neither host nor user, and a message is always a failure.
            self.notes.append(
                _(
                    "Block Storage messages carry no host or user and are all failures: "
                    "none match this filter."
                )
            )
            return []
        client = cinder.MessagesClient(self.request, all_projects=self.all_projects)
        filters = {
            key: getattr(query, field)
            for field, key in CINDER_FILTERS.items()
            if getattr(query, field)
        }
        if query.project:
            # Admins may filter on any column; for members MessagesClient always
            # sends the token's project instead (see api/cinder.py).
            filters["project_id"] = query.project
        sort_dir = "desc" if newest_first else "asc"
        if cursor is not None:
            _check_uuid(cursor)
        try:
            if not (query.text or query.since or query.until):
                listed = client.list(filters=filters, marker=cursor, limit=limit, sort_dir=sort_dir)
                return [self._event(m) for m in listed]
            return self._scan(client, filters, cursor, limit, newest_first)
        except cinder.NotFound as exc:
            # Cinder answers a list whose marker message is gone (deleted,
            # expired, another project's) with 404 MessageNotFound. Without a
            # marker a 404 is no stale link: that source's error, like any other.
            if cursor is None:
                raise
            raise paging.StaleCursor(self.name) from exc

    def _event(self, message):
        event = Event.from_cinder_message(message)
        # Cinder's messages do not say their project; a project filter does.
        return (
            dataclasses.replace(event, project_id=self.query.project)
            if self.query.project
            else event
        )

    def _scan(self, client, filters, cursor, limit, newest_first):
        """Cinder cannot match text or times: read pages and keep matches, up to the scan limit.

        The list is in time order, so the scan stops at the first message past
        the time range.
        """
        query = self.query
        sort_dir = "desc" if newest_first else "asc"
        bound = query.since if newest_first else query.until

        def read(after, size):
            listed = client.list(filters=filters, marker=after, limit=size, sort_dir=sort_dir)
            return [self._event(m) for m in listed], (listed[-1].id if listed else after)

        def wanted(event):
            past = (
                bound is not None
                and event.created_at is not None
                and (event.created_at < bound if newest_first else event.created_at > bound)
            )
            return None if past else plugin_side_match(event, query)

        note = _(
            "Block Storage cannot search summaries or times: the Event Viewer "
            "searched %(count)d messages from this point and stopped; older ones "
            "may match too."
        )
        return self.scan(read, cursor, limit, wanted, note)


class TroveSource(Source):
    """Trove instance faults; Trove has no filters, so all are applied here."""

    name = trove.SOURCE
    label = trove.LABEL

    def cursor_of(self, event):
        return f"{event.created_at.isoformat() if event.created_at else ''}|{event.native_id}"

    def _key_of_cursor(self, cursor):
        created, _sep, native_id = cursor.partition("|")
        _check_uuid(native_id)
        try:
            when = datetime.datetime.fromisoformat(created) if created else None
        except ValueError as exc:
            raise paging.BadMarker(cursor) from exc
        if when is not None:
            # cursor_of writes aware times only; a naive one cannot be compared.
            try:
                when = timebounds.checked(when)
            except timebounds.OutOfRange as exc:
                raise paging.BadMarker(cursor) from exc
        probe = Event(source=self.name, native_id=native_id, created_at=when, summary="")
        return probe.sort_key

    def _wanted(self, event):
        q = self.query
        return (
            (not q.resource_type or q.resource_type == event.resource_type)
            and (not q.resource_id or q.resource_id == event.resource_id)
            and not q.event_id
            and not q.request_id
            and (not q.level or q.level == event.level)
            and (not q.project or q.project == event.project_id)
            and (not q.host or q.host == event.host)
            and not q.user  # Trove faults do not say who started the operation
            and q.outcome != "pass"  # a fault is always a failure
            and plugin_side_match(event, q)
        )

    def fetch(self, cursor, limit, newest_first):
        client = trove.InstancesClient(self.request, all_projects=self.all_projects)
        instances, complete = client.faulted_instances()
        if not complete:
            self.notes.append(
                _("Database: only the first %(pages)d pages of instances were searched for faults.")
                % {"pages": config.trove_max_pages()}
            )
        if not self.query.is_empty and not self.query.source:
            self.notes.append(
                _(
                    "Database faults are filtered by the Event Viewer (Trove has "
                    "no filters); event and request IDs never match them."
                )
            )
        events = sorted(
            (Event.from_trove_instance(i, with_traceback=self.all_projects) for i in instances),
            key=lambda e: e.sort_key,
            reverse=newest_first,
        )
        events = [e for e in events if self._wanted(e)]
        if cursor:
            key = self._key_of_cursor(cursor)
            if newest_first:
                events = [e for e in events if e.sort_key < key]
            else:
                events = [e for e in events if e.sort_key > key]
        return events[:limit]


class StoreSource(Source):
    """The collector's service events; the database applies every filter (api/store.py).

    Members see their token's project only, never the project of the request.
    Whoever the policy rule ``event_viewer:view_operator_details`` does not
    allow gets no host or publisher id, and a generic summary instead of the
    service's raw exception text (``Event.for_viewer``).
    """

    name = store.SOURCE
    label = store.LABEL
    in_request_thread = True

    def __init__(self, request, query, all_projects=False):
        super().__init__(request, query, all_projects)
        self.scope = store_scope(request, all_projects)
        self.operator_details = policy.allows(request, policy.VIEW_OPERATOR_DETAILS)

    def cursor_of(self, event):
        return store.encode_cursor(event.created_at, event.native_id)

    def fetch(self, cursor, limit, newest_first):
        if self.query.text and not self.operator_details:
            return self._scan_shown_summaries(cursor, limit, newest_first)
        try:
            rows = store.list_events(self.query, self.scope, cursor, limit, newest_first)
        except store.BadCursor as exc:
            raise paging.BadMarker(cursor) from exc
        return [self._event(row) for row in rows]

    def _event(self, row):
        return Event.from_service_event(row).for_viewer(self.operator_details)

    def _scan_shown_summaries(self, cursor, limit, newest_first):
        """Summary text matched against the summaries shown, not the raw ones in the database.

        The database would answer "which raw exception texts contain X" to
        someone not allowed to read them; this reads rows (without text
        filter) and keeps those whose shown summary matches, up to the scan
        limit, noted like Cinder's scan.
        """
        unfiltered = dataclasses.replace(self.query, text="")

        def read(after, size):
            try:
                rows = store.list_events(unfiltered, self.scope, after, size, newest_first)
            except store.BadCursor as exc:
                raise paging.BadMarker(after) from exc
            last = store.encode_cursor(rows[-1].created_at, rows[-1].pk) if rows else after
            return [self._event(row) for row in rows], last

        note = _(
            "Service events: the Event Viewer searched %(count)d events from this "
            "point for that summary text and stopped; older ones may match too."
        )
        return self.scan(
            read, cursor, limit, lambda event: matches_text(event, self.query.text), note
        )


def _check_uuid(cursor):
    """Cinder's and Trove's cursors are ids of theirs: UUIDs, nothing else."""
    try:
        uuid.UUID(cursor)
    except (ValueError, TypeError, AttributeError) as exc:
        raise paging.BadMarker(cursor) from exc


def store_scope(request, all_projects):
    """What the store may return: the token's project, or every project for the admin panel."""
    return store.ALL_PROJECTS if all_projects else request.user.project_id


def matching_service_event_ids(request, query, all_projects, most):
    """Ids of the service events matching ``query``: ``(ids, complete)``, at most ``most``.

    Summary text is matched as the user sees it: for someone who may not read
    raw service text, against the generic summaries (a count of raw matches
    would tell them what the raw texts contain).
    """
    source = StoreSource(request, query, all_projects=all_projects)
    if not (query.text and not source.operator_details):
        return store.matching_ids(query, source.scope, most)
    events = source.fetch(None, most + 1, newest_first=True)
    ids = [int(event.native_id) for event in events[:most]]
    return ids, len(events) <= most and not source.truncated


def matching_message_ids(request, query, all_projects, most):
    """Ids of the Cinder messages matching ``query``: ``(ids, complete)``, at most ``most``."""
    source = CinderSource(request, query, all_projects=all_projects)
    ids, cursor = [], None
    while True:
        want = min(100, most - len(ids))
        chunk = source.fetch(cursor, want + 1, newest_first=True)
        ids.extend(event.native_id for event in chunk[:want])
        if source.truncated:
            return ids, False
        if len(chunk) <= want:
            return ids, True
        if len(ids) >= most:
            return ids, False
        cursor = ids[-1]
