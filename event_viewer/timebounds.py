"""The times the Event Viewer accepts from a user or a page link, and their check.

A time a user typed or a cursor carries goes into database queries and
comparisons; one without a timezone cannot be compared with the services'
times, and one at the calendar's edge overflows when it is turned into UTC
(the databases' date handling does). So every such time is checked here first.
"""

import datetime

EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC) - datetime.timedelta(microseconds=1)


class OutOfRange(ValueError):
    """A time without a timezone, or outside ``EARLIEST..LATEST``."""


def checked(moment):
    """``moment`` in UTC, or :class:`OutOfRange`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise OutOfRange(moment)
    try:
        in_utc = moment.astimezone(datetime.UTC)
    except OverflowError as exc:
        raise OutOfRange(moment) from exc
    if not EARLIEST <= in_utc <= LATEST:
        raise OutOfRange(moment)
    return in_utc
