"""keystoneauth sessions for the logged-in user, one per service endpoint.

Horizon's own client helpers build clients without a timeout; the Event Viewer
must never hang a page, so every session here carries the plugin's bounded
timeout. Authentication reuses the user's existing token (no extra round trip
to Keystone per page).
"""

from horizon.exceptions import ServiceCatalogException
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from openstack_dashboard.api import base as horizon_base

from event_viewer import config


def endpoint_for(request, service_types):
    """The catalog URL of the first of ``service_types`` present, else None."""
    for service_type in service_types:
        try:
            return horizon_base.url_for(request, service_type)
        except ServiceCatalogException:
            continue
    return None


def user_session(request, endpoint):
    """A session that sends the user's token to ``endpoint`` with a bounded timeout."""
    auth = token_endpoint.Token(endpoint, request.user.token.id)
    return ks_session.Session(
        auth=auth, verify=config.ssl_verify(), timeout=config.source_timeout()
    )
