"""The Admin -> Event Viewer panel registration."""

import horizon
from django.utils.translation import gettext_lazy as _

from event_viewer.content.project.panel import ANY_SOURCE_SERVICE


class EventViewer(horizon.Panel):
    name = _("Event Viewer")
    slug = "event_viewer"
    permissions = ("openstack.roles.admin", ANY_SOURCE_SERVICE)
    policy_rules = (("identity", "admin_required"),)
