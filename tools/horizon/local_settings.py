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
