"""The current status of an event's resource, for the detail page: one API call at most."""

from django.utils.translation import gettext_lazy as _

from event_viewer.api import cinder, store, trove
from event_viewer.api.errors import SourceError

# Cinder resource type -> how to read its current status.
_CINDER_RESOURCES = {
    "VOLUME": "volumes",
    "VOLUME_SNAPSHOT": "volume_snapshots",
    "VOLUME_BACKUP": "backups",
}


def resource_status(request, event, all_projects=False):
    """The current status of the event's resource, 'deleted', or '' when unknown.

    One API call: a Cinder resource (of a message or a service event) or a
    Trove instance; other services' resources are not looked up.
    """
    try:
        if (
            event.source in (cinder.SOURCE, store.SOURCE)
            and event.resource_type in _CINDER_RESOURCES
        ):
            return cinder.resource_status(
                request, _CINDER_RESOURCES[event.resource_type], event.resource_id
            )
        if event.source == trove.SOURCE:
            client = trove.InstancesClient(request, all_projects=all_projects)
            return client.get(event.resource_id).get("status", "")
    except (cinder.NotFound, trove.NotFound):
        return _("deleted")
    except SourceError as error:
        return _("unknown (%(reason)s)") % {"reason": error.message}
    return ""
