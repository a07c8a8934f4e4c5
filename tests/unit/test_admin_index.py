"""Admin -> Event Viewer: all projects, admin filters, the admin-only stack trace."""

import datetime
from unittest import mock

from django.urls import reverse
from openstack_auth import utils as auth_utils
from openstack_dashboard.test import helpers as horizon_helpers

from event_viewer import filters
from tests.unit import fakes, helpers
from tests.unit.policy_files import policy_overrides

ADMIN_INDEX_URL = reverse("horizon:admin:event_viewer:index")
FILTER_PARAM = "admin_events__filter__q"
PROJECTS = {"p-alpha": "alpha", "p-beta": "beta"}
TRACE = "Traceback (most recent call last):\n  File x\nPollTimeOut: SECRET-TRACE"


def admin_detail_url(ref):
    return reverse("horizon:admin:event_viewer:detail", args=(ref,))


class AdminTestCase(horizon_helpers.BaseAdminViewTests):
    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)

    def get(self, url, messages=(), instances=(), data=None, method="get"):
        self.messages = fakes.FakeMessagesClient(messages)
        self.instances = fakes.FakeInstancesClient(instances)
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", self.messages),
            mock.patch("event_viewer.api.trove.InstancesClient", self.instances),
            mock.patch("event_viewer.api.keystone.project_names", return_value=PROJECTS) as ks,
            mock.patch("event_viewer.api.keystone.user_names", return_value={}) as users,
            mock.patch("event_viewer.sources.resource_status", return_value="ERROR"),
        ):
            response = getattr(self.client, method)(url, data or {})
        self.keystone_calls = ks.call_count
        self.user_name_calls = users.call_count
        return response

    def set_filter(self, field, value):
        self.get(
            ADMIN_INDEX_URL,
            method="post",
            data={FILTER_PARAM: value, FILTER_PARAM + "_field": field},
        )


class AdminIndexTests(AdminTestCase):
    def test_admin_sees_every_project_with_names_resolved_once_per_page(self):
        faults = [
            fakes.trove_instance("boom a", tenant_id="p-alpha", server={"host": "node-1"}),
            fakes.trove_instance("boom b", tenant_id="p-beta", server={"host": "node-2"}),
        ]
        response = self.get(ADMIN_INDEX_URL, [fakes.cinder_message()], faults)
        self.assertEqual(200, response.status_code)
        self.assertTrue(self.messages.all_projects)
        self.assertTrue(self.instances.all_projects)
        self.assertContains(response, "alpha")
        self.assertContains(response, "node-2")
        self.assertEqual(1, self.keystone_calls)
        # No row has a user (Cinder and Trove record none): no Keystone call for names.
        self.assertEqual(0, self.user_name_calls)
        self.assertNotContains(response, "SECRET-TRACE")

    def test_project_filter_by_name_becomes_the_cinder_project_id_filter(self):
        self.set_filter("project", "beta")
        faults = [
            fakes.trove_instance("a", tenant_id="p-alpha"),
            fakes.trove_instance("b", tenant_id="p-beta"),
        ]
        response = self.get(ADMIN_INDEX_URL, [fakes.cinder_message()], faults)
        self.assertEqual({"project_id": "p-beta"}, self.messages.calls[0]["filters"])
        rows = response.context["table"].data
        self.assertEqual({"p-beta"}, {e.project_id for e in rows})
        self.assertEqual({"beta"}, {e.project_name for e in rows})

    def test_unknown_project_is_explained(self):
        self.set_filter("project", "gamma")
        response = self.get(ADMIN_INDEX_URL, [fakes.cinder_message()])
        self.assertContains(response, "No single project is named or has the ID gamma")
        self.assertEqual([], self.messages.calls)

    def test_host_filter_skips_cinder_which_has_no_hosts_and_says_so(self):
        self.set_filter("host", "node-2")
        faults = [
            fakes.trove_instance("a", server={"host": "node-1"}),
            fakes.trove_instance("b", server={"host": "node-2"}),
        ]
        response = self.get(ADMIN_INDEX_URL, [fakes.cinder_message()], faults)
        self.assertEqual([], self.messages.calls)
        self.assertEqual(["node-2"], [e.host for e in response.context["table"].data])
        self.assertContains(response, "carry no host or user")

    def test_time_range_is_applied_and_stops_reading_past_it(self):
        self.set_filter("time", "2026-11-22T11:55..2026-11-22T11:58")
        messages = fakes.cinder_messages_newest_first(10)  # 12:00, 11:59, ... 11:51
        response = self.get(ADMIN_INDEX_URL, messages)
        times = [e.created_at.strftime("%H:%M") for e in response.context["table"].data]
        self.assertEqual(["11:58", "11:57", "11:56", "11:55"], times)

    def test_outcome_pass_finds_no_failures(self):
        self.set_filter("outcome", "pass")
        response = self.get(ADMIN_INDEX_URL, [fakes.cinder_message()], [fakes.trove_instance("x")])
        self.assertEqual([], response.context["table"].data)


class AdminDetailTests(AdminTestCase):
    def test_admin_sees_the_stack_trace_and_the_bug_report(self):
        instance = fakes.trove_instance(
            "Polling request timed out.",
            details=TRACE,
            tenant_id="p-alpha",
            server={"host": "node-1"},
        )
        response = self.get(admin_detail_url(f"trove:{instance.id}"), [], [instance])
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "SECRET-TRACE", count=2)  # the pane and the report
        self.assertContains(response, "Copy for bug report")
        self.assertContains(response, "Host: node-1")

    def test_trace_and_host_need_the_policy_rule_even_on_the_admin_url(self):
        instance = fakes.trove_instance("x", details=TRACE, server={"host": "node-1"})
        with policy_overrides(view_operator_details="!"):
            response = self.get(admin_detail_url(f"trove:{instance.id}"), [], [instance])
        self.assertEqual(200, response.status_code)
        self.assertNotContains(response, "SECRET-TRACE")
        self.assertNotContains(response, "node-1")


class MemberCannotUseTheAdminPanelTests(helpers.TestCase):
    def test_member_is_refused_and_no_source_is_asked(self):
        messages = fakes.FakeMessagesClient([fakes.cinder_message()])
        instances = fakes.FakeInstancesClient([fakes.trove_instance("x", details=TRACE)])
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", messages),
            mock.patch("event_viewer.api.trove.InstancesClient", instances),
        ):
            index = self.client.get(ADMIN_INDEX_URL)
            detail = self.client.get(admin_detail_url(f"trove:{instances.instances[0].id}"))
        for response in (index, detail):
            self.assertIn(response.status_code, (302, 403))
            self.assertNotIn(b"SECRET-TRACE", response.content)
        self.assertEqual([], messages.calls)
        self.assertEqual(0, instances.calls)

    def test_project_detail_never_renders_a_trace_even_if_the_api_returned_one(self):
        instance = fakes.trove_instance("x", details=TRACE)
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", fakes.FakeMessagesClient()),
            mock.patch(
                "event_viewer.api.trove.InstancesClient", fakes.FakeInstancesClient([instance])
            ),
            mock.patch("event_viewer.sources.resource_status", return_value="ERROR"),
        ):
            response = self.client.get(
                reverse("horizon:project:event_viewer:detail", args=(f"trove:{instance.id}",))
            )
        self.assertEqual(200, response.status_code)
        self.assertNotContains(response, "SECRET-TRACE")


class TimeRangeTests(helpers.TestCase):
    def test_dates_cover_whole_days_in_utc(self):
        since, until = filters.time_range("2026-11-21..2026-11-21")
        self.assertEqual(datetime.datetime(2026, 11, 21, tzinfo=datetime.UTC), since)
        self.assertEqual(
            datetime.datetime(2026, 11, 21, 23, 59, 59, 999999, tzinfo=datetime.UTC), until
        )

    def test_open_ends_and_bad_ranges(self):
        self.assertEqual((None, None), filters.time_range(".."))
        with self.assertRaisesRegex(filters.InvalidFilter, "ends before it starts"):
            filters.time_range("2026-11-22..2026-11-21")
        with self.assertRaisesRegex(filters.InvalidFilter, "FROM..TO"):
            filters.time_range("yesterday")


class ByHostTests(AdminTestCase):
    def test_counts_failures_per_host_and_links_to_the_filtered_table(self):
        faults = [
            fakes.trove_instance("a", server={"host": "node-1"}),
            fakes.trove_instance("b", server={"host": "node-1"}),
            fakes.trove_instance("c", server={"host": "node-2"}),
        ]
        response = self.get(
            reverse("horizon:admin:event_viewer:by_host"), [fakes.cinder_message()], faults
        )
        self.assertEqual(200, response.status_code)
        hosts = {row["host"]: row["count"] for row in response.context["hosts"]}
        self.assertEqual({"node-1": 2, "node-2": 1, "": 1}, hosts)
        self.assertContains(response, "?filter_field=host&amp;filter=node-1")
        self.assertContains(response, "unknown (the source records no host)")

    def test_a_filter_link_sets_the_filter(self):
        faults = [
            fakes.trove_instance("a", server={"host": "node-1"}),
            fakes.trove_instance("b", server={"host": "node-2"}),
        ]
        response = self.get(f"{ADMIN_INDEX_URL}?filter_field=host&filter=node-2", [], faults)
        self.assertEqual(["node-2"], [e.host for e in response.context["table"].data])
        # By Host counts under the same filter.
        by_host = reverse("horizon:admin:event_viewer:by_host")
        self.assertContains(response, f'href="{by_host}?filter_field=host&amp;filter=node-2"')


class AdminResourceLinkTests(AdminTestCase):
    def test_resources_link_to_the_admin_dashboards_pages(self):
        message = fakes.cinder_message()
        response = self.get(ADMIN_INDEX_URL, [message])
        volume = message._info["resource_uuid"]
        self.assertContains(response, f'href="/admin/volumes/{volume}/"')
        self.assertNotContains(response, f'href="/project/volumes/{volume}/"')
