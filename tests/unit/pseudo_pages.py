"""Pages in the pseudo-language, and what is left in them that a translator never saw.

:class:`PseudoLocaleMixin` makes a test case's requests in the pseudo-language of
``tests/unit/pseudo_locale.py`` (its catalogue: ``makemessages`` over today's
code, once per run) and checks the page a view answered: :class:`PageText`
reads what a user reads there (the title, the messages, the content; not
Horizon's menus; not verbatim service data in ``<pre>``), and every plain ASCII
word left once the test's service data (:meth:`~PseudoLocaleMixin.remember`) and
Horizon's and Django's own texts are taken out is a text that bypassed the
plugin's catalogue.
"""

import atexit
import functools
import re
import shutil
import tempfile
from html.parser import HTMLParser

from django.conf import settings

from tests.unit import fakes, pseudo_locale
from tests.unit.rows import service_event

# Attributes a user reads (tooltips, placeholders, buttons' labels).
READ_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")
# Verbatim service data (traces, payloads, report sections) and the bug report
# text, which is for the service's developers (in English, like its logs).
VERBATIM = {"script", "style", "pre", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
WORD = re.compile(r"[A-Za-z]{2,}")
CODE = re.compile(r"^[A-Z0-9_]+$")  # VOLUME, ERROR, UTC: identifiers, shown as they are


@functools.cache
def _workdir():
    path = tempfile.mkdtemp(prefix="event-viewer-i18n-")
    atexit.register(shutil.rmtree, path, True)
    return path


@functools.cache
def extracted_catalogue():
    """``makemessages`` over today's code, once per test run."""
    return pseudo_locale.extract_catalogue(_workdir())


@functools.cache
def known_foreign():
    return pseudo_locale.known_foreign_msgids()


class PageText(HTMLParser):
    """The text a user reads in the page's title, messages and content (not Horizon's menus)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._stack, self._reading, self._verbatim = [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        region = tag == "title" or attrs.get("id") == "content_body" or "messages" in classes
        if tag not in VOID:
            self._stack.append((tag, region, tag in VERBATIM))
            self._reading += region
            self._verbatim += tag in VERBATIM
        if self._reading and not self._verbatim:
            # Horizon's filter menu has the chosen field's key as its tooltip.
            horizons_key = "dropdown-toggle" in classes
            self.texts += [
                attrs[a]
                for a in READ_ATTRIBUTES
                if attrs.get(a) and not (horizons_key and a == "title")
            ]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        # A stray end tag closes nothing; one that ends its parent closes the
        # children left open (``<li>``, ``<p>``), as a browser does.
        if tag not in (name for name, _region, _verbatim in self._stack):
            return
        while self._stack:
            name, region, verbatim = self._stack.pop()
            self._reading -= region
            self._verbatim -= verbatim
            if name == tag:
                break

    def handle_data(self, data):
        if self._reading and not self._verbatim and data.strip():
            self.texts.append(data.strip())


class PseudoLocaleMixin:
    """Requests in the pseudo-language; :meth:`assert_translated` checks what a page shows."""

    def setUp(self):
        super().setUp()
        workdir = tempfile.mkdtemp(prefix="event-viewer-pseudo-")
        self.addCleanup(shutil.rmtree, workdir, True)
        self.locale = pseudo_locale.PseudoLocale(extracted_catalogue(), workdir)
        self.locale.__enter__()
        self.addCleanup(self.locale.__exit__, None, None, None)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = self.locale.cookie
        # The deployer's name for their cloud, in the page title.
        self.data = {str(getattr(settings, "SITE_BRANDING", ""))}

    def remember(self, *values):
        """Service data the page may show as it is: every string in ``values``, at any depth."""
        for value in values:
            if isinstance(value, dict):
                self.remember(*value.values())
            elif isinstance(value, list | tuple):
                self.remember(*value)
            elif isinstance(value, str) and value:
                self.data.add(value)
        return values[0] if len(values) == 1 else values

    def cinder_message(self, **fields):
        message = fakes.cinder_message(**fields)
        self.remember(message._info)
        return message

    def trove_instance(self, *args, **fields):
        instance = fakes.trove_instance(*args, **fields)
        self.remember(instance._info)
        return instance

    def service_event(self, **fields):
        row = service_event(**fields)
        # Not the outcome: "fail"/"pass" are the plugin's own words, shown as labels.
        fields = [f.attname for f in row._meta.fields if f.attname != "outcome"]
        self.remember(*(str(getattr(row, name)) for name in fields))
        return row

    def untranslated(self, response):
        """Each text of the page left in plain English, with the words that show it."""
        self.assertEqual(200, response.status_code, response.content[:300])
        self.assertIn(
            self.locale.cookie, response.wsgi_request.LANGUAGE_CODE, "pseudo-language not active"
        )
        parser = PageText()
        parser.feed(response.content.decode())
        problems = []
        for text in parser.texts:
            rest = pseudo_locale.FOREIGN.sub(lambda m: self._foreign(m, problems), text)
            for value in sorted(self.data, key=len, reverse=True):
                rest = rest.replace(value, " ")
            words = [w for w in WORD.findall(rest) if not CODE.match(w)]
            if words:
                problems.append(f"{text!r}: {' '.join(words)}")
        return problems

    def _foreign(self, match, problems):
        """Horizon's or Django's text stays; what the interpolation put into it is checked."""
        msgids = self.locale.foreign[int(match[1])]
        if msgids[0] not in known_foreign():
            problems.append(f"{match[2]!r}: gettext of {msgids[0]!r}, a msgid no catalogue has")
        rest = match[2].replace("\xa0", " ")  # Django's avoid_wrapping
        for msgid in msgids:
            for piece in re.split(r"%(?:\([^)]*\))?[sdifg]", msgid):
                rest = rest.replace(piece, " ") if piece.strip() else rest
        return " " + rest + " "

    def assert_translated(self, response, page):
        problems = self.untranslated(response)
        self.assertFalse(
            problems, f"{page}: text a translator cannot translate:\n  " + "\n  ".join(problems)
        )
