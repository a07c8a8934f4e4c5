"""The Event Viewer's filters: parsing and validating what the user typed.

Each filter is a field of :class:`Query`. Sources map the fields onto their API
where it can apply them (see ``event_viewer.sources``) and apply the rest
themselves, saying so in the page.
"""

import dataclasses
import datetime
import re
import unicodedata
import uuid

from django.utils.translation import gettext_lazy as _

from event_viewer import timebounds
from event_viewer.events import SOURCE_LABELS

LEVELS = ("ERROR", "WARNING", "INFO")
MAX_TEXT = 255


class InvalidFilter(ValueError):
    """A filter value the Event Viewer cannot search for; the message says why."""


@dataclasses.dataclass(frozen=True)
class Query:
    resource_type: str = ""
    resource_id: str = ""
    event_id: str = ""
    request_id: str = ""
    level: str = ""
    source: str = ""
    text: str = ""
    outcome: str = ""
    # Admin panel only (see ADMIN_FIELDS).
    project: str = ""
    host: str = ""
    user: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None

    def wants(self, source):
        return not self.source or self.source == source

    @property
    def is_empty(self):
        return not any(dataclasses.astuple(self))

    def in_time_range(self, event):
        when = event.created_at
        if when is None:
            return self.since is None and self.until is None
        return (self.since is None or when >= self.since) and (
            self.until is None or when <= self.until
        )


def _resource_type(value):
    value = value.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z_]{0,63}", value):
        raise InvalidFilter(_("A resource type is a word like VOLUME or VOLUME_SNAPSHOT."))
    return value


def _resource_id(value):
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError as exc:
        raise InvalidFilter(_("A resource ID is a UUID, e.g. 0f1d7c2a-2f43-...")) from exc


def _event_id(value):
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,100}", value):
        raise InvalidFilter(_("An event ID is like VOLUME_VOLUME_001_003."))
    return value.upper() if value.upper().startswith("VOLUME_") else value


def _request_id(value):
    value = value.strip().lower()
    if not re.fullmatch(r"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value):
        raise InvalidFilter(_("A request ID is like req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e."))
    return value


def _level(value):
    value = value.strip().upper()
    if value not in LEVELS:
        raise InvalidFilter(_("The level is one of %(levels)s.") % {"levels": ", ".join(LEVELS)})
    return value


def _source(value):
    wanted = value.strip().lower()
    for key, label in SOURCE_LABELS.items():
        if wanted in (key, str(label).lower()):
            return key
    names = ", ".join(str(label) for label in SOURCE_LABELS.values())
    raise InvalidFilter(_("The source is one of %(names)s.") % {"names": names})


def _text(value):
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InvalidFilter(_("Search text is at most %(most)d characters.") % {"most": MAX_TEXT})
    if any(unicodedata.category(char) == "Cc" for char in value):
        # No summary holds one, and a database may refuse it (PostgreSQL: NUL).
        raise InvalidFilter(_("Search text cannot contain control characters."))
    return value


def _project(value):
    value = value.strip()
    if not re.fullmatch(r"[\w .@-]{1,64}", value):
        raise InvalidFilter(_("A project is its name or ID."))
    return value


def _host(value):
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.@:-]{0,254}", value):
        raise InvalidFilter(_("A host is a name like node-1 or node-1.example.org."))
    return value


def _user(value):
    value = value.strip()
    if not re.fullmatch(r"[\w .@-]{1,255}", value):
        raise InvalidFilter(_("A user is its name or ID."))
    return value


OUTCOMES = ("fail", "pass")


def _outcome(value):
    value = value.strip().lower()
    if value not in OUTCOMES:
        raise InvalidFilter(_("The outcome is fail or pass."))
    return value


def _moment(text, end_of_day):
    text = text.strip()
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidFilter(
            _("A time is like 2026-11-21 or 2026-11-21 14:30 (UTC): %(time)s") % {"time": text}
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    try:
        if len(text) == 10 and end_of_day:  # a bare date ends at the end of that day
            moment += datetime.timedelta(days=1, microseconds=-1)
        return timebounds.checked(moment)
    except (OverflowError, timebounds.OutOfRange) as exc:
        raise InvalidFilter(
            _("A time is between %(earliest)s and %(latest)s (UTC): %(time)s")
            % {
                "earliest": timebounds.EARLIEST.date().isoformat(),
                "latest": timebounds.LATEST.date().isoformat(),
                "time": text,
            }
        ) from exc


def time_range(value):
    """``FROM..TO`` (either side may be empty) -> ``(since, until)`` in UTC."""
    start, sep, end = value.partition("..")
    if not sep:
        raise InvalidFilter(_("A time range is FROM..TO, e.g. 2026-11-21..2026-11-22."))
    since = _moment(start, end_of_day=False) if start.strip() else None
    until = _moment(end, end_of_day=True) if end.strip() else None
    if since and until and since > until:
        raise InvalidFilter(_("The time range ends before it starts."))
    return since, until


#: field -> (label in the filter menu, validator)
FIELDS = {
    "text": (_("Summary contains"), _text),
    "resource_type": (_("Resource type ="), _resource_type),
    "resource_id": (_("Resource ID ="), _resource_id),
    "event_id": (_("Event ID ="), _event_id),
    "request_id": (_("Request ID ="), _request_id),
    "level": (_("Level ="), _level),
    "source": (_("Source ="), _source),
    # Service events record passed operations too; the other sources only failures.
    "outcome": (_("Outcome ="), _outcome),
}


#: The admin panel's filters: the project panel's and those only an admin needs.
ADMIN_FIELDS = {
    **FIELDS,
    "project": (_("Project ="), _project),
    "host": (_("Host ="), _host),
    "user": (_("User ="), _user),
    "time": (_("Time (FROM..TO, UTC)"), time_range),
}


_TIME_FIELDS = ("since", "until")


def query_to_dict(query):
    """The query's set fields as JSON-able values (times in ISO 8601), for a signed token."""
    return {
        field.name: value.isoformat() if field.name in _TIME_FIELDS else value
        for field in dataclasses.fields(Query)
        if (value := getattr(query, field.name))
    }


def query_from_dict(data):
    """The :class:`Query` of :func:`query_to_dict`; anything else raises InvalidFilter."""
    known = {field.name for field in dataclasses.fields(Query)}
    if not isinstance(data, dict) or not set(data) <= known:
        raise InvalidFilter(_("The filter is not one the Event Viewer wrote."))
    values = {}
    for name, value in data.items():
        if not isinstance(value, str):
            raise InvalidFilter(_("The filter is not one the Event Viewer wrote."))
        if name in _TIME_FIELDS:
            try:
                value = timebounds.checked(datetime.datetime.fromisoformat(value))
            except ValueError as exc:
                raise InvalidFilter(_("The filter is not one the Event Viewer wrote.")) from exc
        values[name] = value
    return Query(**values)


def parse(field, value, fields=FIELDS):
    """The :class:`Query` for one (field, value) pair of Horizon's filter box."""
    value = (value or "").strip()
    if not field or not value:
        return Query()
    if field not in fields:
        raise InvalidFilter(_("Unknown filter: %(field)s") % {"field": field})
    parsed = fields[field][1](value)
    if field == "time":
        return Query(since=parsed[0], until=parsed[1])
    return Query(**{field: parsed})
