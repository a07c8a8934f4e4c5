"""What the detail page adds for those the operator-details policy rule allows.

The stack trace (with a bug report to copy) and the raw notification payload,
in either panel: the rule ``event_viewer:view_operator_details`` decides, not
the panel. Everything here is service text: the template autoescapes it.
"""

import importlib.metadata
import json


def context(event, allowed):
    """The detail page's ``show_traceback``, ``bug_report``, ``show_payload``, ``payload``."""
    shown = {
        "show_traceback": bool(allowed and event.traceback),
        "show_payload": bool(allowed and event.payload),
        "show_exception": bool(allowed and event.exception),
    }
    if shown["show_traceback"]:
        shown["bug_report"] = bug_report(event)
    if shown["show_payload"]:
        shown["payload"] = readable_payload(event.payload)
    return shown


def readable_payload(payload):
    """The raw notification payload, indented when it is JSON (the template escapes it)."""
    try:
        return json.dumps(json.loads(payload), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return payload


def bug_report(event):
    """The text an operator pastes into a bug: ids, host, versions and the trace."""
    lines = [
        f"Event: {event.id} ({event.source_label})",
        f"Time: {event.created_at.isoformat() if event.created_at else '-'}",
        f"Summary: {event.summary}",
        *([f"Exception: {event.exception}"] if event.exception else []),
        f"Event ID: {event.event_id or '-'}",
        f"Request ID: {event.request_id or '-'}",
        f"Resource: {event.resource_type} {event.resource_id}",
        f"Project: {event.project_name or event.project_id or '-'}",
        f"Host: {event.host or '-'}",
        *([f"User: {event.user_name or event.user_id}"] if event.user_id else []),
        *([f"Service: {event.service} ({event.publisher_id})"] if event.service else []),
        *([f"Global request ID: {event.global_request_id}"] if event.global_request_id else []),
        f"Versions: event-viewer {_version('event-viewer')}, horizon {_version('horizon')}",
        "",
        event.traceback,
    ]
    return "\n".join(lines)


def _version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
