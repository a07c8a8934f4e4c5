"""Operator policy overrides for the Event Viewer's rules, as a real file Horizon's way."""

import contextlib
import os
import tempfile

import yaml
from django.conf import settings
from django.test import override_settings

from event_viewer import policy


@contextlib.contextmanager
def policy_overrides(**rules):
    """``POLICY_FILES["event_viewer"]`` names a file with these rules (``name_with_underscores``).

    Keyword names are the rule names after ``event_viewer:``, e.g.
    ``view_operator_details="role:member"``.
    """
    data = {f"{policy.SCOPE}:{name}": check for name, check in rules.items()}
    handle, path = tempfile.mkstemp(suffix="_event_viewer_policy.yaml")
    with os.fdopen(handle, "w", encoding="utf-8") as overrides:
        yaml.safe_dump(data, overrides)
    try:
        with override_settings(POLICY_FILES={**settings.POLICY_FILES, policy.SCOPE: path}):
            yield path
    finally:
        os.unlink(path)
