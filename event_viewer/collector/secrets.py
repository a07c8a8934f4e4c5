"""Keeping secrets that services put in notifications out of the database.

A real Nova's notifications carry the caller's ``auth_token`` and service
catalog in the context, and ``compute_task.*`` payloads embed the user's token
inside the request spec; exception messages may quote a database URL with its
password. A bearer token is valid for hours, so none of it may be stored:

- :func:`scrub_payload` replaces, at any depth, the value of every key that
  names a secret (token, password, secret, credential, service catalog...);
- :func:`scrub_text` replaces secrets by their shape in any text: Fernet and
  JWS tokens, ``password=...``/``X-Auth-Token: ...`` pairs, and the
  password of a ``scheme://user:password@host`` URL.

Cheap on purpose (the collector parses thousands of notifications a second):
one case-sensitive pass over the lower-cased text finds the secret words, URLs
and token shapes (most texts hold none), and the patterns that follow are
anchored at what it found; the payload is walked only when a secret-named key
has a value; every pattern is linear in the text's length (bounded, possessive
repeats), so no text can stall the collector.
"""

import json
import re

REDACTED = "***"

# Fragments of key names whose values are secrets (anywhere in the key, any
# case): auth_token, X-Auth-Token, service_catalog, admin_password, adminPass,
# client_secret, credentials, provider_auth (Cinder's CHAP user and password)...
_SENSITIVE_WORDS = (
    r"token|passw|pwd|adminpass|secret|credential|catalog|private_?key|api_?key"
    r"|access_?key|auth_?key|provider_auth|authorization|cookie|fernet"
)
_SECRET_KEY = re.compile(_SENSITIVE_WORDS, re.IGNORECASE)
# Everything worth a closer look, in lower-cased text: the secret words, URLs
# and the starts of token shapes, as a trie (a case-sensitive trie scans ~4
# times faster than a case-insensitive alternation, hence the lower-casing).
_WORTH_A_LOOK = re.compile(
    r"t(?:oken)|p(?:assw|wd|rivate_?key|rovider_auth)"
    r"|a(?:dminpass|pi_?key|ccess_?key|uth_?key|uthorization)"
    r"|secret|c(?:redential|atalog|ookie)|fernet|gaaaaa|eyj|://"
)
_NOT_WORDS = frozenset(("gaaaaa", "eyj", "://"))
# A secret-named key with a value in (lower-cased) JSON text; empty values
# (null, "", [], {}, false) say nothing and need no walk.
_SECRET_KEY_WITH_VALUE = re.compile(
    rf'(?:{_SENSITIVE_WORDS})[^"\\]{{0,64}}+":\s*+(?!null|""|\[\]|\{{\}}|false)'
)
# scheme://user:password@host -> scheme://user:***@host (found by its "://").
_URL_PASSWORD = re.compile(r"://([^\s/@:'\"]{0,256}+):[^\s/@'\"]++@")
# Keystone's Fernet (version byte 0x80: base64url "gAAAAA") and JWS tokens (its
# two providers since PKI went in Ocata).
_TOKEN_SHAPES = re.compile(
    r"gAAAAA[A-Za-z0-9_\-]{20,}+=*+"
    r"|eyJ[A-Za-z0-9_\-]{8,}+\.eyJ[A-Za-z0-9_\-]{8,}+\.[A-Za-z0-9_\-]*+"
)
# key=value, key: value, "key": "value", Authorization: Bearer ... in prose
# (tracebacks, messages, reprs) or in JSON text where a string holds them;
# matched in lower-cased text at a secret word, replaced at the same place in
# the original.
_KEY_VALUE = re.compile(
    rf"(?P<key>(?:{_SENSITIVE_WORDS})[\w\-]{{0,64}}+\\?[\"']?\s*+[:=]\s*+(?:bearer\s+|basic\s+)?)"
    r"(?P<value>\\\"(?:[^\"\\]|\\[^\"])*+\\\"|\"[^\"]*+\"|'[^']*+'"
    r"|(?!null\b|true\b|false\b|none\b)(?:[^\s\"',;&}\]\){\[\\]|\\[^\"])++)"
)


def scrub_text(text):
    """``text`` with every secret it shows (by its shape) replaced by ``***``."""
    if not text:
        return text
    lowered = _lowered(text)
    words, other = _look(lowered)
    if not (words or other):
        return text
    return _scrubbed(text, lowered, words, other)


def may_hold_secrets(text):
    """False when :func:`scrub_text` would surely leave ``text`` as it is (one cheap pass)."""
    words, other = _look(_lowered(text))
    return bool(words or other)


def scrub_payload(payload):
    """``(payload, json_text)``: the payload without secret-named keys' values, and its JSON.

    The text is also scrubbed of secret shapes (tokens in messages and
    tracebacks, URLs with passwords); it is what the store keeps. The payload
    object is the one the parse reads its fields from.
    """
    try:
        text = json.dumps(payload, sort_keys=True, default=str)
    except (TypeError, ValueError):
        payload = _without_secret_keys(payload, depth=0)
        return payload, scrub_text(repr(payload))
    lowered = _lowered(text)
    words, other = _look(lowered)
    if not (words or other):
        return payload, text
    if any(_SECRET_KEY_WITH_VALUE.match(lowered, position) for position in words):
        payload = _without_secret_keys(payload, depth=0)
        text = json.dumps(payload, sort_keys=True, default=str)
        lowered = _lowered(text)
        words, other = _look(lowered)
    return payload, _scrubbed(text, lowered, words, other)


def _look(lowered):
    """``(positions of secret words, whether a URL or token shape may be there)``.

    One pass over the text; the patterns that follow are anchored at these
    positions instead of scanning the whole text again.
    """
    words, other = [], False
    for match in _WORTH_A_LOOK.finditer(lowered):
        if match.group() in _NOT_WORDS:
            other = True
        else:
            words.append(match.start())
    return words, other


def _lowered(text):
    lowered = text.lower()
    # Lower-casing keeps positions for ASCII; a few other letters change length
    # ("İ"): then lower-case only the ASCII letters, which the patterns read.
    if len(lowered) != len(text):
        lowered = text.translate(_ASCII_LOWER)
    return lowered


_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


def _scrubbed(text, lowered, words, other):
    if other:
        before = text
        if "://" in text and "@" in text:
            text = _URL_PASSWORD.sub(rf"://\1:{REDACTED}@", text)
        text = _TOKEN_SHAPES.sub(REDACTED, text)
        if text != before:  # positions moved
            lowered = _lowered(text)
            words, _other = _look(lowered)
    pieces, end = [], 0
    for position in words:
        if position < end:
            continue  # inside a value already redacted
        match = _KEY_VALUE.match(lowered, position)
        if match is None:
            continue
        start, stop = match.span("value")
        value = text[start:stop]
        quote = '\\"' if value.startswith('\\"') else value[0] if value[0] in "\"'" else ""
        pieces += [text[end:start], quote, REDACTED, quote]
        end = stop
    if not pieces:
        return text
    pieces.append(text[end:])
    return "".join(pieces)


def _without_secret_keys(value, depth):
    if depth > 64:
        # Deeper than any service nests: drop rather than walk a hostile structure.
        return REDACTED
    if isinstance(value, dict):
        return {
            key: (
                _redacted(inner)
                if isinstance(key, str) and _SECRET_KEY.search(key)
                else _without_secret_keys(inner, depth + 1)
            )
            for key, inner in value.items()
        }
    if isinstance(value, list | tuple):
        return [_without_secret_keys(inner, depth + 1) for inner in value]
    return value


def _redacted(value):
    # "auth_token": null and "service_catalog": [] say nothing: kept, they show
    # an operator the field was there and empty.
    if value is None or value is False or value == "" or value == [] or value == {}:
        return value
    return REDACTED
