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

#: The control exchanges OpenStack services publish their notifications to: each
#: service sets its own in its code (``set_transport_defaults(control_exchange=...)``:
#: Keystone ``keystone``, Nova ``nova``...; the list follows Ceilometer's
#: ``notification_control_exchanges``), and ``openstack``, oslo.messaging's default,
#: for those that set none (Cinder and Trove 2026.1, checked in their code).
DEFAULT_EXCHANGES = [
    "nova",
    "glance",
    "neutron",
    "cinder",
    "heat",
    "keystone",
    "trove",
    "manila",
    "octavia",
    "designate",
    "ironic",
    "magnum",
    "barbican",
    "swift",
    "zaqar",
    "aodh",
    "ceilometer",
    "openstack",
]

#: Ten years: longer than any retention an operator asks for, and far enough
#: inside the calendar that an expiry can always be computed and shown.
MAX_MESSAGE_TTL = 10 * 365 * 86400

OPTS = [
    cfg.ListOpt(
        "topics",
        default=["notifications", "versioned_notifications"],
        help="Notification topics to listen on: the services' "
        "[oslo_messaging_notifications] topics (notifications for the legacy format, "
        "versioned_notifications for the versioned one).",
    ),
    cfg.ListOpt(
        "exchanges",
        default=DEFAULT_EXCHANGES,
        help="Exchanges to listen on: the [DEFAULT] control_exchange of every service "
        "whose notifications are wanted (each service publishes to its own: nova, "
        "cinder...; openstack is oslo.messaging's default). Exchanges no service uses "
        "cost nothing.",
    ),
    cfg.StrOpt(
        "pool",
        default="event-viewer",
        help="Listener pool: collectors with the same pool share one queue (each notification "
        "goes to one of them), and other consumers of the topic (e.g. Ceilometer) still get "
        "every notification. Empty: the topic's default queue.",
    ),
    cfg.IntOpt(
        "batch_size",
        default=500,
        min=1,
        # Twice a batch is prefetched, and AMQP's prefetch count is 16 bits.
        max=10000,
        help="Notifications written per transaction (at most 10000).",
    ),
    cfg.FloatOpt(
        "batch_timeout",
        default=1.0,
        min=0.01,
        max=60,
        help="Seconds to wait for a batch to fill before writing what arrived.",
    ),
    cfg.IntOpt(
        "executor_threads",
        default=2,
        min=1,
        max=64,
        help="Batches one process writes at the same time (each holds a database connection).",
    ),
    cfg.IntOpt(
        "db_retry_seconds",
        default=60,
        min=0,
        # RabbitMQ closes a channel that holds a delivery unacknowledged longer
        # than its consumer_timeout (30 minutes by default).
        max=1200,
        help="While the database is down a batch stays unacknowledged and is retried for this "
        "long (at most 1200, under RabbitMQ's consumer_timeout), then goes back to the queue "
        "(nothing is lost either way). The waits grow while the outage lasts, up to 30 s.",
    ),
    cfg.IntOpt(
        "message_ttl",
        default=2592000,
        min=-1,
        max=MAX_MESSAGE_TTL,
        help="Seconds an event is kept (30 days, like Cinder's messages; at most ten years); "
        "-1 keeps events forever.",
    ),
    cfg.IntOpt(
        "message_reap_interval",
        default=86400,
        min=-1,
        max=366 * 86400,
        help="Seconds between two reapings of expired events (at most a year); -1 disables "
        "the reaper (event-viewer-reap still reaps once).",
    ),
    cfg.IntOpt(
        "message_reap_batch_size",
        default=1000,
        min=1,
        max=100000,
        help="Most events deleted in one transaction (at most 100000), so no reaping holds a "
        "long lock.",
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
        max=86400,
        help="Seconds between two scans of reports_dir for new reports.",
    ),
]


def register(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    """For oslo-config-generator (entry point ``oslo.config.opts``)."""
    return [(GROUP, OPTS)]
