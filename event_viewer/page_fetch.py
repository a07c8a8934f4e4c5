"""One merged page over several sources, asked in parallel: :func:`fetch_page`.

What one source costs when it fails is that source only: its timeout, its
error (any exception, logged with its traceback) or a cursor it no longer knows
(the page restarts it at its first page, with a note), while the other sources
still render.
"""

import concurrent.futures
import dataclasses
import logging

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from event_viewer import config, paging
from event_viewer.api.errors import SourceError, TokenRejected

LOG = logging.getLogger(__name__)


def fetch_page(sources, marker, limit):
    """One merged page: ``(page, errors, notes)``; a failing source becomes an error.

    An edited cursor raises :class:`~event_viewer.paging.BadMarker`; an
    expired token :class:`~event_viewer.api.errors.TokenRejected`.
    """
    fetched, errors, notes, stale = _fetch_all(sources, marker.cursors, marker, limit)
    if stale:
        notes.extend(
            _(
                "That page link is no longer valid for %(source)s (what it continued "
                "after is gone): its events start again from the first page."
            )
            % {"source": source.label}
            for source in stale
        )
        if not marker.forward:
            # Backwards from a lost cursor has no defined start: the first page of all.
            page, more_errors, more_notes = fetch_page(
                sources, paging.Marker({}, marker.newest_first), limit
            )
            return page, more_errors, notes + more_notes
        restarted = {source.name: None for source in stale}
        marker = dataclasses.replace(marker, cursors={**marker.cursors, **restarted})
        again, more_errors, more_notes, still_stale = _fetch_all(
            stale, marker.cursors, marker, limit
        )
        fetched.update(again)
        errors.extend(more_errors)
        notes.extend(more_notes)
        errors.extend(  # a first page has no cursor to lose: never met, but never a 500
            SourceError(source.name, _("%(source)s failed.") % {"source": source.label})
            for source in still_stale
        )
    cursor_of = {source.name: source.cursor_of for source in sources}
    page = paging.merge_page(fetched, marker, limit, lambda e: cursor_of[e.source](e))
    return page, errors, notes


def _fetch_all(sources, cursors, marker, limit):
    """Every source's events after its cursor: ``(fetched, errors, notes, stale sources)``."""
    fetched, errors, notes, stale = {}, [], [], []
    pooled = [source for source in sources if not source.in_request_thread]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(len(pooled), 1))

    # A pool thread has no active language: the texts a source makes there
    # (its errors and notes) must be in the user's, as in this thread.
    language = translation.get_language()

    def fetch(source):
        with translation.override(language):
            return source.fetch(cursors.get(source.name), limit + 1, marker.fetch_newest_first)

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
            fetched[source.name] = None
            try:
                fetched[source.name] = futures[source.name].result(timeout=deadline)
            except concurrent.futures.TimeoutError:
                errors.append(
                    SourceError(
                        source.name,
                        _("%(source)s did not answer within %(seconds)g s.")
                        % {"source": source.label, "seconds": deadline},
                    )
                )
            except SourceError as error:
                errors.append(error)
            except paging.StaleCursor:
                stale.append(source)
            except (paging.BadMarker, TokenRejected):
                raise  # the whole page's problem: the view says so
            except Exception:  # one source's defect must not cost the others their rows
                LOG.exception("Event Viewer: source %s failed unexpectedly", source.name)
                errors.append(
                    SourceError(
                        source.name,
                        _("%(source)s failed unexpectedly; the error was logged.")
                        % {"source": source.label},
                    )
                )
            notes.extend(source.notes)
            source.notes = []
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return fetched, errors, notes, stale


def _run_here(function, *args):
    """The finished Future of ``function(*args)`` run in this thread, failure included."""
    future = concurrent.futures.Future()
    try:
        future.set_result(function(*args))
    except Exception as exc:  # re-raised by result(), as for a pooled source
        future.set_exception(exc)
    return future
