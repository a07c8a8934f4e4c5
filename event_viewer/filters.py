"""The Event Viewer's filters: parsing and validating what the user typed.

Each filter is a field of :class:`Query`. Sources map the fields onto their API
where it can apply them (see ``event_viewer.sources``) and apply the rest
themselves, saying so in the page.
"""

import dataclasses
import re
import uuid

from django.utils.translation import gettext_lazy as _

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

    def wants(self, source):
        return not self.source or self.source == source

    @property
    def is_empty(self):
        return not any(dataclasses.astuple(self))


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
        raise InvalidFilter(_("The level is one of %s.") % ", ".join(LEVELS))
    return value


def _source(value):
    wanted = value.strip().lower()
    for key, label in SOURCE_LABELS.items():
        if wanted in (key, str(label).lower()):
            return key
    names = ", ".join(str(label) for label in SOURCE_LABELS.values())
    raise InvalidFilter(_("The source is one of %s.") % names)


def _text(value):
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InvalidFilter(_("Search text is at most %d characters.") % MAX_TEXT)
    return value


#: field -> (label in the filter menu, validator)
FIELDS = {
    "text": (_("Summary contains"), _text),
    "resource_type": (_("Resource type ="), _resource_type),
    "resource_id": (_("Resource ID ="), _resource_id),
    "event_id": (_("Event ID ="), _event_id),
    "request_id": (_("Request ID ="), _request_id),
    "level": (_("Level ="), _level),
    "source": (_("Source ="), _source),
}


def parse(field, value):
    """The :class:`Query` for one (field, value) pair of Horizon's filter box."""
    value = (value or "").strip()
    if not field or not value:
        return Query()
    if field not in FIELDS:
        raise InvalidFilter(_("Unknown filter: %s") % field)
    return Query(**{field: FIELDS[field][1](value)})
