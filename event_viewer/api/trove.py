"""Trove instance faults through python-troveclient.

A fault ({message, created, details}) is only in Trove's *detail* views, so the
list uses ``GET /instances/detail`` -- one call per Trove page, never one per
instance (reading ``.fault`` on a list item would trigger a GET per instance;
this module reads the resource's raw ``_info`` instead). Trove caps a page at
its ``instances_page_size`` (20 by default) and cannot sort by fault time, so
the source walks the project's instances page by page, up to
``EVENT_VIEWER_TROVE_MAX_PAGES``: faults are at most one per instance, so that
cost follows the number of database instances, not of events.
"""

from django.utils.translation import gettext_lazy as _
from troveclient import exceptions as trove_exceptions
from troveclient.v1 import client as trove_client

from event_viewer import config
from event_viewer.api import session as api_session
from event_viewer.api.errors import ErrorTranslator, FeatureUnavailable

SOURCE = "trove"
SERVICE_TYPES = ("database",)
LABEL = _("Database (Trove)")

# Re-exported so views can answer 404 without importing the client library.
NotFound = trove_exceptions.NotFound


class InstancesClient:
    """A troveclient bound to the request's user.

    ``all_projects`` (the admin panel only, whose views are admin-gated) reads
    Trove's management API instead: every project's instances with their
    ``tenant_id``, ``server.host`` and the fault details (stack trace).
    """

    def __init__(self, request, all_projects=False):
        self.all_projects = all_projects
        endpoint = api_session.endpoint_for(request, SERVICE_TYPES)
        if endpoint is None:
            raise FeatureUnavailable(
                SOURCE, _("%(source)s is not in the catalog.") % {"source": LABEL}
            )
        session = api_session.user_session(request, endpoint)
        self.client = trove_client.Client(session=session, endpoint_override=endpoint)

    def faulted_instances(self):
        """Raw ``_info`` dicts of the project's instances that carry a fault.

        Returns ``(instances, complete)``; ``complete`` is False when the walk
        stopped at ``EVENT_VIEWER_TROVE_MAX_PAGES``.
        """
        faulted = []
        marker = None
        with translate_errors():
            for _page in range(config.trove_max_pages()):
                if self.all_projects:
                    page = self.client.mgmt_instances.list(marker=marker)
                else:
                    page = self.client.instances.list(detailed=True, marker=marker)
                faulted.extend(i._info for i in page if i._info.get("fault"))
                marker = page.next
                if not marker:
                    return faulted, True
        return faulted, False

    def get(self, instance_id):
        with translate_errors():
            if self.all_projects:
                return self.client.mgmt_instances.show(instance_id)._info
            return self.client.instances.get(instance_id)._info


def translate_errors():
    return ErrorTranslator(
        SOURCE,
        LABEL,
        unauthorized=trove_exceptions.Unauthorized,
        passthrough=trove_exceptions.NotFound,
        bad_request=trove_exceptions.BadRequest,
        forbidden=trove_exceptions.Forbidden,
        # troveclient's HTTP errors carry http_status (no .code, unlike cinderclient's).
        http_error=trove_exceptions.HttpError,
        status_of=lambda exc: exc.http_status,
    )
