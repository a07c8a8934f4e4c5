"""Service events in both panels: table, detail, deletes, errors, with real rows in the test DB.

Cinder and Trove are faked at the ``event_viewer.api`` boundary (empty unless
a test says otherwise); the store is the test database itself.
"""

import logging
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from openstack_auth import utils as auth_utils
from openstack_dashboard.test import helpers as horizon_helpers

from event_viewer import paging
from event_viewer.api.errors import SourceError
from event_viewer.models import ServiceEvent
from tests.unit import fakes, helpers
from tests.unit.policy_files import policy_overrides
from tests.unit.rows import NotMigratedServiceEvent, at, service_event, without_a_database

INDEX_URL = reverse("horizon:project:event_viewer:index")
MATCHING_URL = reverse("horizon:project:event_viewer:delete_matching")
ADMIN_INDEX_URL = reverse("horizon:admin:event_viewer:index")
ADMIN_MATCHING_URL = reverse("horizon:admin:event_viewer:delete_matching")
OTHER_PROJECT = "2"


def confirmation(response):
    """The signed confirmation token of a Delete All Matching form."""
    return response.context["form"]["confirmation"].value()


TRACE = "Traceback (most recent call last):\n  File x\nNoValidBackend: SECRET-TRACE"
PAYLOAD = '{"volume_id": "v-1", "note": "SECRET-PAYLOAD <script>alert(3)</script>"}'


def detail_url(row, dashboard="project"):
    return reverse(f"horizon:{dashboard}:event_viewer:detail", args=(f"collector:{row.pk}",))


def refuse_connections(execute, sql, params, many, context):
    """What a stopped database server answers, for every statement of this connection."""
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


class PanelTestMixin:
    @pytest.fixture(autouse=True)
    def _caplog(self, caplog):
        self.caplog = caplog

    user_names = {"u-alice": "alice", "u-bob": "bob"}

    def get(self, url, messages=(), data=None, method="get"):
        self.messages = fakes.FakeMessagesClient(messages)
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", self.messages),
            mock.patch("event_viewer.api.trove.InstancesClient", fakes.FakeInstancesClient()),
            mock.patch("event_viewer.api.keystone.project_names", return_value={"1": "alpha"}),
            mock.patch(
                "event_viewer.api.keystone.user_names",
                side_effect=lambda request: self.user_names_or_raise(),
            ) as users,
            # Another API call (Cinder's volume); not under test here.
            mock.patch("event_viewer.sources.resource_status", return_value=""),
        ):
            response = getattr(self.client, method)(url, data or {})
        self.user_name_calls = users.call_count
        return response

    def user_names_or_raise(self):
        if isinstance(self.user_names, Exception):
            raise self.user_names
        return self.user_names

    def rows(self, response):
        return [e.id for e in response.context["table"].data]

    def errors(self, response):
        return [str(m) for m in response.wsgi_request._messages if m.level_tag == "error"]

    def remaining(self):
        return set(ServiceEvent.objects.values_list("pk", flat=True))


class ProjectPanelTests(PanelTestMixin, helpers.TestCase):
    def setUp(self):
        super().setUp()
        self.project = self.request.user.project_id
        self.mine = service_event(project_id=self.project, traceback=TRACE, payload=PAYLOAD)
        self.theirs = service_event(project_id=OTHER_PROJECT, created_at=at(1))
        self.nobodys = service_event(project_id="", created_at=at(2))

    def test_the_table_lists_the_projects_service_events_with_their_outcome(self):
        passed = service_event(project_id=self.project, outcome="pass", created_at=at(3))
        response = self.get(INDEX_URL)
        self.assertEqual(
            [f"collector:{self.mine.pk}", f"collector:{passed.pk}"], self.rows(response)
        )
        self.assertContains(response, "Service events")
        self.assertContains(response, "scheduler.create_volume")
        self.assertIn("outcome", response.context["table"].columns)
        self.assertNotContains(response, "SECRET-TRACE")
        self.assertNotContains(response, "SECRET-PAYLOAD")

    @policy_overrides(view_operator_details="role:member")
    def test_service_text_is_escaped_in_the_table_and_the_detail(self):
        # Members see the raw summary here only because the operator allowed it.
        row = service_event(
            project_id=self.project,
            summary="<script>alert(1)</script>",
            resource_name="<script>alert(2)</script>",
        )
        for url in (INDEX_URL, detail_url(row)):
            with self.subTest(url=url):
                response = self.get(url)
                self.assertNotContains(response, "<script>alert(1)</script>")
                self.assertNotContains(response, "<script>alert(2)</script>")
                self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
                self.assertContains(response, "&lt;script&gt;alert(2)&lt;/script&gt;")

    def test_detail_shows_every_field_but_no_operator_detail(self):
        row = service_event(
            project_id=self.project,
            traceback=TRACE,
            payload=PAYLOAD,
            exception="NoValidBackend_Remote",
            global_request_id="req-global-1",
            user_id="u-alice",
            host="node-7",
            publisher_id="scheduler.node-7",
        )
        response = self.get(detail_url(row))
        self.assertEqual(200, response.status_code)
        for text in (
            "Volume create failed",
            "scheduler.create_volume",
            row.request_id,
            "req-global-1",
            "u-alice",
            "vol-a",
            row.resource_id,
            "fail",
        ):
            self.assertContains(response, text)
        for text in (b"SECRET-TRACE", b"SECRET-PAYLOAD", b"NoValidBackend", b"node-7"):
            self.assertNotIn(text, response.content)
        self.assertNotIn(b"No valid backend was found.", response.content)
        self.assertNotContains(response, "Stack trace")
        self.assertFalse(response.context["event"].traceback)
        self.assertFalse(response.context["event"].payload)

    def test_the_detail_links_to_every_event_of_its_request(self):
        message = fakes.cinder_message(request_id=self.mine.request_id)
        detail = self.get(detail_url(self.mine), [message])
        link = detail.context["request_url"]
        self.assertEqual(f"{INDEX_URL}?filter_field=request_id&filter={self.mine.request_id}", link)
        self.assertContains(detail, f'href="{link.replace("&", "&amp;")}"')
        # Following it: Cinder is asked for that request's messages, the store
        # finds this event among the project's others, and the filter box says so.
        table = self.get(link, [message])
        box = table.context["table"]._meta._filter_action
        shown = (box.filter_field, box.filter_string)
        self.assertEqual(("request_id", self.mine.request_id), shown)
        self.assertEqual(
            {f"cinder:{message.id}", f"collector:{self.mine.pk}"}, set(self.rows(table))
        )
        self.assertEqual(
            [{"request_id": self.mine.request_id}], [c["filters"] for c in self.messages.calls]
        )

    def test_the_detail_links_only_filters_the_panel_has_and_values_they_take(self):
        row = service_event(
            project_id=self.project, host="node-7", global_request_id="not-a-request-id"
        )
        context = self.get(detail_url(row)).context
        self.assertIsNone(context["host_url"])  # members have no host filter
        self.assertIsNone(context["global_request_url"])
        self.assertIn("filter_field=event_id", context["event_id_url"])

    def test_another_projects_or_no_projects_event_is_not_found(self):
        for row in (self.theirs, self.nobodys):
            with self.subTest(project=row.project_id):
                self.assertEqual(404, self.get(detail_url(row)).status_code)
        for ref in ("collector:abc", "collector:0", "collector:999999"):
            url = reverse("horizon:project:event_viewer:detail", args=(ref,))
            with self.subTest(ref=ref):
                self.assertEqual(404, self.get(url).status_code)

    def test_an_unreachable_database_is_shown_and_logged_and_cinder_still_renders(self):
        message = fakes.cinder_message(user_message="Cinder still answers.")
        with (
            self.caplog.at_level(logging.WARNING, logger="event_viewer"),
            connection.execute_wrapper(refuse_connections),
        ):
            response = self.get(INDEX_URL, [message])
        self.assertEqual(200, response.status_code)
        self.assertEqual([f"cinder:{message.id}"], self.rows(response))
        # Members read that it is down, never the driver's text (host and port).
        self.assertContains(
            response, "Service events: the Event Viewer&#x27;s database is not reachable."
        )
        self.assertNotIn(b"127.0.0.1", response.content)
        self.assertNotIn(b"5432", response.content)
        logged = [r for r in self.caplog.records if r.name.startswith("event_viewer")]
        self.assertTrue(
            any("source collector failed" in r.getMessage() for r in logged), self.caplog.text
        )
        self.assertIn("port 5432 failed: refused", self.caplog.text)

    def test_a_database_that_was_not_migrated_says_how_to_fix_it(self):
        with mock.patch("event_viewer.api.store.ServiceEvent", NotMigratedServiceEvent):
            response = self.get(INDEX_URL, [fakes.cinder_message()])
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "python -m django migrate event_viewer")
        self.assertEqual(1, len(self.rows(response)))

    def test_without_a_database_the_source_is_simply_absent(self):
        with without_a_database():
            response = self.get(INDEX_URL, [fakes.cinder_message()])
            detail = self.get(detail_url(self.mine))
        self.assertEqual(["cinder"], [e.split(":")[0] for e in self.rows(response)])
        self.assertEqual([], self.errors(response))
        self.assertEqual(404, detail.status_code)

    def test_an_edited_store_cursor_is_explained(self):
        marker = paging.Marker({"collector": "not-a-cursor"}).encode()
        response = self.get(f"{INDEX_URL}?marker={marker}")
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "That page link is not valid")


class AdminPanelTests(PanelTestMixin, horizon_helpers.BaseAdminViewTests):
    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)
        self.alpha = service_event(project_id="1", user_id="u-alice", host="node-1")
        self.beta = service_event(
            project_id=OTHER_PROJECT, user_id="u-bob", host="node-2", created_at=at(1)
        )
        self.passed = service_event(project_id="", outcome="pass", host="node-2", created_at=at(2))

    def test_the_admin_table_has_every_project_with_user_and_outcome(self):
        response = self.get(ADMIN_INDEX_URL)
        self.assertEqual(
            [f"collector:{r.pk}" for r in (self.alpha, self.beta, self.passed)], self.rows(response)
        )
        columns = response.context["table"].columns
        self.assertIn("user", columns)
        self.assertIn("outcome", columns)
        self.assertEqual(
            ["alice", "bob", "alice"],
            [columns["user"].get_data(e) for e in response.context["table"].data],
        )
        self.assertEqual(1, self.user_name_calls)  # once per page, not per row
        self.assertContains(response, "alpha")  # project names resolved

    def test_a_user_is_filtered_by_name_or_id(self):
        for value in ("bob", "u-bob"):
            with self.subTest(value=value):
                self.set_admin_filter("user", value)
                rows = self.rows(self.get(ADMIN_INDEX_URL))
                self.assertEqual([f"collector:{self.beta.pk}"], rows)

    def test_an_unknown_user_is_explained(self):
        self.set_admin_filter("user", "carol")
        response = self.get(ADMIN_INDEX_URL)
        self.assertEqual([], self.rows(response))
        self.assertContains(response, "No single user is named or has the ID carol")

    def test_without_keystone_users_show_their_ids_and_an_id_filter_still_works(self):
        self.user_names = SourceError("keystone", "Identity (Keystone) did not list users: 503")
        self.set_admin_filter("user", "u-bob")
        with self.assertLogs("event_viewer", "WARNING") as logs:
            response = self.get(ADMIN_INDEX_URL)
        self.assertEqual([f"collector:{self.beta.pk}"], self.rows(response))
        self.assertEqual(
            "u-bob",
            response.context["table"].columns["user"].get_data(response.context["table"].data[0]),
        )
        self.assertContains(response, "did not list users: 503")
        self.assertIn("did not list users: 503", "\n".join(logs.output))

    def test_the_admin_detail_names_the_user(self):
        response = self.get(detail_url(self.alpha, "admin"))
        self.assertContains(response, "alice (u-alice)")

    def test_admin_detail_shows_the_trace_and_the_escaped_payload(self):
        row = service_event(traceback=TRACE, payload=PAYLOAD)
        response = self.get(detail_url(row, "admin"))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "SECRET-TRACE", count=2)  # the pane and the bug report
        self.assertContains(response, '<pre class="event-payload"')
        self.assertContains(response, "SECRET-PAYLOAD &lt;script&gt;alert(3)&lt;/script&gt;")
        self.assertNotContains(response, "<script>alert(3)</script>")

    def test_operator_details_need_the_policy_rule_even_on_the_admin_url(self):
        row = service_event(traceback=TRACE, payload=PAYLOAD, host="node-7", summary="RAW-TEXT")
        with policy_overrides(view_operator_details="!"):
            response = self.get(detail_url(row, "admin"))
            listing = self.get(ADMIN_INDEX_URL)
        for page in (response, listing):
            for text in (b"SECRET-TRACE", b"SECRET-PAYLOAD", b"node-7", b"RAW-TEXT"):
                self.assertNotIn(text, page.content)
        self.assertContains(response, "Volume create failed")

    def test_admins_delete_a_row_and_a_batch(self):
        response = self.get(
            ADMIN_INDEX_URL,
            method="post",
            data={"action": f"admin_events__delete_service_events__collector:{self.alpha.pk}"},
        )
        self.assertEqual(302, response.status_code)
        self.assertEqual({self.beta.pk, self.passed.pk}, self.remaining())
        self.get(
            ADMIN_INDEX_URL,
            method="post",
            data={
                "action": "admin_events__delete_service_events",
                "object_ids": [f"collector:{self.beta.pk}", f"collector:{self.passed.pk}"],
            },
        )
        self.assertEqual(set(), self.remaining())

    def set_admin_filter(self, field, value):
        self.get(
            ADMIN_INDEX_URL,
            method="post",
            data={"admin_events__filter__q": value, "admin_events__filter__q_field": field},
        )

    def test_admin_delete_all_matching_deletes_the_filtered_service_events(self):
        self.set_admin_filter("host", "node-2")
        response = self.get(ADMIN_MATCHING_URL)
        self.assertContains(response, "and 2 service events")
        self.get(ADMIN_MATCHING_URL, data={"confirmation": confirmation(response)}, method="post")
        self.assertEqual({self.alpha.pk}, self.remaining())

    def test_the_admin_detail_links_to_the_events_of_its_host(self):
        context = self.get(detail_url(self.alpha, "admin")).context
        self.assertEqual(f"{ADMIN_INDEX_URL}?filter_field=host&filter=node-1", context["host_url"])
        rows = self.rows(self.get(context["host_url"]))
        self.assertEqual([f"collector:{self.alpha.pk}"], rows)

    def test_by_host_counts_failed_service_events(self):
        service_event(project_id="1", host="node-1", created_at=at(5))
        response = self.get(reverse("horizon:admin:event_viewer:by_host"))
        hosts = {row["host"]: row["count"] for row in response.context["hosts"]}
        self.assertEqual({"node-1": 2, "node-2": 1}, hosts)  # the passed one is not a failure
