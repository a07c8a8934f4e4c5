"""oslo.reports' Guru Meditation Report text: its sections, service, host and time.

Pure parsing, no I/O: ``event_viewer.collector.reports`` reads the files and
stores what this returns. A report's text and name are untrusted input.
"""

import dataclasses
import datetime
import re

#: The title of the first section of every Guru Meditation Report.
REPORT_TITLE = "Guru Meditation"
TRUNCATED_TITLE = "Event Viewer: report truncated"

# oslo.reports' section header (views/text/header.py TitledView): a rule of 72
# "=", the title centred between "====" and "====", another rule.
_RULE = "=" * 72
_TITLE_LINE = re.compile(r"^====(.*)====$")
# guru_meditation_report.handle_signal: f"{service}_gurumeditation_{%Y%m%d%H%M%S}"
FILE_NAME = re.compile(r"^(?P<service>.+)_gurumeditation_(?P<timestamp>\d{14})$")
_TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
# The first line of the Processes section (views/text/process.py): the reporting process.
_PROCESS_LINE = re.compile(r"^Process (\d+) \(under ")
_HOST_OPTION = re.compile(r"^  host = (.*)$")


class NotAReport(ValueError):
    """A file that is not a Guru Meditation Report that oslo.reports wrote."""


@dataclasses.dataclass(frozen=True)
class ParsedReport:
    service: str
    host: str
    created_at: datetime.datetime
    # [{"title": ..., "body": ...}] in the report's order, without its banner.
    sections: list


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
    match = FILE_NAME.match(name)
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
