# local_settings.py of the demo Horizon (written by tools/lib/common.sh into
# openstack_dashboard/local/; @STATE@ is the demo's state directory).
# It points Horizon at the local cloud of tools/devcloud; a deployer keeps
# their own local_settings.py and needs none of this for the plugin.
import os

from horizon.utils import secret_key

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

LOCAL_PATH = "@STATE@"
SECRET_KEY = secret_key.generate_or_read_from_file(os.path.join(LOCAL_PATH, ".secret_key_store"))
STATIC_ROOT = os.path.join(LOCAL_PATH, "static")
COMPRESS_OFFLINE = True

OPENSTACK_HOST = "127.0.0.1"
OPENSTACK_KEYSTONE_URL = "http://127.0.0.1:5000/v3"
OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = "Default"
OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"

# One process: an in-process cache (which also holds the sessions, Horizon's
# default session engine), so no memcached is needed.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The Event Viewer's store (events and reports the collector writes): the
# embedded default, SQLite, in the demo's state directory. The timeout lets the
# dashboard wait for the collector's write transactions instead of failing.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(LOCAL_PATH, "event_viewer.sqlite3"),
        "OPTIONS": {"timeout": 20},
    }
}

# Guru Meditation Reports of this Horizon (kill -USR2 <pid>) go where the demo's
# collector reads reports (tools/lib/common.sh: [collector] reports_dir).
EVENT_VIEWER_REPORTS_DIR = os.path.join(LOCAL_PATH, "reports")

TIME_ZONE = "UTC"

# Plain HTTP on loopback: cookies without the Secure flag.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "level": "INFO"}},
    "loggers": {
        "event_viewer": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "horizon": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "openstack_dashboard": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "openstack_auth": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
