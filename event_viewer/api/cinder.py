"""Cinder user messages (``/v3/{project_id}/messages``) through python-cinderclient.

Microversions, and why this module picks them:

* 3.3 adds the messages API, 3.5 adds marker/limit/sort and filters.
* Cinder's message *list* is not scoped to the caller's project (the list query
  runs with ``project_only=False``; confirmed on cinder 28.0.0), and a listed
  message carries no ``project_id`` to filter on afterwards. The only safe list
  is one that asks Cinder for ``project_id=<project>`` -- which members may send
  at 3.5 to 3.30 (from 3.31 Cinder rejects filter keys outside
  ``resource_filters.json`` for non-admins). So lists use at most 3.30.
* Below 3.5 a list cannot be filtered, so it cannot be scoped: the panel refuses
  to list rather than show other projects' messages.
"""

from cinderclient import api_versions
from cinderclient import exceptions as cinder_exceptions
from cinderclient.v3 import client as cinder_client
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from event_viewer import config
from event_viewer.api import session as api_session
from event_viewer.api.errors import ErrorTranslator, FeatureUnavailable

SOURCE = "cinder"
LABEL = _("Block Storage (Cinder)")
SERVICE_TYPES = ("block-storage", "block-store", "volume", "volumev3")

MESSAGES_API = api_versions.APIVersion("3.3")
PAGINATION = api_versions.APIVersion("3.5")
# Highest microversion at which a member may filter the list by project_id.
SCOPED_LIST_MAX = api_versions.APIVersion("3.30")

# Re-exported so views can answer 404 without importing the client library.
NotFound = cinder_exceptions.NotFound

# Filter keys Cinder applies to a message list (besides project_id).
FILTER_KEYS = ("resource_type", "resource_uuid", "event_id", "request_id", "message_level")


def _versions_root(endpoint):
    """``http://host:8776/v3/<project>`` -> ``http://host:8776/``."""
    head, sep, _tail = endpoint.partition("/v3")
    return (head if sep else endpoint.rstrip("/")) + "/"


def _server_version_range(session, endpoint):
    """(min, max) APIVersion of the v3 API, cached per endpoint, not per user."""
    root = _versions_root(endpoint)
    key = "event_viewer:cinder-versions:" + root
    cached = cache.get(key)
    if cached is None:
        response = session.get(root, authenticated=False, raise_exc=False)
        versions = response.json().get("versions", []) if response.ok else []
        v3 = next((v for v in versions if v.get("id", "").startswith("v3")), None)
        if v3 is None or not v3.get("version"):
            cached = ("3.0", "3.0")
        else:
            cached = (v3.get("min_version") or "3.0", v3["version"])
        cache.set(key, cached, config.version_cache_seconds())
    return api_versions.APIVersion(cached[0]), api_versions.APIVersion(cached[1])


class MessagesClient:
    """A cinderclient bound to the request's user, at the negotiated microversion."""

    def __init__(self, request, all_projects=False):
        # all_projects is for the admin panel only (its panel and views are
        # admin-gated); everything else lists the user's own project.
        self.project_id = None if all_projects else request.user.project_id
        endpoint = api_session.endpoint_for(request, SERVICE_TYPES)
        if endpoint is None:
            raise FeatureUnavailable(
                SOURCE, _("%(source)s is not in the catalog.") % {"source": LABEL}
            )
        self.session = api_session.user_session(request, endpoint)
        with translate_errors():
            _min, server_max = _server_version_range(self.session, endpoint)
        if server_max < MESSAGES_API:
            raise FeatureUnavailable(
                SOURCE,
                _(
                    "The Block Storage messages API is not available (Cinder supports up "
                    "to microversion %(version)s; 3.3 is needed)."
                )
                % {"version": server_max.get_string()},
            )
        self.version = min(server_max, SCOPED_LIST_MAX)
        self.client = cinder_client.Client(
            session=self.session, api_version=self.version, endpoint_override=endpoint
        )

    @property
    def can_paginate(self):
        return self.version >= PAGINATION

    def list(self, filters=None, marker=None, limit=None, sort_dir="desc"):
        """One page of the project's messages, newest first unless ``sort_dir='asc'``."""
        if not self.can_paginate:
            raise FeatureUnavailable(
                SOURCE,
                _(
                    "This Block Storage API (microversion %(version)s) cannot list messages "
                    "scoped to your project, so none are shown. Microversion 3.5 or later "
                    "is needed."
                )
                % {"version": self.version.get_string()},
            )
        search_opts = {k: v for k, v in (filters or {}).items() if k in FILTER_KEYS and v}
        # Scoping: see the module docstring. Members always get their token's
        # project, whatever the filters say; only the admin panel's all-projects
        # client may choose a project (or none).
        if self.project_id:
            search_opts["project_id"] = self.project_id
        elif (filters or {}).get("project_id"):
            search_opts["project_id"] = filters["project_id"]
        sort = f"created_at:{sort_dir},id:{sort_dir}"
        with translate_errors():
            return self.client.messages.list(
                search_opts=search_opts, marker=marker, limit=limit, sort=sort
            )

    def get(self, message_id):
        with translate_errors():
            return self.client.messages.get(message_id)

    def delete(self, message_id):
        with translate_errors():
            self.client.messages.delete(message_id)


def translate_errors():
    return ErrorTranslator(
        SOURCE,
        LABEL,
        unauthorized=cinder_exceptions.Unauthorized,
        passthrough=cinder_exceptions.NotFound,
        bad_request=cinder_exceptions.BadRequest,
        forbidden=cinder_exceptions.Forbidden,
        http_error=cinder_exceptions.ClientException,
        status_of=lambda exc: exc.code,
    )


def resource_status(request, manager_name, resource_id):
    """The status of a volume, snapshot or backup (``manager_name`` on the client)."""
    client = MessagesClient(request).client
    with translate_errors():
        return getattr(client, manager_name).get(resource_id).status
