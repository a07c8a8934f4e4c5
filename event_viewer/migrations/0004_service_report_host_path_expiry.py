"""Service reports: one per (path, host), and an expiry like the service events'.

A signal sent to a whole fleet makes every node write a report of the same file
name; unique by path alone, only the first node's was kept. Reports kept
forever filled the database: they now expire (``message_ttl``) and are reaped
with the service events. Reports stored before this migration expire 30 days
(the default ``message_ttl``) after they were written.
"""

import datetime

from django.db import migrations, models
from django.db.models import F

#: The collector's default message_ttl, for the reports stored before expiry existed.
EXISTING_REPORTS_TTL = datetime.timedelta(seconds=2592000)


def expire_existing_reports(apps, schema_editor):
    reports = apps.get_model("event_viewer", "ServiceReport")
    reports.objects.using(schema_editor.connection.alias).filter(expires_at__isnull=True).update(
        expires_at=F("created_at") + EXISTING_REPORTS_TTL
    )


class Migration(migrations.Migration):
    dependencies = [("event_viewer", "0003_service_event_exception")]

    operations = [
        migrations.AlterField(
            model_name="servicereport",
            name="path",
            field=models.CharField(max_length=512),
        ),
        migrations.AddConstraint(
            model_name="servicereport",
            constraint=models.UniqueConstraint(fields=("path", "host"), name="ev_report_path_host"),
        ),
        migrations.AddField(
            model_name="servicereport",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddIndex(
            model_name="servicereport",
            index=models.Index(fields=["expires_at"], name="ev_report_expires"),
        ),
        migrations.RunPython(expire_existing_reports, migrations.RunPython.noop),
    ]
