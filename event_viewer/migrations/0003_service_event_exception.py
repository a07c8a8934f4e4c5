"""The exception class of a failed service event.

Notifications name the exception that failed an operation apart from its
message (a legacy ``exception`` field, a versioned ``ExceptionPayload``'s
``exception``, a legacy ``reason``'s ``class``). The class tells two failures
with the same words apart, and is admin-only like the raw message.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("event_viewer", "0002_service_event_global_request_index")]

    operations = [
        migrations.AddField(
            model_name="serviceevent",
            name="exception",
            field=models.CharField(default="", max_length=255),
        ),
    ]
