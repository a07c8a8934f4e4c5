"""The collector's configuration options (oslo.config, group ``[collector]``).

The collector reads an OpenStack-style configuration file (``--config-file``):
``[DEFAULT] transport_url`` and the other oslo.messaging and oslo.log options,
``[oslo_reports]`` for Guru Meditation Reports, and these. Which database it
writes to is Django's business: the ``DATABASES`` of the dashboard's settings
(``DJANGO_SETTINGS_MODULE``), so the collector and the panels share one store.
``oslo-config-generator --namespace event_viewer.collector`` prints a sample.
"""

from oslo_config import cfg

GROUP = "collector"

OPTS = [
    cfg.ListOpt(
        "topics",
        default=["notifications"],
        help="Notification topics to listen on: the services' "
        "[oslo_messaging_notifications] topics.",
    ),
    cfg.StrOpt(
        "pool",
        default="event-viewer",
        help="Listener pool: collectors with the same pool share one queue (each notification "
        "goes to one of them), and other consumers of the topic (e.g. Ceilometer) still get "
        "every notification. Empty: the topic's default queue.",
    ),
    cfg.IntOpt("batch_size", default=500, min=1, help="Notifications written per transaction."),
    cfg.FloatOpt(
        "batch_timeout",
        default=1.0,
        min=0.01,
        help="Seconds to wait for a batch to fill before writing what arrived.",
    ),
    cfg.IntOpt(
        "executor_threads",
        default=2,
        min=1,
        help="Batches one process writes at the same time.",
    ),
    cfg.IntOpt(
        "db_retry_seconds",
        default=60,
        min=0,
        help="While the database is down a batch stays unacknowledged and is retried for this "
        "long, then goes back to the queue (nothing is lost either way).",
    ),
    cfg.IntOpt(
        "message_ttl",
        default=2592000,
        min=-1,
        help="Seconds an event is kept (30 days, like Cinder's messages); -1 keeps events forever.",
    ),
    cfg.IntOpt(
        "message_reap_interval",
        default=86400,
        min=-1,
        help="Seconds between two reapings of expired events; -1 disables the reaper "
        "(event-viewer-reap still reaps once).",
    ),
    cfg.IntOpt(
        "message_reap_batch_size",
        default=1000,
        min=1,
        help="Most events deleted in one transaction, so no reaping holds a long lock.",
    ),
    cfg.StrOpt(
        "reports_dir",
        help="Directory of Guru Meditation Reports: this collector writes its own there and "
        "stores every report that services on this node write there. Unset: no reports.",
    ),
    cfg.IntOpt(
        "report_scan_interval",
        default=10,
        min=1,
        help="Seconds between two scans of reports_dir for new reports.",
    ),
]


def register(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    """For oslo-config-generator (entry point ``oslo.config.opts``)."""
    return [(GROUP, OPTS)]
