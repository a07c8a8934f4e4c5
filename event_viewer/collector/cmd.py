"""Console scripts: ``event-viewer-collector`` (the listener) and ``event-viewer-reap`` (once).

Both are Django processes of the dashboard's project (``DJANGO_SETTINGS_MODULE``,
``openstack_dashboard.settings`` unless set), so they write the database the
panels read, and OpenStack services in how they are configured
(``--config-file``, oslo.log options).
"""

import os
import sys

import django
from oslo_config import cfg
from oslo_log import log as oslo_log
from oslo_reports import opts as report_opts

from event_viewer.collector import options


def _setup(argv, prog):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openstack_dashboard.settings")
    conf = cfg.ConfigOpts()
    options.register(conf)
    oslo_log.register_options(conf)
    report_opts.set_defaults(conf)  # [oslo_reports]: the GMR trigger file
    conf(argv, project="event-viewer", prog=prog)
    _check_options(conf, prog)
    django.setup()
    # After Django's LOGGING: the collector logs the way OpenStack services do.
    oslo_log.setup(conf, "event-viewer")
    return conf


def _check_options(conf, prog):
    """Read every [collector] option now: a value out of its range stops the start with a
    clear message, not a traceback from deep inside the listener later."""
    try:
        for opt in options.OPTS:
            getattr(conf.collector, opt.dest)
    except (cfg.ConfigFileValueError, ValueError) as error:
        sys.exit(f"{prog}: invalid [collector] option: {error}")


def collector(argv=None):
    """Listen for notifications and store them until SIGTERM."""
    conf = _setup(sys.argv[1:] if argv is None else argv, "event-viewer-collector")
    from event_viewer.collector import listener  # needs Django set up

    return listener.run(conf)


def reap(argv=None):
    """Delete the expired events once, in batches, and say how many."""
    conf = _setup(sys.argv[1:] if argv is None else argv, "event-viewer-reap")
    from event_viewer.collector import store  # needs Django set up

    deleted = store.reap(conf.collector.message_reap_batch_size)
    print(f"Deleted {deleted} expired events.")
    return 0
