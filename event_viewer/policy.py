"""The plugin's own policy rules (scope ``event_viewer``) and the one check that reads them.

Who may see what services record for operators, and who may delete service
events or reports, are oslo.policy rules like every other Horizon decision:
their defaults are in ``conf/default_policies/event_viewer.yaml`` (Horizon's
``DEFAULT_POLICY_FILES`` format), and operators override them in the file
``POLICY_FILES["event_viewer"]`` names (``event_viewer_policy.yaml`` in
Horizon's ``POLICY_FILES_PATH`` unless they name another; a commented copy
ships in ``conf/``). :func:`register` adds both to Horizon's settings at
start-up, so Horizon's own engine enforces them (``policy_rules`` of panels and
actions included).

Horizon's ``policy.check`` *allows* any scope it has no rules for (and every
rule when ``POLICY_CHECK_FUNCTION`` is unset). :func:`allows` never relies on
that: where Horizon's engine does not hold these rules, it evaluates them
itself, from the shipped defaults plus the operator's overrides, and it denies
when anything goes wrong.
"""

import functools
import logging
import os

import yaml
from django.conf import settings

LOG = logging.getLogger(__name__)

SCOPE = "event_viewer"

#: Hosts, publisher ids, raw exception text and class, stack traces, raw
#: payloads, database error reasons, Guru Meditation Reports.
VIEW_OPERATOR_DETAILS = "event_viewer:view_operator_details"
#: Delete any project's service events (the admin panel).
DELETE_SERVICE_EVENTS = "event_viewer:delete_service_events"
#: Delete one's own project's service events (the project panel).
DELETE_PROJECT_SERVICE_EVENTS = "event_viewer:delete_project_service_events"
#: Delete stored Guru Meditation Reports.
DELETE_SERVICE_REPORTS = "event_viewer:delete_service_reports"
#: Manage the shared failure knowledge catalogue.
MANAGE_CATALOGUE = "event_viewer:manage_catalogue"

CONF_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conf")
#: The shipped defaults (registered in DEFAULT_POLICY_FILES).
DEFAULTS_FILE = os.path.join(CONF_DIR, "default_policies", "event_viewer.yaml")
#: The operator's overrides, relative to POLICY_FILES_PATH like Horizon's own.
OVERRIDES_FILE_NAME = "event_viewer_policy.yaml"

#: A setting this module replaced; still set, it is reported (and ignored).
REMOVED_MEMBERS_DELETE_SETTING = "EVENT_VIEWER_MEMBERS_DELETE_SERVICE_EVENTS"


def rule(name):
    """``policy_rules`` for a Horizon panel or action: ``((SCOPE, name),)``."""
    return ((SCOPE, name),)


def register():
    """Adds the plugin's policy files to Horizon's settings (unless the operator set them).

    Called from ``EventViewerConfig.ready()``, before Horizon builds its
    policy engine (at the first check).
    """
    if not isinstance(getattr(settings, "POLICY_FILES", None), dict):
        settings.POLICY_FILES = {}
    if not isinstance(getattr(settings, "DEFAULT_POLICY_FILES", None), dict):
        settings.DEFAULT_POLICY_FILES = {}
    settings.POLICY_FILES.setdefault(SCOPE, OVERRIDES_FILE_NAME)
    # An absolute path: Horizon joins it to POLICY_FILES_PATH, which leaves it as is.
    settings.DEFAULT_POLICY_FILES.setdefault(SCOPE, DEFAULTS_FILE)
    if getattr(settings, REMOVED_MEMBERS_DELETE_SETTING, None) is not None:
        LOG.warning(
            "Event Viewer: the setting %s is no longer read; members delete their project's "
            'service events where the policy rule "%s" allows it (e.g. "role:member").',
            REMOVED_MEMBERS_DELETE_SETTING,
            DELETE_PROJECT_SERVICE_EVENTS,
        )


def allows(request, name, target=None):
    """True when the policy rule ``name`` allows the request's user; False on any doubt."""
    if name not in default_rules():
        raise ValueError(f"not an Event Viewer policy rule: {name}")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    try:
        if _horizon_enforces(name):
            from openstack_dashboard import policy as horizon_policy

            return bool(horizon_policy.check(rule(name), request, dict(target or {})))
        return _own_check(user, name, target)
    except Exception:  # a broken policy must deny, never allow
        LOG.exception("Event Viewer: policy rule %s could not be checked: denied", name)
        return False


@functools.cache
def default_rules():
    """``{name: check string}`` of the shipped defaults."""
    with open(DEFAULTS_FILE, encoding="utf-8") as defaults:
        return {entry["name"]: entry["check_str"] for entry in yaml.safe_load(defaults)}


def overrides_path():
    """The operator's overrides file as Horizon would find it (it may not exist)."""
    name = getattr(settings, "POLICY_FILES", {}).get(SCOPE, OVERRIDES_FILE_NAME)
    base = getattr(settings, "POLICY_FILES_PATH", "") or ""
    return os.path.join(base, name)


def _horizon_enforces(name):
    """True when Horizon's own engine holds this rule (its scope registered and loaded).

    Only Horizon's standard check function is trusted with it: another one (or
    none) may answer True for a scope it does not know.
    """
    from horizon.utils import settings as horizon_settings
    from openstack_auth import policy as auth_policy

    if horizon_settings.import_setting("POLICY_CHECK_FUNCTION") is not auth_policy.check:
        return False
    enforcer = auth_policy._get_enforcer().get(SCOPE)
    return enforcer is not None and name in enforcer.rules


def _own_check(user, name, target):
    path = overrides_path()
    try:
        modified = os.stat(path).st_mtime_ns
    except OSError:
        path = modified = None
    enforcer = _enforcer(path, modified)
    roles = [role["name"] for role in getattr(user, "roles", None) or []]
    credentials = {
        "user_id": user.id,
        "username": getattr(user, "username", None),
        "project_id": user.project_id,
        "tenant_id": user.project_id,
        "project_name": getattr(user, "project_name", None),
        "domain_id": getattr(user, "domain_id", None),
        "is_admin": bool(getattr(user, "is_superuser", False)),
        "roles": roles,
    }
    full_target = {
        "project_id": user.project_id,
        "tenant_id": user.project_id,
        "user_id": user.id,
        **(target or {}),
    }
    return bool(enforcer.enforce(name, full_target, credentials))


@functools.lru_cache(maxsize=4)
def _enforcer(path, modified):
    """An oslo.policy enforcer of the defaults plus the overrides at ``path`` (None: none).

    ``modified`` keys the cache: an edited overrides file is read again.
    """
    from oslo_config import cfg
    from oslo_policy import opts as policy_opts
    from oslo_policy import policy as oslo_policy

    rules = dict(default_rules())
    if path:
        rules.update(_read_overrides(path))
    conf = cfg.ConfigOpts()
    conf([])  # no command line: oslo.config would read sys.argv
    policy_opts.set_defaults(conf)
    return oslo_policy.Enforcer(conf, rules=oslo_policy.Rules.from_dict(rules), use_conf=False)


def _read_overrides(path):
    """``{name: check string}`` of an overrides file; a broken one is logged and ignored.

    Ignoring it leaves the shipped defaults, the strictest rules the plugin has.
    """
    try:
        with open(path, encoding="utf-8") as overrides:
            data = yaml.safe_load(overrides) or {}
        if not isinstance(data, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in data.items()
        ):
            raise ValueError("not a mapping of rule names to check strings")
    except (OSError, ValueError, yaml.YAMLError) as error:
        LOG.error("Event Viewer: policy file %s ignored (defaults apply): %s", path, error)
        return {}
    return data
