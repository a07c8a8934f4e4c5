"""No literal or f-string reaches what a user reads without gettext (a look at the sources).

The scan is ``tests/unit/translatable_sources.py``; the second test shows it
finds each kind of untranslated text it claims to. And a translator reorders a
sentence: each placeholder of a msgid is named (``%(count)d``, not ``%d``).
"""

import re

from tests.unit import pseudo_locale, translatable_sources
from tests.unit.pseudo_pages import extracted_catalogue

POSITIONAL = re.compile(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?[sdifgeExXr]")


def test_no_visible_text_reaches_the_user_without_gettext():
    problems = translatable_sources.problems()
    assert not problems, "Not translatable (file:line: text):\n  " + "\n  ".join(problems)


SCANNED_EXAMPLE = {
    "panel.py": """
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, messages


class Inbox(horizon.Panel):
    name = "Plain panel name"


class Rows:
    verbose_name = f"Rows of {x}"
    page_title = _("Fine title")


def view(request, error):
    messages.error(request, f"Failed: {error}")
    messages.info(request, _("Fine: %(e)s") % {"e": error})
    LOG.error("Logs are %s", "not the user's")
    text = "Not reachable." if error else _("Fine")
    raise SourceError("cinder", text)


def helper():
    return "From a helper."


def other():
    raise InvalidFilter(helper())


LABEL = "Block Storage"
SOURCE_LABELS = {"cinder": _("Fine"), "trove": "Database"}
""",
    "templates/page.html": """{% load i18n %}
<p>{% trans "Fine" %}</p>
<p>Plain words</p>
<a title="Tooltip here">{{ value }}</a>
<p>{% blocktrans %}Fine {{ x }}{% endblocktrans %} 42 - {{ y }}</p>
""",
}


def test_the_source_scan_finds_each_kind_of_untranslated_text(tmp_path):
    for name, text in SCANNED_EXAMPLE.items():
        (tmp_path / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pkg" / name).write_text(text)
    found = translatable_sources.problems(str(tmp_path / "pkg"))
    assert sorted(found) == sorted(
        [
            "pkg/panel.py:7: 'Plain panel name'",
            "pkg/panel.py:11: f'Rows of '",
            "pkg/panel.py:16: f'Failed: '",
            "pkg/panel.py:19: 'Not reachable.'",
            "pkg/panel.py:24: 'From a helper.'",
            "pkg/panel.py:31: 'Block Storage'",
            "pkg/panel.py:32: 'Database'",
            "pkg/templates/page.html:3: 'Plain words'",
            "pkg/templates/page.html:4: 'Tooltip here'",
        ]
    ), found


def test_every_placeholder_of_a_msgid_is_named():
    unnamed = [
        " ".join(f"event_viewer/{path}:{line}" for path, line in message.locations)
        + f": {message.id!r}"
        for message in pseudo_locale.read_catalogue(extracted_catalogue())
        if message.id
        and any(
            POSITIONAL.search(text)
            for text in ([message.id] if isinstance(message.id, str) else message.id)
        )
    ]
    assert not unnamed, "Name the placeholders (%(name)s) of:\n  " + "\n  ".join(unnamed)
