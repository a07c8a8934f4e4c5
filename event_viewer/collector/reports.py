"""Guru Meditation Report files into the store: parsing oslo.reports' text, ingesting a directory.

Services on the node (nova, cinder, Horizon with ``EVENT_VIEWER_REPORTS_DIR``,
the collector itself) write their reports into a directory (``[oslo_reports]
log_dir``) as ``<service>_gurumeditation_<UTC YYYYmmddHHMMSS>``. The collector
calls :func:`ingest_directory` on it periodically: each report file becomes one
``ServiceReport`` row, once, however many collectors read the same directory.
Report files are untrusted input: nothing in them is executed or followed.
"""

import dataclasses
import datetime
import logging
import os
import re
import socket
import stat
import time

from event_viewer.models import ServiceReport

LOG = logging.getLogger(__name__)

#: Most bytes of one report that are stored; the rest is named in a note section.
MAX_REPORT_BYTES = 1024 * 1024
#: A file modified less than this long ago may still be being written: next pass.
SETTLE_SECONDS = 2.0

#: The title of the first section of every Guru Meditation Report.
REPORT_TITLE = "Guru Meditation"
TRUNCATED_TITLE = "Event Viewer: report truncated"

# oslo.reports' section header (views/text/header.py TitledView): a rule of 72
# "=", the title centred between "====" and "====", another rule.
_RULE = "=" * 72
_TITLE_LINE = re.compile(r"^====(.*)====$")
# guru_meditation_report.handle_signal: f"{service}_gurumeditation_{%Y%m%d%H%M%S}"
_FILE_NAME = re.compile(r"^(?P<service>.+)_gurumeditation_(?P<timestamp>\d{14})$")
_TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
# The first line of the Processes section (views/text/process.py): the reporting process.
_PROCESS_LINE = re.compile(r"^Process (\d+) \(under ")
_HOST_OPTION = re.compile(r"^  host = (.*)$")

_KNOWN_QUERY_BATCH = 500
_INSERT_BATCH = 20
_FIELD_LENGTHS = {
    name: ServiceReport._meta.get_field(name).max_length for name in ("path", "service", "host")
}
_SIZE_MAX = 2**31 - 1  # an IntegerField


class NotAReport(ValueError):
    """A file that is not a Guru Meditation Report that oslo.reports wrote."""


@dataclasses.dataclass(frozen=True)
class ParsedReport:
    service: str
    host: str
    created_at: datetime.datetime
    # [{"title": ..., "body": ...}] in the report's order, without its banner.
    sections: list


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

    def __str__(self):
        return f"{self.new} new, {self.already_known} already known, {self.unreadable} unreadable"


def parse_sections(text):
    """``[{"title", "body"}]`` of a report's text, in order (the banner included)."""
    lines = text.split("\n")
    headers = [
        (index, match.group(1).strip())
        for index in range(len(lines) - 2)
        if lines[index] == _RULE
        and lines[index + 2] == _RULE
        and (match := _TITLE_LINE.match(lines[index + 1]))
    ]
    sections = []
    for number, (start, title) in enumerate(headers):
        end = headers[number + 1][0] if number + 1 < len(headers) else len(lines)
        body = "\n".join(lines[start + 3 : end]).strip("\n")
        sections.append({"title": title, "body": body})
    return sections


def parse_file_name(name):
    """``(service as named in the file, created_at in UTC)`` of a report file's name."""
    match = _FILE_NAME.match(name)
    if not match:
        raise NotAReport("not named <service>_gurumeditation_<timestamp>")
    try:
        created = datetime.datetime.strptime(match.group("timestamp"), _TIMESTAMP_FORMAT)
    except ValueError as error:
        raise NotAReport(f"no valid time in its name: {error}") from error
    return match.group("service"), created.replace(tzinfo=datetime.UTC)


def parse_report(name, text, default_host=""):
    """The :class:`ParsedReport` of the file ``name`` (no directory) whose content is ``text``.

    The host is the ``host`` option of the report's configuration (nova,
    cinder, neutron... set it), else ``default_host``.
    """
    named_service, created_at = parse_file_name(name)
    sections = parse_sections(text)
    if not sections or sections[0]["title"] != REPORT_TITLE:
        raise NotAReport("does not start with the Guru Meditation header")
    sections = sections[1:]  # the banner: a title and a line of "|"
    return ParsedReport(
        service=_service(named_service, sections),
        host=_configured_host(sections) or default_host,
        created_at=created_at,
        sections=sections,
    )


def _service(named_service, sections):
    """The service without the ``.<pid>`` that ``event_viewer.gmr`` adds to its file names.

    Taken off only when it is the pid of the process the report describes.
    """
    base, dot, pid = named_service.rpartition(".")
    if dot and base and pid == _reporting_pid(sections):
        return base
    return named_service


def _reporting_pid(sections):
    for section in sections:
        if section["title"] == "Processes":
            match = _PROCESS_LINE.match(section["body"])
            return match.group(1) if match else None
    return None


def _configured_host(sections):
    """``host`` of the ``default`` group of a Configuration section (KeyValueView's layout)."""
    for section in sections:
        if not section["title"].startswith("Configuration"):
            continue
        group = None
        for line in section["body"].split("\n"):
            if line and not line.startswith(" "):
                group = line.rstrip().removesuffix(":")
            elif group == "default" and (match := _HOST_OPTION.match(line)):
                host = match.group(1).strip()
                if host and host != "None":
                    return host
    return ""


def ingest_directory(directory, *, max_bytes=MAX_REPORT_BYTES, settle_seconds=SETTLE_SECONDS):
    """Store every report file of ``directory`` not stored yet; never raises for a file.

    Only the directory's own regular files are read: symbolic links are not
    followed (nor opened, even if swapped in while reading) and sub-directories
    are skipped. Files modified in the last ``settle_seconds`` wait for the next
    pass, so that a report still being written is not stored cut short.
    Stored text is capped at ``max_bytes`` per report.
    """
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

    known = _known_paths(list(candidates))
    result.already_known = len(known)
    host = socket.gethostname()
    batch = []
    for path, entry in sorted(candidates.items()):
        if path in known:
            continue
        try:
            batch.append(_read_report(path, entry.name, max_bytes, host))
        except (OSError, NotAReport) as error:
            result.unreadable += 1
            _log_once(path, entry, error)
            continue
        if len(batch) >= _INSERT_BATCH:
            result.new += _store(batch)
            batch = []
    result.new += _store(batch)
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
    if not _FILE_NAME.match(entry.name):
        return "not named <service>_gurumeditation_<timestamp>"
    if len(entry.path) > _FIELD_LENGTHS["path"]:
        return f"its path is longer than {_FIELD_LENGTHS['path']} characters"
    return None


def _known_paths(paths):
    known = set()
    for start in range(0, len(paths), _KNOWN_QUERY_BATCH):
        chunk = paths[start : start + _KNOWN_QUERY_BATCH]
        known.update(ServiceReport.objects.filter(path__in=chunk).values_list("path", flat=True))
    return known


def _read_report(path, name, max_bytes, default_host):
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
    return ServiceReport(
        path=path,
        service=parsed.service[: _FIELD_LENGTHS["service"]],
        host=parsed.host[: _FIELD_LENGTHS["host"]],
        created_at=parsed.created_at,
        sections=sections,
        size=min(info.st_size, _SIZE_MAX),
    )


def _store(reports):
    # ignore_conflicts: another collector on this node may store the same path
    # at the same time; the unique path keeps one row.
    ServiceReport.objects.bulk_create(reports, ignore_conflicts=True)
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
