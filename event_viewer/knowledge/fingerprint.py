"""Fingerprints: which events are the same problem, for every source, versioned.

This module owns the grouping algorithm (:data:`VERSION`) and its output,
:class:`Fingerprint`. What goes into a fingerprint, per source:

- a Cinder user message: its event id (``VOLUME_<RESOURCE>_<ACTION>_<DETAIL>``),
  which is Cinder's own classification of the failure; only where a message
  has none, its parameterized text;
- a Trove fault or a collected service event: the service, the exception class
  (when known: given, on the event, or read from the traceback), the message
  with its variable parts replaced (``parameterization.py``) and the innermost
  OpenStack frames of the traceback as ``module.function`` (``frames.py``);
  line numbers are left out, as they change with every release.

The value is a short SHA-256 of the version and the parts, so equal parts give
equal values and a later algorithm (a new :data:`VERSION`) never silently
re-splits groups made by an older one: each fingerprint is stored with its
version, and the old groups keep theirs until someone re-fingerprints.

Operator rules (``rules.py``) come first where given: the first that matches
gives a fixed fingerprint, or extends the default one with a suffix.

Fingerprint an event with its operator details (exception class, traceback):
:meth:`event_viewer.events.Event.for_viewer` strips them, and a stripped event
fingerprints differently.
"""

import dataclasses
import hashlib
import json

from event_viewer.knowledge import frames, parameterization

#: The version of the algorithm below. Change it with anything that changes values.
VERSION = 1
#: Hex characters of the SHA-256 kept: 128 bits, far from any collision.
HASH_LENGTH = 32
#: A message's parameterized text is part of a fingerprint up to this length.
MAX_MESSAGE = 1024


@dataclasses.dataclass(frozen=True)
class Fingerprint:
    """A fingerprint ``value`` made by algorithm ``version`` from ``parts``.

    ``parts`` are ``(name, text)`` pairs, for display and debugging (what was
    compared); ``rule`` names the operator rule that decided it, if any (not
    part of the value: two rules giving one fixed fingerprint make one group).
    """

    value: str
    version: int
    parts: tuple
    rule: str = ""


def fingerprint(event, exception=None, rules=None):
    """The :class:`Fingerprint` of an :class:`event_viewer.events.Event`.

    ``exception`` is the exception class where the caller knows it better
    than the event does (a stored row's column); ``rules`` compiled operator
    rules (:func:`event_viewer.knowledge.rules.compile_rules`).
    """
    service = event.service
    if event.source in ("cinder", "trove"):
        service = event.source  # their events carry no service: it is the source's
    return fingerprint_fields(
        source=event.source,
        service=service,
        event_type=event.event_id,
        exception=exception if exception is not None else event.exception,
        message=event.summary,
        traceback=event.traceback,
        rules=rules,
    )


def fingerprint_fields(
    source, service="", event_type="", exception="", message="", traceback="", rules=None
):
    """The :class:`Fingerprint` of an event given as its fields (e.g. at ingestion)."""
    exception = _exception_class(exception, message, traceback)
    parts = default_parts(source, service, event_type, exception, message, traceback)
    if rules is not None:
        rule = rules.first_match(
            source=source,
            service=service or "",
            event_type=event_type or "",
            exception=exception,
            message=message or "",
        )
        if rule is not None:
            if rule.fingerprint is not None:
                parts = (("fingerprint", rule.fingerprint),)
            else:
                parts = parts + (("extend", rule.extend),)
            return Fingerprint(_hash(parts), VERSION, parts, rule.rule_name)
    return Fingerprint(_hash(parts), VERSION, parts)


def default_parts(source, service="", event_type="", exception="", message="", traceback=""):
    """The ``(name, text)`` parts the default algorithm compares for one event."""
    event_type = (event_type or "").strip()
    if source == "cinder" and event_type:
        return (("source", "cinder"), ("event_id", event_type))
    return (
        ("source", source or ""),
        ("service", (service or "").strip()),
        ("exception", _exception_class(exception, message, traceback)),
        ("message", parameterization.parameterize(message)[:MAX_MESSAGE]),
        ("frames", " | ".join(frames.openstack_frames(traceback or ""))),
    )


def _exception_class(exception, message, traceback):
    """The class name given, or read from the traceback, or from a ``Class('...')`` repr."""
    name = frames.class_name(exception)
    if not name and traceback:
        name = frames.exception_class(traceback)
    if not name and message:
        # Cinder's scheduler sends repr(exception): "NoValidBackend('No valid ...')".
        head, paren, rest = message.partition("(")
        if paren and rest[:1] in ("'", '"') and head[:1].isupper():
            name = frames.class_name(head)
    return name


def _hash(parts):
    text = json.dumps([VERSION, [list(part) for part in parts]], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]
