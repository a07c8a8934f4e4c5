"""What the collector stores: service events (from notifications) and Guru Meditation Reports.

The panels read these through ``event_viewer.api.store``; the collector writes
them through ``event_viewer.collector.store``. Every field that came from a
notification or a report file is untrusted text.
"""

from django.db import models

#: Outcome of an operation, from the suffix of its notifications' event type.
OUTCOME_FAIL = "fail"
OUTCOME_PASS = "pass"  # noqa: S105 (an outcome, not a password)
OUTCOME_IN_PROGRESS = "in_progress"
OUTCOMES = (
    (OUTCOME_FAIL, "fail"),
    (OUTCOME_PASS, "pass"),
    (OUTCOME_IN_PROGRESS, "in progress"),
)


class ServiceEvent(models.Model):
    """One operation seen on the notification bus (or one notification without a request id).

    ``.start``, ``.end`` and ``.error`` notifications of the same operation
    (same request id and event type without the suffix) update one row:
    ``operation_key`` is unique, so two collectors racing on the same operation
    cannot make two rows. ``message_id`` is the id of the notification that
    created the row, unique so that a redelivered notification is stored once.
    """

    message_id = models.CharField(max_length=64, unique=True)
    # NULL (not "") for notifications outside an operation: unique indexes
    # treat NULLs as distinct on SQLite, PostgreSQL and MariaDB alike.
    operation_key = models.CharField(max_length=255, unique=True, null=True)  # noqa: DJ001
    service = models.CharField(max_length=64)
    publisher_id = models.CharField(max_length=255, default="")
    event_type = models.CharField(max_length=255)
    outcome = models.CharField(max_length=16, choices=OUTCOMES)
    level = models.CharField(max_length=16)
    project_id = models.CharField(max_length=64, default="")
    user_id = models.CharField(max_length=64, default="")
    host = models.CharField(max_length=255, default="")
    request_id = models.CharField(max_length=64, default="")
    global_request_id = models.CharField(max_length=64, default="")
    resource_type = models.CharField(max_length=64, default="")
    resource_id = models.CharField(max_length=64, default="")
    resource_name = models.CharField(max_length=255, default="")
    summary = models.TextField(default="")
    # Admin-only: never rendered to members (raw service text), like the two below.
    exception = models.CharField(max_length=255, default="")
    # Admin-only: never rendered by the project panel.
    traceback = models.TextField(default="")
    payload = models.TextField(default="")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    expires_at = models.DateTimeField(null=True)

    class Meta:
        # Every list the panels show is "newest (or oldest) first after a
        # cursor", optionally narrowed to one project, host or user: each of
        # these indexes serves one of those lists with a range scan of one page,
        # whatever the number of rows (see tools/bench/collector).
        indexes = [
            models.Index(fields=["created_at", "id"], name="ev_svc_time"),
            models.Index(fields=["project_id", "created_at", "id"], name="ev_svc_project_time"),
            models.Index(fields=["host", "created_at", "id"], name="ev_svc_host_time"),
            models.Index(fields=["user_id", "created_at", "id"], name="ev_svc_user_time"),
            models.Index(fields=["request_id"], name="ev_svc_request"),
            # The request-id filter matches either id (migration 0002).
            models.Index(fields=["global_request_id"], name="ev_svc_global_request"),
            models.Index(fields=["expires_at"], name="ev_svc_expires"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.outcome} {self.request_id or self.message_id}"


class ServiceReport(models.Model):
    """A Guru Meditation Report file that a service on a node wrote, with its sections.

    One row per (path, host): the file it was read from on a collector's node,
    and the host it describes. A signal sent to a whole fleet writes the same
    file name on every node, each a report of its own; reading one file twice
    (or two collectors of one node reading it at once) stores it once.
    """

    path = models.CharField(max_length=512)
    service = models.CharField(max_length=128)
    host = models.CharField(max_length=255, default="")
    created_at = models.DateTimeField()
    # [{"title": "Package", "body": "..."}, ...] in the order of the report.
    sections = models.JSONField(default=list)
    size = models.IntegerField(default=0)
    # Reaped with the service events (collector.store.reap); NULL: kept.
    expires_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            # path first: the collector looks up the paths of a directory.
            models.UniqueConstraint(fields=["path", "host"], name="ev_report_path_host"),
        ]
        indexes = [
            models.Index(fields=["created_at", "id"], name="ev_report_time"),
            models.Index(fields=["service", "host", "created_at"], name="ev_report_service"),
            models.Index(fields=["expires_at"], name="ev_report_expires"),
        ]

    def __str__(self):
        return f"{self.service}@{self.host} {self.created_at:%Y-%m-%d %H:%M:%S}"
