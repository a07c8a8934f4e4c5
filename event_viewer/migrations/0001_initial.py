"""The first schema of the store: service events and Guru Meditation Reports."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ServiceEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("message_id", models.CharField(max_length=64, unique=True)),
                ("operation_key", models.CharField(max_length=255, null=True, unique=True)),
                ("service", models.CharField(max_length=64)),
                ("publisher_id", models.CharField(default="", max_length=255)),
                ("event_type", models.CharField(max_length=255)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("fail", "fail"),
                            ("pass", "pass"),
                            ("in_progress", "in progress"),
                        ],
                        max_length=16,
                    ),
                ),
                ("level", models.CharField(max_length=16)),
                ("project_id", models.CharField(default="", max_length=64)),
                ("user_id", models.CharField(default="", max_length=64)),
                ("host", models.CharField(default="", max_length=255)),
                ("request_id", models.CharField(default="", max_length=64)),
                ("global_request_id", models.CharField(default="", max_length=64)),
                ("resource_type", models.CharField(default="", max_length=64)),
                ("resource_id", models.CharField(default="", max_length=64)),
                ("resource_name", models.CharField(default="", max_length=255)),
                ("summary", models.TextField(default="")),
                ("traceback", models.TextField(default="")),
                ("payload", models.TextField(default="")),
                ("created_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(null=True)),
                ("expires_at", models.DateTimeField(null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["created_at", "id"], name="ev_svc_time"),
                    models.Index(
                        fields=["project_id", "created_at", "id"], name="ev_svc_project_time"
                    ),
                    models.Index(fields=["host", "created_at", "id"], name="ev_svc_host_time"),
                    models.Index(fields=["user_id", "created_at", "id"], name="ev_svc_user_time"),
                    models.Index(fields=["request_id"], name="ev_svc_request"),
                    models.Index(fields=["expires_at"], name="ev_svc_expires"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ServiceReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("path", models.CharField(max_length=512, unique=True)),
                ("service", models.CharField(max_length=128)),
                ("host", models.CharField(default="", max_length=255)),
                ("created_at", models.DateTimeField()),
                ("sections", models.JSONField(default=list)),
                ("size", models.IntegerField(default=0)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["created_at", "id"], name="ev_report_time"),
                    models.Index(
                        fields=["service", "host", "created_at"], name="ev_report_service"
                    ),
                ],
            },
        ),
    ]
