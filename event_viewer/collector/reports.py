"""Guru Meditation Report files into the store: ingesting a directory (parsing: report_parsing).

Services on the node (nova, cinder, Horizon with ``EVENT_VIEWER_REPORTS_DIR``,
the collector itself) write their reports into a directory (``[oslo_reports]
log_dir``) as ``<service>_gurumeditation_<UTC YYYYmmddHHMMSS>``. The collector
calls :func:`ingest_directory` on it periodically: each report file becomes one
``ServiceReport`` row, once per (path, host), however many collectors read the
same directory: a signal sent to a whole fleet writes the same file name on
every node, each its own report. Rows expire after the collector's
``message_ttl`` and are reaped with the service events. They are written to
the store's database (``EVENT_VIEWER_DATABASE``).
Report files are untrusted input: nothing in them is executed or followed.
"""

import dataclasses
import datetime
import logging
import os
import socket
import stat
import time

from event_viewer import config
from event_viewer.collector import options
from event_viewer.collector.report_parsing import (  # noqa: F401 (the module's API)
    FILE_NAME,
    REPORT_TITLE,
    TRUNCATED_TITLE,
    NotAReport,
    ParsedReport,
    parse_file_name,
    parse_report,
    parse_sections,
)
from event_viewer.models import ServiceReport

LOG = logging.getLogger(__name__)

#: Most bytes of one report that are stored; the rest is named in a note section.
MAX_REPORT_BYTES = 1024 * 1024
#: A file modified less than this long ago may still be being written: next pass.
SETTLE_SECONDS = 2.0
#: Seconds a report is kept unless the caller says (the collector's message_ttl default).
DEFAULT_TTL_SECONDS = next(opt.default for opt in options.OPTS if opt.name == "message_ttl")

_KNOWN_QUERY_BATCH = 500
_INSERT_BATCH = 20
_FIELD_LENGTHS = {
    name: ServiceReport._meta.get_field(name).max_length for name in ("path", "service", "host")
}
_SIZE_MAX = 2**31 - 1  # an IntegerField


@dataclasses.dataclass
class IngestResult:
    """What one :func:`ingest_directory` pass did."""

    #: Reports stored by this pass (or, at that very moment, by another
    #: collector reading the same directory: the row exists once either way).
    new: int = 0
    #: Report files stored before.
    already_known: int = 0
    #: Files that could not be read or are not reports (symbolic links
    #: included: they are never followed). Each is logged once per process.
    unreadable: int = 0
    #: Reports older than the TTL: not stored (the reaper would delete them).
    expired: int = 0

    def __str__(self):
        return (
            f"{self.new} new, {self.already_known} already known, "
            f"{self.unreadable} unreadable, {self.expired} expired"
        )


def ingest_directory(
    directory,
    *,
    max_bytes=MAX_REPORT_BYTES,
    settle_seconds=SETTLE_SECONDS,
    ttl_seconds=DEFAULT_TTL_SECONDS,
    using=None,
):
    """Store every report file of ``directory`` not stored yet; never raises for a file.

    Only the directory's own regular files are read: symbolic links are not
    followed (nor opened, even if swapped in while reading) and sub-directories
    are skipped. Files modified in the last ``settle_seconds`` wait for the next
    pass, so that a report still being written is not stored cut short.
    Stored text is capped at ``max_bytes`` per report. Reports expire
    ``ttl_seconds`` after they were written (-1: kept). A file is known when
    its (path, host) is stored; a path stored with this node's name as host is
    not read again.
    """
    using = using or config.database_alias()
    result = IngestResult()
    root = os.path.realpath(directory)
    try:
        entries = list(os.scandir(root))
    except OSError as error:
        LOG.warning("Guru Meditation Reports: cannot list %s: %s", root, error)
        return result

    candidates = {}
    now = time.time()
    for entry in entries:
        problem = _entry_problem(entry)
        if problem == "directory":
            continue
        if problem:
            result.unreadable += 1
            _log_once(entry.path, entry, problem)
            continue
        try:
            modified = entry.stat(follow_symlinks=False).st_mtime
        except OSError as error:  # removed since the listing
            result.unreadable += 1
            _log_once(entry.path, entry, error)
            continue
        if now - modified < settle_seconds:
            continue
        candidates[entry.path] = entry

    known = _known(list(candidates), using)
    now_utc = datetime.datetime.now(datetime.UTC)
    host = socket.gethostname()
    batch = []
    for path, entry in sorted(candidates.items()):
        if (path, host) in known or _read_before(entry, host):
            # The usual case: a report of this node (its configured host is
            # the node's name), or a file read before that another node's row shares.
            result.already_known += 1
            continue
        try:
            report = _read_report(path, entry.name, max_bytes, host, ttl_seconds)
        except (OSError, NotAReport) as error:
            result.unreadable += 1
            _log_once(path, entry, error)
            continue
        _remember_read(entry, host)
        if (report.path, report.host) in known:
            result.already_known += 1
            continue
        if report.expires_at is not None and report.expires_at <= now_utc:
            # Reaped already (or older than the TTL): storing it again would
            # only have the reaper delete it again.
            result.expired += 1
            continue
        batch.append(report)
        if len(batch) >= _INSERT_BATCH:
            result.new += _store(batch, using)
            batch = []
    result.new += _store(batch, using)
    if result.new or result.unreadable:
        LOG.info("Guru Meditation Reports in %s: %s", root, result)
    return result


def _entry_problem(entry):
    """Why a directory entry is not a candidate ("directory": silently skipped), else None."""
    try:
        if entry.is_symlink():
            return "a symbolic link (never followed)"
        if entry.is_dir(follow_symlinks=False):
            return "directory"
        if not entry.is_file(follow_symlinks=False):
            return "not a regular file"
    except OSError as error:
        return str(error)
    if not FILE_NAME.match(entry.name):
        return "not named <service>_gurumeditation_<timestamp>"
    if len(entry.path) > _FIELD_LENGTHS["path"]:
        return f"its path is longer than {_FIELD_LENGTHS['path']} characters"
    return None


def _known(paths, using):
    """The stored ``(path, host)`` pairs of these paths."""
    known = set()
    reports = ServiceReport.objects.using(using)
    for start in range(0, len(paths), _KNOWN_QUERY_BATCH):
        chunk = paths[start : start + _KNOWN_QUERY_BATCH]
        known.update(reports.filter(path__in=chunk).values_list("path", "host"))
    return known


# (node, path, modification time, size) of the files this process read and
# found stored (or stored): a report whose configured host is not the node's
# name is not read again at every pass.
_read_files = set()
_READ_FILES_MAX = 10000


def _file_key(entry, node):
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    return (node, entry.path, info.st_mtime_ns, info.st_size)


def _read_before(entry, node):
    key = _file_key(entry, node)
    return key is not None and key in _read_files


def _remember_read(entry, node):
    key = _file_key(entry, node)
    if key is None:
        return
    if len(_read_files) >= _READ_FILES_MAX:
        _read_files.clear()
    _read_files.add(key)


def _read_report(path, name, max_bytes, default_host, ttl_seconds=DEFAULT_TTL_SECONDS):
    # O_NOFOLLOW: a file swapped for a link since the listing is not followed;
    # O_NONBLOCK: a FIFO swapped in does not hang the collector.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    with open(os.open(path, flags), "rb") as report_file:
        info = os.fstat(report_file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotAReport("not a regular file")
        data = report_file.read(max_bytes)
    # NUL cannot be stored in PostgreSQL's JSON; replacement marks it.
    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    parsed = parse_report(name, text, default_host)
    sections = parsed.sections
    if info.st_size > len(data):
        note = (
            f"This report file is {info.st_size:,} bytes; only its first {len(data):,} bytes "
            "are stored (the collector's limit per report), so the section before this note "
            "is cut short."
        )
        sections = [*sections, {"title": TRUNCATED_TITLE, "body": note}]
    expires_at = None
    if ttl_seconds >= 0:
        try:
            expires_at = parsed.created_at + datetime.timedelta(seconds=ttl_seconds)
        except OverflowError:
            expires_at = None  # past the calendar's end: never, in practice
    return ServiceReport(
        path=path,
        service=parsed.service[: _FIELD_LENGTHS["service"]],
        host=parsed.host[: _FIELD_LENGTHS["host"]],
        created_at=parsed.created_at,
        sections=sections,
        size=min(info.st_size, _SIZE_MAX),
        expires_at=expires_at,
    )


def _store(reports, using):
    # ignore_conflicts: another collector on this node may store the same file
    # at the same time; the unique (path, host) keeps one row.
    ServiceReport.objects.using(using).bulk_create(reports, ignore_conflicts=True)
    return len(reports)


# (path, modification time, size) of the files already logged as unreadable: a
# stray file is logged once per process, not at every pass.
_logged_problems = set()
_LOGGED_PROBLEMS_MAX = 10000


def _log_once(path, entry, problem):
    try:
        info = entry.stat(follow_symlinks=False)
        key = (path, info.st_mtime_ns, info.st_size)
    except OSError:
        key = (path, None, None)
    if key in _logged_problems:
        return
    if len(_logged_problems) >= _LOGGED_PROBLEMS_MAX:
        _logged_problems.clear()
    _logged_problems.add(key)
    LOG.warning("Guru Meditation Reports: skipping %s: %s", path, problem)
