"""Every Django setting the plugin reads, with its default, in one place.

Deployers set these in Horizon's ``local_settings.py`` (or a file in
``local_settings.d``); code in the plugin reads them only through this module
so that the defaults and their meaning are documented once.
"""

from django.conf import settings

#: Seconds to wait for one source (Cinder, Trove) before the page shows that
#: source's error and renders the others. Keeps a hung service from hanging the page.
DEFAULT_SOURCE_TIMEOUT = 5.0

#: Messages read at most per page when matching summary text, which Cinder
#: cannot do: the search is bounded, and the page says so.
DEFAULT_TEXT_SCAN_LIMIT = 1000

#: Most messages one "Delete all matching" deletes (it says so when there are more).
DEFAULT_BULK_DELETE_MAX = 1000

#: Most rows one export contains.
DEFAULT_EXPORT_MAX_ROWS = 5000

#: Trove pages (of its ``instances_page_size``) walked to find faults.
DEFAULT_TROVE_MAX_PAGES = 50

#: The Django database alias (a key of ``DATABASES``) where the collector
#: stores service events. Horizon needs no database of its own: without one,
#: Django's placeholder "dummy" backend is configured and the panels simply
#: have no "Service events" source.
DEFAULT_DATABASE = "default"

#: Seconds the Cinder API's version range is cached (per endpoint URL) so that
#: microversion negotiation does not cost one extra request per page.
DEFAULT_VERSION_CACHE_SECONDS = 300


def source_timeout():
    """Bounded timeout, in seconds, for every call to a source API."""
    return float(getattr(settings, "EVENT_VIEWER_SOURCE_TIMEOUT", DEFAULT_SOURCE_TIMEOUT))


def version_cache_seconds():
    return int(
        getattr(settings, "EVENT_VIEWER_VERSION_CACHE_SECONDS", DEFAULT_VERSION_CACHE_SECONDS)
    )


def page_size(request):
    """Rows per page: the user's Horizon page-size preference, else Horizon's setting."""
    from horizon.utils import functions as horizon_utils

    return horizon_utils.get_page_size(request)


def ssl_verify():
    """The ``verify`` argument for keystoneauth sessions, as Horizon configures it."""
    if getattr(settings, "OPENSTACK_SSL_NO_VERIFY", False):
        return False
    return getattr(settings, "OPENSTACK_SSL_CACERT", None) or True


def event_explanations():
    """Deployer-written advice per Cinder event id, shown on the detail page."""
    return dict(getattr(settings, "EVENT_VIEWER_EVENT_EXPLANATIONS", {}))


def trove_max_pages():
    return int(getattr(settings, "EVENT_VIEWER_TROVE_MAX_PAGES", DEFAULT_TROVE_MAX_PAGES))


def text_scan_limit():
    return int(getattr(settings, "EVENT_VIEWER_TEXT_SCAN_LIMIT", DEFAULT_TEXT_SCAN_LIMIT))


def bulk_delete_max():
    return int(getattr(settings, "EVENT_VIEWER_BULK_DELETE_MAX", DEFAULT_BULK_DELETE_MAX))


def export_max_rows():
    return int(getattr(settings, "EVENT_VIEWER_EXPORT_MAX_ROWS", DEFAULT_EXPORT_MAX_ROWS))


def database_alias():
    """The ``DATABASES`` alias of the collector's store."""
    return getattr(settings, "EVENT_VIEWER_DATABASE", DEFAULT_DATABASE)


def service_events_enabled():
    """True when the store's alias is configured with a real database engine.

    Reads Django's resolved connection settings: with no ``DATABASES`` at all
    Django configures the alias "default" with its dummy backend, which cannot
    run a query (the panels then leave the source out instead of failing).
    """
    from django.db import connections

    engine = connections.settings.get(database_alias(), {}).get("ENGINE", "")
    return bool(engine) and engine != "django.db.backends.dummy"


def reports_dir():
    """Where the dashboard writes its Guru Meditation Reports; None: it registers none."""
    return getattr(settings, "EVENT_VIEWER_REPORTS_DIR", None) or None


def reports_trigger_file():
    """A file whose touch makes each dashboard process write a report (for WSGI servers).

    When set, the dashboard leaves SIGUSR2 to the WSGI server (see ``event_viewer.gmr``).
    """
    return getattr(settings, "EVENT_VIEWER_REPORTS_TRIGGER_FILE", None) or None
