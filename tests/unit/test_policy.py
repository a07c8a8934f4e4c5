"""The plugin's policy rules: shipped defaults, operator overrides, and failing closed.

Horizon's ``policy.check`` allows any scope it has no rules for (and every rule
with no ``POLICY_CHECK_FUNCTION``); ``event_viewer.policy.allows`` must deny
whatever its rules do not allow in each of those cases.
"""

import logging
import os
from unittest import mock

import pytest
import yaml
from django.conf import settings
from openstack_auth import policy as auth_policy
from openstack_auth import utils as auth_utils
from openstack_dashboard import policy as horizon_policy
from openstack_dashboard.test import helpers as horizon_helpers

from event_viewer import events, policy
from tests.unit import helpers
from tests.unit.policy_files import policy_overrides

RULES = (
    policy.VIEW_OPERATOR_DETAILS,
    policy.DELETE_SERVICE_EVENTS,
    policy.DELETE_PROJECT_SERVICE_EVENTS,
    policy.DELETE_SERVICE_REPORTS,
    policy.MANAGE_CATALOGUE,
)
HORIZON_CHECK = "openstack_auth.policy.check"


class HorizonEngine:
    """Horizon's own policy engine, built afresh under the settings of the test."""

    def setUp(self):
        super().setUp()
        auth_policy.reset()
        self.addCleanup(auth_policy.reset)


# Horizon's engine loads its own copy of Nova's default rules, which oslo.policy
# calls incomplete (not ours; understood).
HORIZONS_NOVA_DEFAULTS = pytest.mark.filterwarnings(
    "ignore:.*deprecated without deprecated_reason:DeprecationWarning:oslo_policy.policy"
)


@HORIZONS_NOVA_DEFAULTS
class MemberTests(HorizonEngine, helpers.TestCase):
    def allowed(self):
        return {name: policy.allows(self.request, name) for name in RULES}

    def test_by_default_members_are_allowed_nothing(self):
        self.assertEqual({name: False for name in RULES}, self.allowed())

    def test_with_horizons_engine_and_the_registered_scope_too(self):
        with self.settings(POLICY_CHECK_FUNCTION=HORIZON_CHECK):
            self.assertIn(policy.SCOPE, auth_policy._get_enforcer())
            self.assertEqual({name: False for name in RULES}, self.allowed())

    def test_a_scope_horizon_does_not_know_is_denied_not_allowed(self):
        # What a deployment gets that replaced POLICY_FILES after the plugin registered.
        others = {k: v for k, v in settings.POLICY_FILES.items() if k != policy.SCOPE}
        defaults = {k: v for k, v in settings.DEFAULT_POLICY_FILES.items() if k != policy.SCOPE}
        with self.settings(
            POLICY_CHECK_FUNCTION=HORIZON_CHECK,
            POLICY_FILES=others,
            DEFAULT_POLICY_FILES=defaults,
        ):
            # Horizon itself allows it...
            self.assertTrue(
                horizon_policy.check(policy.rule(policy.VIEW_OPERATOR_DETAILS), self.request)
            )
            # ...the plugin does not.
            self.assertEqual({name: False for name in RULES}, self.allowed())

    def test_without_any_policy_check_function_the_defaults_still_apply(self):
        with self.settings(POLICY_CHECK_FUNCTION=None):
            self.assertTrue(
                horizon_policy.check(policy.rule(policy.MANAGE_CATALOGUE), self.request)
            )
            self.assertEqual({name: False for name in RULES}, self.allowed())

    def test_an_operator_override_lets_members_do_it(self):
        with policy_overrides(
            delete_project_service_events="role:member", view_operator_details="role:member"
        ):
            allowed = self.allowed()
            with self.settings(POLICY_CHECK_FUNCTION=HORIZON_CHECK):
                auth_policy.reset()
                through_horizon = self.allowed()
        for result in (allowed, through_horizon):
            self.assertTrue(result[policy.DELETE_PROJECT_SERVICE_EVENTS])
            self.assertTrue(result[policy.VIEW_OPERATOR_DETAILS])
            self.assertFalse(result[policy.DELETE_SERVICE_EVENTS])

    def test_a_broken_override_file_leaves_the_defaults(self):
        with policy_overrides() as path:
            with open(path, "w", encoding="utf-8") as broken:
                broken.write("event_viewer:view_operator_details: [not, a, check\n")
            with self.assertLogs("event_viewer.policy", logging.ERROR):
                self.assertFalse(policy.allows(self.request, policy.VIEW_OPERATOR_DETAILS))

    def test_an_engine_that_fails_denies(self):
        with (
            mock.patch.object(policy, "_own_check", side_effect=RuntimeError("boom")),
            self.assertLogs("event_viewer.policy", logging.ERROR),
        ):
            self.assertFalse(policy.allows(self.request, policy.VIEW_OPERATOR_DETAILS))

    def test_an_anonymous_request_is_denied(self):
        self.request.user = mock.Mock(is_authenticated=False)
        self.assertFalse(policy.allows(self.request, policy.VIEW_OPERATOR_DETAILS))

    def test_an_unknown_rule_name_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            policy.allows(self.request, "event_viewer:view_everything")


@HORIZONS_NOVA_DEFAULTS
class AdminTests(HorizonEngine, horizon_helpers.BaseAdminViewTests):
    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)

    def allowed(self):
        return {name: policy.allows(self.request, name) for name in RULES}

    def test_by_default_admins_may_all_but_delete_in_the_project_panel(self):
        expected = {name: True for name in RULES}
        expected[policy.DELETE_PROJECT_SERVICE_EVENTS] = False
        self.assertEqual(expected, self.allowed())
        with self.settings(POLICY_CHECK_FUNCTION=HORIZON_CHECK):
            self.assertEqual(expected, self.allowed())

    def test_an_operator_override_can_deny_admins_too(self):
        with policy_overrides(view_operator_details="!", delete_service_events="!"):
            for check_function in (None, HORIZON_CHECK):
                with self.subTest(check_function=check_function):
                    auth_policy.reset()
                    with self.settings(POLICY_CHECK_FUNCTION=check_function):
                        allowed = self.allowed()
                    self.assertFalse(allowed[policy.VIEW_OPERATOR_DETAILS])
                    self.assertFalse(allowed[policy.DELETE_SERVICE_EVENTS])
                    self.assertTrue(allowed[policy.DELETE_SERVICE_REPORTS])

    def test_an_edited_override_file_is_read_again(self):
        with policy_overrides(view_operator_details="!") as path:
            self.assertFalse(policy.allows(self.request, policy.VIEW_OPERATOR_DETAILS))
            with open(path, "w", encoding="utf-8") as overrides:
                yaml.safe_dump({policy.VIEW_OPERATOR_DETAILS: "role:admin"}, overrides)
            os.utime(path, ns=(1, 10**18))  # a different mtime, however fast the test
            self.assertTrue(policy.allows(self.request, policy.VIEW_OPERATOR_DETAILS))


class RegistrationTests(helpers.TestCase):
    def test_the_app_registers_its_files_in_horizons_settings(self):
        self.assertEqual(policy.OVERRIDES_FILE_NAME, settings.POLICY_FILES[policy.SCOPE])
        self.assertEqual(policy.DEFAULTS_FILE, settings.DEFAULT_POLICY_FILES[policy.SCOPE])
        self.assertTrue(os.path.isabs(policy.DEFAULTS_FILE))

    def test_an_operators_own_entries_are_kept(self):
        with self.settings(POLICY_FILES={policy.SCOPE: "/etc/mine.yaml"}, DEFAULT_POLICY_FILES={}):
            policy.register()
            self.assertEqual("/etc/mine.yaml", settings.POLICY_FILES[policy.SCOPE])
            self.assertEqual(policy.DEFAULTS_FILE, settings.DEFAULT_POLICY_FILES[policy.SCOPE])

    def test_the_removed_setting_is_reported(self):
        with (
            self.settings(EVENT_VIEWER_MEMBERS_DELETE_SERVICE_EVENTS=True),
            self.assertLogs("event_viewer.policy", logging.WARNING) as logs,
        ):
            policy.register()
        self.assertIn(policy.DELETE_PROJECT_SERVICE_EVENTS, "\n".join(logs.output))

    def test_the_shipped_files_name_every_rule_in_horizons_format(self):
        with open(policy.DEFAULTS_FILE, encoding="utf-8") as defaults:
            entries = yaml.safe_load(defaults)
        self.assertEqual(set(RULES), {entry["name"] for entry in entries})
        for entry in entries:
            self.assertTrue(entry["description"])
            self.assertIn("scope_types", entry)
        with open(os.path.join(policy.CONF_DIR, policy.OVERRIDES_FILE_NAME)) as sample:
            text = sample.read()
        self.assertEqual({}, yaml.safe_load(text) or {})  # all commented out
        for name in RULES:
            self.assertIn(f'#"{name}"', text)

    def test_the_package_ships_the_policy_files(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        with open(os.path.join(root, "MANIFEST.in"), encoding="utf-8") as manifest:
            self.assertIn("recursive-include event_viewer/conf *.yaml", manifest.read())


class GenericSummaryTests(helpers.TestCase):
    def test_texts_made_from_the_event_type_and_outcome(self):
        for event_type, outcome, expected in (
            ("scheduler.create_volume", "fail", "Volume create failed"),
            ("volume.create.end", "pass", "Volume create succeeded"),
            ("volume.delete.start", "in_progress", "Volume delete in progress"),
            ("compute.instance.create.error", "fail", "Server create failed"),
            ("compute_task.build_instances", "fail", "Server build failed"),
            ("compute_task.build_instances.error", "fail", "Server build failed"),
            ("instance.power_off.end", "pass", "Server power off succeeded"),
            ("trove.instance.create", "fail", "Database instance create failed"),
            ("libvirt.connect.error", "fail", "Operation failed"),
            ("", "", "Operation failed"),
        ):
            with self.subTest(event_type=event_type):
                self.assertEqual(expected, str(events.generic_summary(event_type, outcome)))

    def test_nothing_of_the_event_type_but_known_words(self):
        text = str(events.generic_summary("volume.create_<script>secret-host-7", "fail"))
        self.assertEqual("Volume create failed", text)
