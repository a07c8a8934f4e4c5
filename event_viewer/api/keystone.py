"""Project and user names from Keystone, for the admin panel (one call per page, never per row)."""

from django.utils.translation import gettext_lazy as _
from openstack_dashboard.api import keystone as horizon_keystone

from event_viewer.api.errors import SourceError

SOURCE = "keystone"
LABEL = _("Identity (Keystone)")


def project_names(request):
    """``{project id: name}`` of every project the admin can see, in one request."""
    try:
        projects, _more = horizon_keystone.tenant_list(request, paginate=False)
    except Exception as exc:  # keystoneclient raises many kinds; all mean "no names"
        raise _names_failed(_("%(service)s did not list projects."), exc) from exc
    return {project.id: project.name for project in projects}


def user_names(request):
    """``{user id: name}`` of every user the admin can see, in one request."""
    try:
        users = horizon_keystone.user_list(request)
    except Exception as exc:  # as above
        raise _names_failed(_("%(service)s did not list users."), exc) from exc
    return {user.id: user.name for user in users}


def _names_failed(text, exc):
    """The error of a failed name list; the reason (it may name an endpoint) is the detail."""
    message = text % {"service": LABEL}
    return SourceError(SOURCE, message, detail=f"{message} ({type(exc).__name__}: {exc})")
