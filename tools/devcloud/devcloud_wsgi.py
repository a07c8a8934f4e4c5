"""WSGI entry point that gunicorn loads for each devcloud API service.

gunicorn runs `devcloud_wsgi:application`; DEVCLOUD_SERVICE says which service this process
is and DEVCLOUD_CONFIG_FILE which configuration file it reads.

Why a wrapper (pitfall 1): Keystone, Cinder and Trove parse `sys.argv` with oslo.config when
their WSGI module is imported. Under gunicorn that is gunicorn's own command line, which they
reject, so we replace it with the service's `--config-file` before importing the service.
"""

import importlib
import os
import sys

_SERVICE = os.environ["DEVCLOUD_SERVICE"]
_CONFIG = os.environ["DEVCLOUD_CONFIG_FILE"]

# service -> (argv the service should see, module exposing `application`)
_ENTRY_POINTS = {
    # Keystone finds its file through OS_KEYSTONE_CONFIG_FILES; it must see no arguments.
    "keystone": (["keystone"], "keystone.wsgi.api"),
    "cinder-api": (["cinder-api", "--config-file", _CONFIG], "cinder.wsgi.api"),
    "trove-api": (["trove-api", "--config-file", _CONFIG], "trove.cmd.app_wsgi"),
}

sys.argv, _module = _ENTRY_POINTS[_SERVICE]
application = importlib.import_module(_module).application
