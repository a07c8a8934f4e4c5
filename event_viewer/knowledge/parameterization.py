"""Message parameterization: the variable parts of a failure's text replaced by ``<name>``.

This module owns :data:`PATTERNS`, the one ordered table of named patterns, and
:func:`parameterize`, which applies it. Two failures of the same problem differ
in ids, addresses, names, sizes and times; once those are placeholders, their
messages are equal and can be part of a fingerprint (see ``fingerprint.py``).

Order matters: a pattern runs on the text the earlier ones left, so the wider
or more specific shapes come first (a URL or e-mail before the host name in it,
a path before the UUID in it, a UUID before a hex id, a date or a size before
its numbers, a duration before a size: ``5m`` is minutes, ``5M`` megabytes).

Every regex is linear in its input: a token pattern may only start where its
token starts (a negative lookbehind of its own characters), so a long run of
characters is scanned once, not once per position; repeats are either bounded
or separated by a literal that cannot be part of what they repeat. The input is
cut at :data:`MAX_INPUT` characters as well (tests/unit/test_fingerprint.py
times hostile inputs).
"""

import dataclasses
import ipaddress
import re

#: Only this much of a message is normalized (and so takes part in a fingerprint).
MAX_INPUT = 4096

# Top-level labels that make a dotted lower-case name a host name even without a
# digit or hyphen in it. Without this restriction Python module paths
# ("nova.compute.manager") and file names ("nova.conf") would become hosts.
_HOST_TLDS = frozenset(
    "com net org edu gov mil int io co biz info arpa local localdomain lan internal "
    "intranet corp home test example invalid localhost cloud svc cluster "
    "de fr uk us nl eu ch at be it es se no fi dk pl cz ru cn jp in br au ca".split()
)


@dataclasses.dataclass(frozen=True)
class Pattern:
    """One row of the table: its name, its regex, and an optional check of a match.

    Where the regex has a group named ``v``, only that group is replaced (the
    context around it, such as ``name=`` or ``host``, stays). A match the
    check refuses is left as it is.
    """

    name: str
    regex: re.Pattern
    check: object = None  # callable(match) -> bool

    def replace(self, text):
        placeholder = f"<{self.name}>"

        def substitute(match):
            if self.check is not None and not self.check(match):
                return match.group(0)
            if "v" not in match.re.groupindex:
                return placeholder
            whole, start, end = match.group(0), match.start("v"), match.end("v")
            offset = match.start()
            return whole[: start - offset] + placeholder + whole[end - offset :]

        return self.regex.sub(substitute, text)


def _rx(source, flags=0):
    # ASCII: \w and \d mean what the services' formats mean, not every script's digits.
    return re.compile(source, re.ASCII | flags)


def _valid_ipv4(match):
    try:
        ipaddress.IPv4Address(match.group("addr"))
    except ValueError:
        return False
    return True


def _valid_ipv6(match):
    try:
        ipaddress.IPv6Address(match.group("addr"))
    except ValueError:
        return False
    return True


def _valid_hostname(match):
    labels = match.group(0).split(".")
    return labels[-1] in _HOST_TLDS or any(c.isdigit() or c == "-" for c in match.group(0))


def _bare_host(match):
    # A bare word is a host only if it looks like one machine of many: with a
    # digit, hyphen or underscore ("compute1", "ctl-2"). "host was found" is English.
    value = match.group("v")
    return not value.isdigit() and any(c.isdigit() or c in "-_" for c in value)


_IPV6_BODY = r"[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?"
_SIZE_UNITS = r"(?:[KMGTPE]i?B|[KMGTPE]|[kmgtpe]i?b|bytes?|B)"

#: The table, in the order it is applied. Names are what the placeholders say.
PATTERNS = (
    # A quoted value after "=" is a value whatever it holds: `name='vol-1'`.
    Pattern("quoted", _rx(r"=[ \t]*(?P<v>'[^'\n]{0,512}'|\"[^\"\n]{0,512}\")")),
    Pattern(
        "url",
        _rx(r"(?<![\w+.-])[a-z][a-z0-9+.-]{0,19}://[^\s'\"<>]*[^\s'\"<>.,;:!?)\]}]", re.I),
    ),
    Pattern(
        "email",
        _rx(
            r"(?<![\w.+-])[\w.+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.[a-z]{2,63}(?!\w)",
            re.I,
        ),
    ),
    # Cinder's volume host: host@backend#pool.
    Pattern("backend_host", _rx(r"(?<![\w.@-])[\w.-]{1,255}@[\w.-]{1,255}(?:#[\w.-]{1,255})?")),
    # Absolute paths of two components or more (one would take "/24" of a CIDR).
    Pattern("path", _rx(r"(?<![\w.:/~-])(?:~|\.{1,2})?/[\w.@+~-]+(?:/[\w.@+~-]*)+")),
    Pattern(
        "request_id",
        _rx(r"(?<!\w)req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?!\w)", re.I),
    ),
    # With or without dashes (Keystone's ids are UUIDs without dashes); a hyphen
    # may precede it ("volume-<uuid>", Cinder's volume names).
    Pattern(
        "uuid",
        _rx(
            r"(?<!\w)(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            r"|[0-9a-f]{32})(?!\w)",
            re.I,
        ),
    ),
    Pattern(
        "mac",
        _rx(r"(?<![\w:-])[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}(?![\w:-])", re.I),
    ),
    # [addr]:port, then a bare address (checked: "10:00:00" is no address).
    Pattern(
        "ipv6",
        _rx(r"\[(?P<addr>" + _IPV6_BODY + r")\](?::\d{1,5})?(?![\w:])", re.I),
        _valid_ipv6,
    ),
    Pattern(
        "ipv6",
        _rx(r"(?<![\w:.])(?P<addr>" + _IPV6_BODY + r")(?![\w:])(?!\.\d)", re.I),
        _valid_ipv6,
    ),
    Pattern(
        "ipv4",
        _rx(r"(?<![\w.])(?P<addr>(?:\d{1,3}\.){3}\d{1,3})(?::\d{1,5})?(?!\w|\.\d)"),
        _valid_ipv4,
    ),
    # Lower-case dotted names only: class paths ("nova.exception.NoValidHost") stay.
    Pattern(
        "hostname",
        _rx(
            r"(?<![\w.@/-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
            r"(?![\w-])(?!\.[\w-])"
        ),
        _valid_hostname,
    ),
    # A bare host name where the text says it is one: "Compute host compute1 ...".
    Pattern(
        "host",
        _rx(
            r"(?<!\w)(?i:host|hostname|node|hypervisor)(?!\w)[ \t:=('\"]{1,3}"
            r"(?P<v>[A-Za-z0-9][\w-]{0,62})(?![\w-])"
        ),
        _bare_host,
    ),
    Pattern(
        "datetime",
        _rx(
            r"(?<!\w)(?:\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2})"
            r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?"
            r"(?:Z|[+-]\d{2}:?\d{2}|[ \t]?UTC)?(?!\w)"
            r"|(?<!\w)(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} "
            r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2}"
            r"(?: (?:GMT|UTC|[+-]\d{4}))?(?!\w)"
        ),
    ),
    Pattern(
        "time",
        _rx(r"(?<![\w:.])\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[ \t]?UTC)?(?![\w:])"),
    ),
    # Lower-case units only: "5m" is minutes, "5M" (below) megabytes.
    Pattern(
        "duration",
        _rx(
            r"(?<![\w.])\d+(?:\.\d+)?(?:ms|s|m|h|d)(?:\d+(?:\.\d+)?(?:ms|s|m|h))*(?!\w)"
            r"|(?<![\w.])\d+(?:\.\d+)?[ \t](?:milliseconds?|ms|secs?|seconds?|mins?|minutes?"
            r"|hours?|hrs?|days?)(?!\w)"
        ),
    ),
    Pattern("size", _rx(r"(?<![\w.])\d+(?:\.\d+)?[ \t]?" + _SIZE_UNITS + r"(?!\w)")),
    # 0x..., or 8+ hex characters with a digit and a letter ("deadbeef" and
    # "12345678" are not ids; "instance-0000001a" is Nova's instance name).
    Pattern(
        "hex",
        _rx(r"(?<!\w)(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,})(?!\w)", re.I),
    ),
    Pattern("float", _rx(r"(?<![\w.])\d+\.\d+(?:e[-+]?\d+)?(?!\w|\.\d)", re.I)),
    # An HTTP status says which problem it is (404 is not 503): kept.
    Pattern(
        "int",
        _rx(
            r"(?<![\w.])(?<!HTTP )(?<!status )(?<!status: )(?<!code )(?<!code: )(?<!code=)"
            r"\d+(?!\w|\.\d)",
        ),
    ),
)

# A list of one kind of value: "<uuid>, <uuid>, <uuid>" is one problem however long.
_RUN = _rx(r"(?P<q>['\"]?)(?P<p><[a-z0-9_]+>)(?P=q)(?:(?:,[ \t]*|[ \t]+)(?P=q)(?P=p)(?P=q))+")
_SPACE = _rx(r"\s+")
# oslo.messaging appends a remote traceback to a remote exception's message.
_TRACEBACK = "\nTraceback (most recent call last):"


def parameterize(text):
    """The message with its variable parts replaced by ``<name>`` and its spaces collapsed."""
    text = (text or "").partition(_TRACEBACK)[0][:MAX_INPUT]
    for pattern in PATTERNS:
        text = pattern.replace(text)
    text = _RUN.sub(r"\g<q>\g<p>\g<q>, ...", text)
    return _SPACE.sub(" ", text).strip()
