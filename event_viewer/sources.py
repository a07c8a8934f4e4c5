"""The sources of the failure inbox and one merged page over them.

A source turns one API into :class:`~event_viewer.events.Event` rows in time
order after a cursor, applying the filters its API can apply and the others
itself. :func:`fetch_page` asks all sources at once (in threads, so a slow one
costs its timeout, not the sum) and merges their answers.

The sources: Cinder user messages, Trove instance faults, and the service
events the collector stored in the plugin's database (when it has one).
"""

import concurrent.futures
import dataclasses
import datetime

from django.utils.translation import gettext_lazy as _

from event_viewer import config, paging
from event_viewer.api import cinder, store, trove
from event_viewer.api.errors import SourceError
from event_viewer.events import Event

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
        if not (query.text or query.since or query.until):
            listed = client.list(filters=filters, marker=cursor, limit=limit, sort_dir=sort_dir)
            return [self._event(m) for m in listed]
        return self._scan(client, filters, cursor, limit, newest_first)

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
        the time range. Sets ``truncated`` when the limit stopped the search
        before the page was full, and says so in the page's notes.
        """
        query = self.query
        found, scanned = [], 0
        scan_limit = config.text_scan_limit()
        sort_dir = "desc" if newest_first else "asc"
        bound = query.since if newest_first else query.until
        while len(found) < limit:
            chunk = min(max(limit, 100), scan_limit - scanned)
            if chunk <= 0:
                self.truncated = True
                self.notes.append(
                    _(
                        "Block Storage cannot search summaries or times: the Event Viewer "
                        "searched %d messages from this point and stopped; older ones may "
                        "match too."
                    )
                    % scanned
                )
                break
            listed = client.list(filters=filters, marker=cursor, limit=chunk, sort_dir=sort_dir)
            scanned += len(listed)
            for event in map(self._event, listed):
                past = (
                    bound is not None
                    and event.created_at is not None
                    and (event.created_at < bound if newest_first else event.created_at > bound)
                )
                if past:
                    return found[:limit]
                if plugin_side_match(event, query):
                    found.append(event)
            if len(listed) < chunk:
                break
            cursor = listed[-1].id
        return found[:limit]


class TroveSource(Source):
    """Trove instance faults; Trove has no filters, so all are applied here."""

    name = trove.SOURCE
    label = trove.LABEL

    def cursor_of(self, event):
        return f"{event.created_at.isoformat() if event.created_at else ''}|{event.native_id}"

    def _key_of_cursor(self, cursor):
        created, _sep, native_id = cursor.partition("|")
        try:
            when = datetime.datetime.fromisoformat(created) if created else None
        except ValueError as exc:
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
                _("Database: only the first %d pages of instances were searched for faults.")
                % config.trove_max_pages()
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
    """

    name = store.SOURCE
    label = store.LABEL
    in_request_thread = True

    def __init__(self, request, query, all_projects=False):
        super().__init__(request, query, all_projects)
        self.scope = store_scope(request, all_projects)

    def cursor_of(self, event):
        return store.encode_cursor(event.created_at, event.native_id)

    def fetch(self, cursor, limit, newest_first):
        try:
            rows = store.list_events(self.query, self.scope, cursor, limit, newest_first)
        except store.BadCursor as exc:
            raise paging.BadMarker(cursor) from exc
        return [Event.from_service_event(row) for row in rows]


def store_scope(request, all_projects):
    """What the store may return: the token's project, or every project for the admin panel."""
    return store.ALL_PROJECTS if all_projects else request.user.project_id


def fetch_page(sources, marker, limit):
    """One merged page: ``(page, errors, notes)``; a failing source becomes an error.

    An edited cursor raises :class:`~event_viewer.paging.BadMarker`.
    """
    fetched, errors, notes = {}, [], []
    pooled = [source for source in sources if not source.in_request_thread]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(len(pooled), 1))

    def fetch(source):
        return source.fetch(marker.cursors.get(source.name), limit + 1, marker.fetch_newest_first)

    try:
        futures = {source.name: pool.submit(fetch, source) for source in pooled}
        # This thread's sources run while the pool's are under way.
        futures.update(
            (source.name, _run_here(fetch, source))
            for source in sources
            if source.in_request_thread
        )
        # Every HTTP call has the session timeout; this bounds sources that make
        # several calls (Trove's page walk, Cinder's text scan) as a whole. The
        # database's own timeouts bound the sources of this thread.
        deadline = config.source_timeout() * 2
        for source in sources:
            try:
                fetched[source.name] = futures[source.name].result(timeout=deadline)
            except concurrent.futures.TimeoutError:
                fetched[source.name] = None
                errors.append(
                    SourceError(
                        source.name,
                        _("%(source)s did not answer within %(seconds)g s.")
                        % {"source": source.label, "seconds": deadline},
                    )
                )
            except SourceError as error:
                fetched[source.name] = None
                errors.append(error)
            notes.extend(source.notes)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    cursor_of = {source.name: source.cursor_of for source in sources}
    page = paging.merge_page(fetched, marker, limit, lambda e: cursor_of[e.source](e))
    return page, errors, notes


def _run_here(function, *args):
    """The finished Future of ``function(*args)`` run in this thread, failure included."""
    future = concurrent.futures.Future()
    try:
        future.set_result(function(*args))
    except Exception as exc:  # re-raised by result(), as for a pooled source
        future.set_exception(exc)
    return future


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


# Cinder resource type -> how to read its current status.
_CINDER_RESOURCES = {
    "VOLUME": "volumes",
    "VOLUME_SNAPSHOT": "volume_snapshots",
    "VOLUME_BACKUP": "backups",
}


def resource_status(request, event, all_projects=False):
    """The current status of the event's resource, 'deleted', or '' when unknown.

    One API call: a Cinder resource (of a message or a service event) or a
    Trove instance; other services' resources are not looked up.
    """
    try:
        if (
            event.source in (cinder.SOURCE, store.SOURCE)
            and event.resource_type in _CINDER_RESOURCES
        ):
            return cinder.resource_status(
                request, _CINDER_RESOURCES[event.resource_type], event.resource_id
            )
        if event.source == trove.SOURCE:
            client = trove.InstancesClient(request, all_projects=all_projects)
            return client.get(event.resource_id).get("status", "")
    except (cinder.NotFound, trove.NotFound):
        return _("deleted")
    except SourceError as error:
        return _("unknown (%s)") % error.message
    return ""
