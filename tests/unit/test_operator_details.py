"""Members see no infrastructure: not in the table, the detail, the exports, nor an error.

A service event of the member's own project carries everything a service put
into its notification: the node's host name, the publisher id, the raw text
and class of the exception (with a database host and port in it), the stack
trace and the payload. These tests read the raw bytes a member can fetch.
"""

import csv
import io
import json
import logging
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import reverse
from openstack_auth import utils as auth_utils
from openstack_dashboard.test import helpers as horizon_helpers

from event_viewer.models import ServiceEvent
from tests.unit import fakes, helpers
from tests.unit.policy_files import policy_overrides
from tests.unit.rows import at, service_event

INDEX_URL = reverse("horizon:project:event_viewer:index")
ADMIN_INDEX_URL = reverse("horizon:admin:event_viewer:index")
SECRETS = (
    "secret-host-9",
    "scheduler.secret-host-9",
    "db-7.internal:3306",
    "SecretDriverError",
    "SECRET-TRACE",
    "SECRET-PAYLOAD",
)
RAW_SUMMARY = "Lost connection to db-7.internal:3306 while creating the volume"


def exports(prefix="project"):
    return [reverse(f"horizon:{prefix}:event_viewer:export", args=(f,)) for f in ("csv", "json")]


def detail_url(row, dashboard="project"):
    return reverse(f"horizon:{dashboard}:event_viewer:detail", args=(f"collector:{row.pk}",))


def refuse_connections(execute, sql, params, many, context):
    raise OperationalError('connection to server at "db-7.internal", port 5432 failed: refused')


class ViewsMixin:
    @pytest.fixture(autouse=True)
    def _caplog(self, caplog):
        self.caplog = caplog

    def get(self, url, messages=(), data=None, method="get"):
        with (
            mock.patch(
                "event_viewer.api.cinder.MessagesClient", fakes.FakeMessagesClient(messages)
            ),
            mock.patch("event_viewer.api.trove.InstancesClient", fakes.FakeInstancesClient()),
            mock.patch("event_viewer.api.keystone.project_names", return_value={}),
            mock.patch("event_viewer.api.keystone.user_names", return_value={}),
            mock.patch("event_viewer.sources.resource_status", return_value=""),
        ):
            return getattr(self.client, method)(url, data or {})

    def failed_operation(self, **fields):
        return service_event(
            host="secret-host-9",
            publisher_id="scheduler.secret-host-9",
            summary=RAW_SUMMARY,
            exception="SecretDriverError",
            traceback="Traceback ...\nSECRET-TRACE",
            payload='{"note": "SECRET-PAYLOAD"}',
            **fields,
        )


class MemberTests(ViewsMixin, helpers.TestCase):
    def setUp(self):
        super().setUp()
        self.row = self.failed_operation(project_id=self.request.user.project_id)
        self.passed = service_event(
            project_id=self.request.user.project_id,
            event_type="volume.delete.end",
            outcome="pass",
            summary="volume 42 deleted on secret-host-9",
            created_at=at(1),
        )

    def row_id(self):
        return f"collector:{self.row.pk}"

    def test_no_page_or_export_a_member_fetches_names_infrastructure(self):
        pages = [INDEX_URL, detail_url(self.row), detail_url(self.passed), *exports()]
        for url in pages:
            with self.subTest(url=url):
                response = self.get(url)
                self.assertEqual(200, response.status_code)
                body = response.content.decode()
                for secret in (*SECRETS, RAW_SUMMARY, "volume 42 deleted"):
                    self.assertNotIn(secret, body)

    def test_the_summary_is_a_generic_text_of_the_event_type_and_outcome(self):
        table = self.get(INDEX_URL)
        summaries = {e.id: e.summary for e in table.context["table"].data}
        self.assertEqual("Volume create failed", summaries[f"collector:{self.row.pk}"])
        self.assertEqual("Volume delete succeeded", summaries[f"collector:{self.passed.pk}"])
        self.assertContains(self.get(detail_url(self.row)), "Volume create failed")
        rows = list(csv.DictReader(io.StringIO(self.get(exports()[0]).content.decode())))
        self.assertIn("Volume create failed", [r["summary"] for r in rows])
        listed = json.loads(self.get(exports()[1]).content)
        self.assertIn("Volume delete succeeded", [r["summary"] for r in listed])

    def test_summary_text_matches_what_the_member_sees_not_the_raw_text(self):
        # Else "which raw texts contain X?" would answer from text members may not read.
        def shown(text):
            response = self.get(f"{INDEX_URL}?filter_field=text&filter={text}")
            return [e.id for e in response.context["table"].data]

        self.assertEqual([], shown("db-7.internal"))
        self.assertEqual([f"collector:{self.row.pk}"], shown("create failed"))

    @policy_overrides(delete_project_service_events="role:member")
    def test_delete_all_matching_counts_what_the_member_sees_not_the_raw_text(self):
        # A member allowed to delete but not to read raw text: the count of the
        # confirmation must not answer "which raw texts contain X?" either.
        matching = reverse("horizon:project:event_viewer:delete_matching")

        def counted(text):
            response = self.get(f"{matching}?filter_field=text&filter={text}")
            self.assertEqual(200, response.status_code)
            return response.context["count"]

        self.assertEqual(0, counted("db-7.internal"))
        self.assertEqual(1, counted("create failed"))

    def test_a_database_error_names_no_host_to_members_but_is_logged_in_full(self):
        with (
            self.caplog.at_level(logging.WARNING, logger="event_viewer"),
            connection.execute_wrapper(refuse_connections),
        ):
            response = self.get(INDEX_URL, [fakes.cinder_message()])
        self.assertEqual(200, response.status_code)
        self.assertContains(
            response, "Service events: the Event Viewer&#x27;s database is not reachable."
        )
        self.assertNotIn(b"db-7.internal", response.content)
        self.assertNotIn(b"5432", response.content)
        self.assertIn("db-7.internal", self.caplog.text)

    def test_cinder_and_trove_texts_are_kept_they_are_written_for_users(self):
        message = fakes.cinder_message(user_message="schedule allocate volume:No backend.")
        response = self.get(INDEX_URL, [message])
        self.assertContains(response, "schedule allocate volume:No backend.")

    @policy_overrides(view_operator_details="role:member")
    def test_an_operator_may_let_members_see_it_all(self):
        response = self.get(detail_url(self.row))
        for secret in ("secret-host-9", "SecretDriverError", "SECRET-TRACE"):
            self.assertContains(response, secret)
        self.assertContains(response, "db-7.internal:3306")

    @override_settings(EVENT_VIEWER_MEMBERS_DELETE_SERVICE_EVENTS=True)
    def test_the_removed_setting_no_longer_lets_members_delete(self):
        page = self.get(INDEX_URL)
        self.assertNotContains(page, f'value="{self.row_id()}"')
        self.get(
            INDEX_URL,
            data={"action": "events__delete_service_events", "object_ids": [self.row_id()]},
            method="post",
        )
        self.assertTrue(ServiceEvent.objects.filter(pk=self.row.pk).exists())


class AdminTests(ViewsMixin, horizon_helpers.BaseAdminViewTests):
    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)
        self.row = self.failed_operation(project_id="1")

    def test_admins_see_the_raw_text_the_exception_class_and_the_host(self):
        response = self.get(detail_url(self.row, "admin"))
        for text in ("secret-host-9", "scheduler.secret-host-9", "SecretDriverError", RAW_SUMMARY):
            self.assertContains(response, text)
        self.assertContains(response, '<dd class="event-exception">SecretDriverError</dd>')
        listing = self.get(ADMIN_INDEX_URL)
        self.assertContains(listing, RAW_SUMMARY)
        self.assertContains(listing, "secret-host-9")

    def test_admins_read_the_database_errors_reason(self):
        with connection.execute_wrapper(refuse_connections):
            response = self.get(ADMIN_INDEX_URL)
        self.assertContains(response, "port 5432 failed: refused")

    def test_by_host_needs_the_rule(self):
        with policy_overrides(view_operator_details="!"):
            response = self.get(reverse("horizon:admin:event_viewer:by_host"))
            listing = self.get(ADMIN_INDEX_URL)
        self.assertEqual(403, response.status_code)
        self.assertNotIn(b"secret-host-9", response.content)
        self.assertNotContains(listing, "admin_events__action_by_host")
