"""The Project -> Event Viewer panel registration."""

import horizon
from django.utils.translation import gettext_lazy as _

from event_viewer.api import cinder, trove

# The panel is useful when the catalog has any source it reads (an inner tuple
# is Horizon's "any of").
ANY_SOURCE_SERVICE = tuple(
    f"openstack.services.{service_type}"
    for service_type in cinder.SERVICE_TYPES + trove.SERVICE_TYPES
)


class EventViewer(horizon.Panel):
    name = _("Event Viewer")
    slug = "event_viewer"
    permissions = (ANY_SOURCE_SERVICE,)
    policy_rules = (("volume", "message:get_all"),)
