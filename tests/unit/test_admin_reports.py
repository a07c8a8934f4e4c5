"""Admin -> Event Viewer -> Service Reports: list, paging, filter, detail, access, escaping."""

import datetime
from unittest import mock

from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openstack_auth import utils as auth_utils
from openstack_dashboard.test import helpers as horizon_helpers

from event_viewer.models import ServiceReport
from tests.unit import fakes, helpers
from tests.unit.policy_files import policy_overrides
from tests.unit.rows import without_a_database

REPORTS_URL = reverse("horizon:admin:event_viewer:reports")
ADMIN_INDEX_URL = reverse("horizon:admin:event_viewer:index")
FILTER_PARAM = "service_reports__filter__q"
START = datetime.datetime(2026, 11, 22, 12, 0, 0, tzinfo=datetime.UTC)
SCRIPT = "<script>alert('report')</script>"


def detail_url(report):
    return reverse("horizon:admin:event_viewer:report_detail", args=(report.id,))


def store(service="nova-compute", host="node-1", minutes_ago=0, sections=None, **fields):
    fields.setdefault(
        "path", f"/var/lib/reports/{service}_{host}_{minutes_ago}_{ServiceReport.objects.count()}"
    )
    return ServiceReport.objects.create(
        service=service,
        host=host,
        created_at=START - datetime.timedelta(minutes=minutes_ago),
        sections=sections or [{"title": "Package", "body": "version = 1"}],
        size=2048,
        **fields,
    )


class AdminReportsTestCase(horizon_helpers.BaseAdminViewTests):
    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)

    def rows(self, response):
        return [(r.service, r.host, r.created_at) for r in response.context["table"].data]

    def set_filter(self, field, value):
        return self.client.post(REPORTS_URL, {FILTER_PARAM: value, FILTER_PARAM + "_field": field})


class ReportListTests(AdminReportsTestCase):
    def test_newest_first_with_service_host_time_and_size(self):
        store("nova-compute", "node-1", minutes_ago=5)
        store("cinder-volume", "node-2", minutes_ago=1)
        response = self.client.get(REPORTS_URL)
        self.assertEqual(200, response.status_code)
        self.assertEqual(["cinder-volume", "nova-compute"], [r[0] for r in self.rows(response)])
        self.assertContains(response, "node-2")
        self.assertContains(response, "2.0\xa0KB")

    @override_settings(API_RESULT_PAGE_SIZE=2)
    def test_next_and_prev_walk_the_pages_by_time_and_id(self):
        # Two reports share each minute: the id orders them.
        for minute in range(3):
            store("nova-compute", "node-1", minutes_ago=minute)
            store("nova-compute", "node-2", minutes_ago=minute)
        expected = [
            (r.service, r.host, r.created_at)
            for r in ServiceReport.objects.order_by("-created_at", "-id")
        ]
        first = self.client.get(REPORTS_URL)
        table = first.context["table"]
        self.assertEqual(expected[:2], self.rows(first))
        self.assertFalse(table.has_prev_data())
        self.assertTrue(table.has_more_data())

        second = self.client.get(f"{REPORTS_URL}?{table.get_pagination_string()}")
        self.assertEqual(expected[2:4], self.rows(second))
        third = self.client.get(f"{REPORTS_URL}?{second.context['table'].get_pagination_string()}")
        self.assertEqual(expected[4:], self.rows(third))
        self.assertFalse(third.context["table"].has_more_data())

        back = self.client.get(
            f"{REPORTS_URL}?{third.context['table'].get_prev_pagination_string()}"
        )
        self.assertEqual(expected[2:4], self.rows(back))
        first_again = self.client.get(
            f"{REPORTS_URL}?{back.context['table'].get_prev_pagination_string()}"
        )
        self.assertEqual(expected[:2], self.rows(first_again))
        self.assertFalse(first_again.context["table"].has_prev_data())

    @override_settings(API_RESULT_PAGE_SIZE=2)
    def test_a_page_asks_the_database_for_one_page_without_the_sections(self):
        for minute in range(50):
            store(minutes_ago=minute)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(REPORTS_URL)
        (sql,) = [q["sql"] for q in queries if "event_viewer_servicereport" in q["sql"]]
        self.assertIn("LIMIT 3", sql)  # page size + 1: is there a next page
        self.assertNotIn("sections", sql)

    def test_an_edited_page_link_starts_over_with_a_message(self):
        store()
        response = self.client.get(f"{REPORTS_URL}?marker=garbage", follow=True)
        self.assertEqual(1, len(response.context["table"].data))
        self.assertContains(response, "That page link is not valid")

    def test_page_links_that_parse_but_hold_nonsense_are_explained_never_a_500(self):
        store()
        for marker in (
            f"2026-11-22T10:00:00+00:00_{2**80}",  # an id past every integer column
            "0001-01-01T00:00:00+12:00_1",  # a time before the calendar in UTC
            "9999-12-31T23:59:59-12:00_1",  # and after it
            "2026-11-22T10:00:00_1",  # no time zone
            "x" * 5000,
        ):
            for param in ("marker", "prev_marker"):
                with self.subTest(param=param, marker=marker[:40]):
                    response = self.client.get(REPORTS_URL, {param: marker})
                    self.assertEqual(200, response.status_code)

    def test_filter_by_service_and_by_host(self):
        store("nova-compute", "node-1")
        store("nova-compute", "node-2", minutes_ago=1)
        store("cinder-volume", "node-2", minutes_ago=2)
        self.set_filter("service", "nova-compute")
        by_service = self.client.get(REPORTS_URL)
        self.assertEqual(
            [("nova-compute", "node-1"), ("nova-compute", "node-2")],
            [r[:2] for r in self.rows(by_service)],
        )
        self.set_filter("host", "node-2")
        by_host = self.client.get(REPORTS_URL)
        self.assertEqual(
            [("nova-compute", "node-2"), ("cinder-volume", "node-2")],
            [r[:2] for r in self.rows(by_host)],
        )

    def test_the_admin_event_table_links_to_the_reports(self):
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", fakes.FakeMessagesClient()),
            mock.patch("event_viewer.api.trove.InstancesClient", fakes.FakeInstancesClient()),
            mock.patch("event_viewer.api.keystone.project_names", return_value={}),
        ):
            response = self.client.get(ADMIN_INDEX_URL)
        self.assertContains(response, f'href="{REPORTS_URL}"')
        self.assertContains(response, "Service Reports")


class ReportDetailTests(AdminReportsTestCase):
    def test_every_section_in_order_as_a_collapsible_monospace_block(self):
        report = store(
            sections=[
                {"title": "Package", "body": "product = nova"},
                {"title": "Threads", "body": "------ Thread #1 ------"},
                {"title": "Configuration", "body": "default: \n  host = node-1"},
            ]
        )
        response = self.client.get(detail_url(report))
        self.assertEqual(200, response.status_code)
        content = response.content.decode()
        positions = [content.index(f"<strong>{t}</strong>") for t in ("Package", "Threads")]
        self.assertEqual(sorted(positions), positions)
        self.assertIn("<strong>Configuration</strong>", content)
        self.assertEqual(3, content.count('<details class="event-viewer-report-section"'))
        self.assertIn("<pre>default: \n  host = node-1</pre>", content)

    def test_report_text_is_escaped(self):
        report = store(service="nova<b>", sections=[{"title": SCRIPT, "body": f"value = {SCRIPT}"}])
        response = self.client.get(detail_url(report))
        self.assertNotContains(response, SCRIPT)
        self.assertContains(response, "&lt;script&gt;alert(&#x27;report&#x27;)&lt;/script&gt;", 2)
        self.assertNotContains(response, "nova<b>")
        listing = self.client.get(REPORTS_URL)
        self.assertNotContains(listing, "nova<b>")
        self.assertContains(listing, "nova&lt;b&gt;")

    def test_unknown_report_is_404(self):
        for report_id in (999999, 2**63, 10**40):  # the last two past every integer column
            response = self.client.get(
                reverse("horizon:admin:event_viewer:report_detail", args=(report_id,))
            )
            self.assertEqual(404, response.status_code)


class MemberCannotSeeReportsTests(helpers.TestCase):
    def test_member_is_refused_the_list_and_the_detail(self):
        report = store(sections=[{"title": "Configuration", "body": "SECRET-REPORT"}])
        for url in (REPORTS_URL, detail_url(report)):
            response = self.client.get(url)
            self.assertIn(response.status_code, (302, 403), url)
            self.assertNotIn(b"SECRET-REPORT", response.content)
            self.assertNotIn(b"nova-compute", response.content)


def refuse_connections(execute, sql, params, many, context):
    raise OperationalError('connection to server at "db-7.internal", port 5432 failed: refused')


class ReportStoreTests(AdminReportsTestCase):
    def test_a_database_that_is_down_is_named_in_the_page_not_a_500(self):
        report = store()
        with connection.execute_wrapper(refuse_connections):
            listing = self.client.get(REPORTS_URL)
            detail = self.client.get(detail_url(report))
        self.assertEqual(200, listing.status_code)
        self.assertContains(listing, "Service reports: the Event Viewer&#x27;s database is not")
        self.assertEqual([], list(listing.context["table"].data))
        self.assertEqual(302, detail.status_code)  # back to the list, which says why

    def test_reports_are_read_from_the_stores_database_alias(self):
        store()
        with without_a_database():  # EVENT_VIEWER_DATABASE names an alias without a database
            listing = self.client.get(REPORTS_URL)
        self.assertEqual(200, listing.status_code)
        self.assertContains(listing, "the Event Viewer has no database")
        self.assertEqual([], list(listing.context["table"].data))

    def test_no_service_reports_button_without_a_database(self):
        with (
            without_a_database(),
            mock.patch("event_viewer.api.cinder.MessagesClient", fakes.FakeMessagesClient()),
            mock.patch("event_viewer.api.trove.InstancesClient", fakes.FakeInstancesClient()),
            mock.patch("event_viewer.api.keystone.project_names", return_value={}),
        ):
            response = self.client.get(ADMIN_INDEX_URL)
        self.assertEqual(200, response.status_code)
        self.assertNotContains(response, f'href="{REPORTS_URL}"')

    def test_admins_delete_a_report_and_a_batch(self):
        one, two, three = store(minutes_ago=1), store(minutes_ago=2), store(minutes_ago=3)
        page = self.client.get(REPORTS_URL)
        self.assertContains(page, "service_reports__action_delete_reports")
        response = self.client.post(
            REPORTS_URL, {"action": f"service_reports__delete_reports__{one.id}"}
        )
        self.assertEqual(302, response.status_code)
        self.client.post(
            REPORTS_URL,
            {"action": "service_reports__delete_reports", "object_ids": [str(two.id)]},
        )
        self.assertEqual([three.id], list(ServiceReport.objects.values_list("id", flat=True)))

    def test_deleting_needs_the_policy_rule(self):
        report = store()
        with policy_overrides(delete_service_reports="!"):
            page = self.client.get(REPORTS_URL)
            self.client.post(
                REPORTS_URL, {"action": f"service_reports__delete_reports__{report.id}"}
            )
        self.assertNotContains(page, "delete_reports")
        self.assertTrue(ServiceReport.objects.filter(pk=report.id).exists())

    def test_reports_need_the_operator_details_rule_even_for_admins(self):
        report = store(sections=[{"title": "Configuration", "body": "SECRET-REPORT"}])
        with policy_overrides(view_operator_details="!"):
            responses = [self.client.get(url) for url in (REPORTS_URL, detail_url(report))]
        for response in responses:
            self.assertEqual(403, response.status_code)
            self.assertNotIn(b"SECRET-REPORT", response.content)

    def test_the_same_file_of_two_hosts_is_two_reports(self):
        path = "/var/lib/reports/nova-compute_gurumeditation_20261122120000"
        store(host="node-1", path=path)
        store(host="node-2", path=path)
        self.assertEqual(2, len(self.client.get(REPORTS_URL).context["table"].data))
