"""An index on the global request id of service events.

The panels' *Request ID* filter matches a service event by its own request id
or by the global request id a calling service passed on (``request_id = X OR
global_request_id = X``). With ``request_id`` alone indexed, the OR could only
be answered by reading every row; with both indexed, each database answers it
from the two indexes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("event_viewer", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="serviceevent",
            index=models.Index(fields=["global_request_id"], name="ev_svc_global_request"),
        ),
    ]
