"""Django settings for the unit tests: Horizon's test settings plus our enabled files.

Horizon's test settings write a secret-key file and compressed assets under the
temporary directory; ``tests/conftest.py`` points TMPDIR at a private directory
before Django loads this module.
"""

import os
import tempfile

from openstack_dashboard import enabled as horizon_enabled
from openstack_dashboard.test.settings import *  # noqa: F403
from openstack_dashboard.utils import settings as settings_utils

from event_viewer import enabled as event_viewer_enabled

SECRET_KEY = "event-viewer-unit-tests"  # noqa: S105 (test-only key)
COMPRESS_ROOT = os.path.join(tempfile.gettempdir(), "event-viewer-compress")
ROOT_URLCONF = "openstack_dashboard.test.urls"

# Register Horizon's panels and ours together, as a deployment that linked our
# enabled files into local/enabled would; update_dashboards replaces the panel
# list but appends to the others, so drop the repeats of the first call.
settings_utils.update_dashboards(
    [horizon_enabled, event_viewer_enabled],
    HORIZON_CONFIG,  # noqa: F405
    INSTALLED_APPS,  # noqa: F405
)
INSTALLED_APPS = list(dict.fromkeys(INSTALLED_APPS))  # noqa: F405
for _key in ("plugins", "angular_modules", "js_files", "js_spec_files", "scss_files"):
    HORIZON_CONFIG[_key] = list(dict.fromkeys(HORIZON_CONFIG[_key]))  # noqa: F405

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The plugin's store (the collector's events and reports). SQLite by default;
# EVENT_VIEWER_TEST_DB=postgresql or mysql runs the same tests against the
# local server (tools/run-tests does so where one answers on 127.0.0.1).
_TEST_DATABASES = {
    "sqlite": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    "postgresql": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "event_viewer",
        "USER": os.environ.get("EVENT_VIEWER_TEST_DB_USER", "postgres"),
        "HOST": "127.0.0.1",
        "PORT": "5432",
    },
    "mysql": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "event_viewer",
        "USER": os.environ.get("EVENT_VIEWER_TEST_DB_USER", "root"),
        "HOST": "127.0.0.1",
        "PORT": "3306",
        "OPTIONS": {"charset": "utf8mb4"},
    },
}
_TEST_DB = os.environ.get("EVENT_VIEWER_TEST_DB", "sqlite")
if _TEST_DB == "mysql":
    import pymysql

    pymysql.install_as_MySQLdb()
DATABASES = {"default": _TEST_DATABASES[_TEST_DB]}
# The live collector tests run a collector process on a database of their own.
if os.environ.get("EVENT_VIEWER_TEST_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["EVENT_VIEWER_TEST_DB_NAME"]
