"""Marker paging over several time-ordered sources, merged into one order.

A page asks each source for at most ``limit + 1`` events after that source's
cursor, merges them by :attr:`Event.sort_key` and keeps ``limit``: the cost of
a page does not grow with the number of events. One opaque marker carries every
source's cursor, the display order and the fetch direction (Horizon's "Prev"
walks the same order backwards from the first events of the current page).
"""

import base64
import binascii
import dataclasses
import heapq
import itertools
import json

# Far more than a real marker of the few sources (a cursor is < 100 characters):
# anything longer was not made here, and is not decoded at all.
MAX_MARKER_LENGTH = 2048


class BadMarker(ValueError):
    """A marker that was not made by this module (edited URL, old link)."""


class StaleCursor(Exception):
    """A well-formed cursor its backend no longer knows (the event it named is gone).

    Raised by a source's ``fetch``; the page restarts that source at its first page.
    """

    def __init__(self, source):
        super().__init__(source)
        self.source = source


@dataclasses.dataclass(frozen=True)
class Marker:
    """Where a page starts: per source, the id it continues after (None: its start)."""

    cursors: dict
    newest_first: bool = True  # the order the user sees
    forward: bool = True  # False: the page *before* these cursors (Prev)

    @property
    def fetch_newest_first(self):
        return self.newest_first == self.forward

    @property
    def started(self):
        return any(cursor is not None for cursor in self.cursors.values())

    def encode(self):
        payload = {"c": self.cursors, "n": self.newest_first, "f": self.forward}
        raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text):
        try:
            if len(text) > MAX_MARKER_LENGTH:
                raise ValueError("marker too long")
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            payload = json.loads(raw)
            cursors = payload["c"]
            if not isinstance(cursors, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in cursors.items()
            ):
                raise TypeError("cursors")
            return cls(cursors, bool(payload["n"]), bool(payload["f"]))
        except (
            binascii.Error,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            RecursionError,
        ) as exc:
            raise BadMarker(text) from exc


@dataclasses.dataclass
class Page:
    events: list
    next_marker: Marker | None
    prev_marker: Marker | None


def merge_page(fetched, marker, limit, cursor_of):
    """Build one page from what each source returned.

    ``fetched`` maps a source name to its events in fetch order (at most
    ``limit + 1``), or to None when the source failed (its cursor is kept).
    ``cursor_of(event)`` is the cursor a source continues after ``event``.
    """
    reverse = marker.fetch_newest_first
    answered = {name: events for name, events in fetched.items() if events is not None}
    merged = heapq.merge(*answered.values(), key=lambda e: e.sort_key, reverse=reverse)
    taken = list(itertools.islice(merged, limit))

    continue_after, turn_back_at, more = {}, {}, False
    for name in fetched:
        mine = [e for e in taken if e.source == name]
        listed = answered.get(name)
        start = marker.cursors.get(name)
        continue_after[name] = cursor_of(mine[-1]) if mine else start
        if mine:
            turn_back_at[name] = cursor_of(mine[0])
        elif listed:
            turn_back_at[name] = cursor_of(listed[0])
        else:
            # Nothing left this way (or the source failed): going back starts
            # from the far end, or from where the failed source stood.
            turn_back_at[name] = start if listed is None else None
        more = more or (listed is not None and len(listed) > len(mine))

    ahead = Marker(continue_after, marker.newest_first, marker.forward)
    behind = Marker(turn_back_at, marker.newest_first, not marker.forward)
    if marker.forward:
        return Page(taken, ahead if more else None, behind if marker.started else None)
    taken.reverse()
    return Page(taken, behind if marker.started else None, ahead if more else None)
