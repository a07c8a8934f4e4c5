"""A pseudo-locale for the translation tests: the plugin's catalogue with every letter marked.

:func:`extract_catalogue` runs Django's ``makemessages`` (GNU gettext) over a
copy of the package, as a translator's refresh would (README, "Translations").
:class:`PseudoLocale` turns that catalogue into a language whose msgstrs are
their msgids with each ASCII letter replaced by an accented look-alike
(``Event Viewer`` -> ``Éṽéñţ Ṽîéŵéŕ``), compiles it, and makes it the language of
the test client's requests. Any ASCII word left in a page is then text that did
not go through the plugin's catalogue.

Horizon's and Django's own texts are not the plugin's to translate: every
message the pseudo-language does not know comes out as ``⟪n|text⟫``, and
``n`` names the msgid asked for, so a test can tell Horizon's chrome (a msgid of
Horizon's or Django's catalogues) from a plugin text wrapped in gettext that
``makemessages`` cannot see (``_(variable)``).
"""

import contextlib
import glob
import io
import os
import re
import shutil
import subprocess
import sys

import django
import horizon
import openstack_auth
import openstack_dashboard
from babel.messages import mofile, pofile
from django.test import override_settings
from django.utils.translation import trans_real

import event_viewer

PACKAGE_DIR = os.path.dirname(os.path.abspath(event_viewer.__file__))
#: The catalogue translators start from (README, "Translations").
COMMITTED_CATALOGUE = os.path.join(PACKAGE_DIR, "locale", "en", "LC_MESSAGES", "django.po")
LANGUAGE = "en-xa"  # a private-use region: no real language is hidden by it
LOCALE = "en_XA"

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MARKED = "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŘŠŢÛṼŴẊÝŽ"
_ACCENTS = str.maketrans(_PLAIN, _MARKED)
# What must stay as it is in a translation: printf and template placeholders,
# HTML tags and entities.
_KEEP = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifgexXr%]|\{\{.*?\}\}|\{%.*?%\}|<[^>]*>|&#?\w+;"
)
FOREIGN = re.compile(r"⟪(\d+)\|(.*?)⟫", re.S)


def accent(text):
    """``text`` with every ASCII letter outside placeholders, tags and entities accented."""
    pieces, end = [], 0
    for keep in _KEEP.finditer(text):
        pieces += [text[end : keep.start()].translate(_ACCENTS), keep.group()]
        end = keep.end()
    return "".join(pieces) + text[end:].translate(_ACCENTS)


def extract_catalogue(workdir):
    """``makemessages`` over a copy of the package in ``workdir``: the path of its django.po.

    A copy, so that the committed catalogue is never touched by a test; no
    settings, as a translator runs it (``django-admin`` outside a project).
    """
    copy = os.path.join(workdir, "event_viewer")
    shutil.copytree(
        PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "*.pyc")
    )
    os.mkdir(os.path.join(copy, "locale"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "--locale", "en", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            "makemessages failed (GNU gettext is the Debian package `gettext`):\n"
            + result.stdout
            + result.stderr
        )
    return os.path.join(copy, "locale", "en", "LC_MESSAGES", "django.po")


def read_catalogue(path):
    # Babel prints (not logs) what it finds odd in other projects' catalogues,
    # e.g. more plural forms than it assumes for a catalogue of unknown locale.
    with open(path, "rb") as po, contextlib.redirect_stdout(io.StringIO()):
        return pofile.read_po(po)


def msgids(catalogue):
    """Every msgid (a plural's singular and plural) with its context, as a set of tuples."""
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in catalogue if m.id}


def known_foreign_msgids():
    """Every msgid of Horizon's, openstack_dashboard's, openstack_auth's and Django's catalogues."""
    known = set()
    # Django ships its source catalogues ("en": every msgid); OpenStack projects
    # ship translations only, so their msgids are the union of all languages'.
    languages = {horizon: "*", openstack_dashboard: "*", openstack_auth: "*", django: "en"}
    for package, language in languages.items():
        root = os.path.dirname(package.__file__)
        pattern = os.path.join(root, "**", "locale", language, "LC_MESSAGES", "django.po")
        for path in glob.glob(pattern, recursive=True):
            for message in read_catalogue(path):
                if message.id:
                    known.update([message.id] if isinstance(message.id, str) else message.id)
    return known


class PseudoLocale:
    """The pseudo-language as the test client's language, with its catalogue from ``source_po``.

    Use as a context manager around the requests; :meth:`cookie` is the test
    client's language cookie. ``foreign`` lists the msgids the plugin's catalogue
    did not translate (Horizon's, Django's, or a plugin text it never saw):
    ``(msgid,)`` or ``(singular, plural)``, indexed by the ``n`` of their ``⟪n|text⟫``.
    """

    def __init__(self, source_po, workdir):
        self.foreign = []
        self.locale_dir = os.path.join(workdir, "pseudo-locale")
        catalogue = read_catalogue(source_po)
        # A msgid without letters ("%(resource)s %(action)s") is its own translation.
        self.ours = {
            ("" if m.context is None else m.context + "\x04")
            + (m.id if isinstance(m.id, str) else m.id[0])
            for m in catalogue
            if m.id
        }
        catalogue.locale = LOCALE
        for message in catalogue:
            if not message.id:
                continue
            if isinstance(message.id, str):
                message.string = accent(message.id)
            else:
                message.string = tuple(accent(part) for part in message.id)
            message.flags.discard("fuzzy")
        target = os.path.join(self.locale_dir, LOCALE, "LC_MESSAGES")
        os.makedirs(target)
        with open(os.path.join(target, "django.mo"), "wb") as mo:
            mofile.write_mo(mo, catalogue)

    def __enter__(self):
        # override_settings' signal handler empties Django's translation caches.
        self._settings = override_settings(
            LOCALE_PATHS=[self.locale_dir],
            LANGUAGES=[("en", "English"), (LANGUAGE, "Pseudo-English")],
        )
        self._settings.enable()
        self._mark_foreign(trans_real.translation(LANGUAGE))
        return self

    def __exit__(self, *exc):
        self._settings.disable()
        return False

    cookie = property(lambda self: LANGUAGE)

    def _mark_foreign(self, translation):
        gettext, ngettext = translation.gettext, translation.ngettext

        def foreign(result, *messages):
            # pgettext asks for "context\x04message"; the text shown is the message.
            self.foreign.append(tuple(m.rpartition("\x04")[2] for m in messages))
            return f"⟪{len(self.foreign) - 1}|{result.rpartition(chr(4))[2]}⟫"

        def marked_gettext(message):
            result = gettext(message)
            return result if message in self.ours else foreign(result, message)

        def marked_ngettext(singular, plural, number):
            result = ngettext(singular, plural, number)
            return result if singular in self.ours else foreign(result, singular, plural)

        translation.gettext = marked_gettext
        translation.ngettext = marked_ngettext
