"""Project and user names from Keystone, for the admin panel (one call per page, never per row)."""

from openstack_dashboard.api import keystone as horizon_keystone

from event_viewer.api.errors import SourceError

SOURCE = "keystone"
LABEL = "Identity (Keystone)"


def project_names(request):
    """``{project id: name}`` of every project the admin can see, in one request."""
    try:
        projects, _more = horizon_keystone.tenant_list(request, paginate=False)
    except Exception as exc:  # keystoneclient raises many kinds; all mean "no names"
        raise SourceError(SOURCE, f"{LABEL} did not list projects: {exc}") from exc
    return {project.id: project.name for project in projects}


def user_names(request):
    """``{user id: name}`` of every user the admin can see, in one request."""
    try:
        users = horizon_keystone.user_list(request)
    except Exception as exc:  # as above
        raise SourceError(SOURCE, f"{LABEL} did not list users: {exc}") from exc
    return {user.id: user.name for user in users}
