"""The Project -> Event Viewer index view, with the clients faked at the api boundary."""

from unittest import mock

from django.urls import reverse

from event_viewer import paging
from event_viewer.api.errors import SourceError
from tests.unit import fakes, helpers
from tests.unit.test_project_actions import FILTER, MATCHING_URL, ViewTestCase, detail_url, link

INDEX_URL = reverse("horizon:project:event_viewer:index")
FILTER_PARAM = "events__filter__q"


class IndexViewTests(helpers.TestCase):
    def _get(self, messages=None, instances=None, url=INDEX_URL, data=None, method="get"):
        self.messages = (
            messages
            if isinstance(messages, fakes.FakeMessagesClient)
            else fakes.FakeMessagesClient(messages or [])
        )
        self.instances = (
            instances
            if isinstance(instances, fakes.FakeInstancesClient)
            else fakes.FakeInstancesClient(instances or [])
        )
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", self.messages),
            mock.patch("event_viewer.api.trove.InstancesClient", self.instances),
        ):
            return getattr(self.client, method)(url, data or {})

    def _set_filter(self, field, value):
        """Type into Horizon's filter box: a POST that the view stores in the session."""
        response = self._get(
            method="post", data={FILTER_PARAM: value, FILTER_PARAM + "_field": field}
        )
        self.assertIn(response.status_code, (200, 302))

    def test_lists_messages_and_faults_newest_first(self):
        message = fakes.cinder_message(request_id="req-visible-1", created_at="2026-11-22T10:00:00")
        fault = fakes.trove_instance(
            "Polling request timed out.", fault_created="2026-11-22T11:00:00", name="orders-db"
        )
        response = self._get([message], [fault])
        self.assertEqual(200, response.status_code)
        rows = response.context["table"].data
        self.assertEqual(["trove", "cinder"], [e.source for e in rows])
        self.assertContains(response, "req-visible-1")
        self.assertContains(response, "Polling request timed out.")
        self.assertContains(response, "orders-db")
        self.assertFalse(self.messages.all_projects)

    def test_service_text_is_escaped(self):
        message = fakes.cinder_message(user_message="<script>alert(1)</script>")
        fault = fakes.trove_instance("<img src=x onerror=alert(2)>", name="<b>db</b>")
        response = self._get([message], [fault])
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(response, "<img src=x")
        self.assertNotContains(response, "<b>db</b>")

    def test_a_failing_source_is_shown_and_logged_and_the_other_still_renders(self):
        error = SourceError("cinder", "Block Storage (Cinder) is not reachable.")
        fault = fakes.trove_instance("Polling request timed out.")
        with self.assertLogs("event_viewer", "WARNING") as logs:
            response = self._get(fakes.FakeMessagesClient(error=error), [fault])
        self.assertEqual(200, response.status_code)
        self.assertMessageCount(response, error=1)
        self.assertContains(response, "Block Storage (Cinder) is not reachable.")
        self.assertContains(response, "Polling request timed out.")
        self.assertIn("Block Storage (Cinder) is not reachable.", logs.output[0])

    def test_first_page_asks_each_source_for_one_more_row_than_it_shows(self):
        messages = fakes.cinder_messages_newest_first(25)
        response = self._get(messages)
        table = response.context["table"]
        self.assertEqual(20, len(table.data))
        self.assertEqual(
            [{"filters": {}, "marker": None, "limit": 21, "sort_dir": "desc"}], self.messages.calls
        )
        self.assertTrue(table.has_more_data())
        self.assertFalse(table.has_prev_data())
        self.assertContains(response, "marker=" + table.get_marker())

    def test_next_then_prev_pages_walk_the_list(self):
        messages = fakes.cinder_messages_newest_first(25)
        first = self._get(messages).context["table"]
        second = self._get(messages, url=f"{INDEX_URL}?marker={first.get_marker()}")
        second = second.context["table"]
        self.assertEqual([m.id for m in messages[20:]], [e.native_id for e in second.data])
        self.assertFalse(second.has_more_data())
        self.assertTrue(second.has_prev_data())

        back = self._get(messages, url=f"{INDEX_URL}?prev_marker={second.get_prev_marker()}")
        back = back.context["table"]
        self.assertEqual([m.id for m in messages[:20]], [e.native_id for e in back.data])
        self.assertFalse(back.has_prev_data())
        self.assertTrue(back.has_more_data())

    def test_oldest_first_is_asked_of_the_api(self):
        messages = fakes.cinder_messages_newest_first(3)
        response = self._get(messages, url=f"{INDEX_URL}?sort=asc")
        self.assertEqual("asc", self.messages.calls[0]["sort_dir"])
        self.assertEqual(
            [m.id for m in reversed(messages)],
            [e.native_id for e in response.context["table"].data],
        )
        self.assertContains(response, "Newest first")

    def test_edited_marker_gets_a_clear_message_not_a_500(self):
        response = self._get(
            fakes.cinder_messages_newest_first(3), url=f"{INDEX_URL}?marker=not-a-marker"
        )
        self.assertEqual(200, response.status_code)
        self.assertMessageCount(response, error=1)
        self.assertContains(response, "That page link is not valid")
        self.assertEqual([], self.messages.calls)

    def test_a_page_link_whose_message_is_gone_restarts_cinder_at_its_first_page(self):
        # Real Cinder answers a list whose marker message is gone (deleted,
        # expired, another project's) with 404 MessageNotFound: a 500 before.
        messages = fakes.cinder_messages_newest_first(3)
        fault = fakes.trove_instance("Polling request timed out.")
        gone = "5a3bba2e-0000-4000-8000-000000000000"
        marker = paging.Marker({"cinder": gone, "trove": None}).encode()
        response = self._get(messages, [fault], url=f"{INDEX_URL}?marker={marker}")
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "That page link is no longer valid for Block Storage")
        self.assertEqual([gone, None], [call["marker"] for call in self.messages.calls])
        shown = [e.native_id for e in response.context["table"].data]
        self.assertEqual([*(m.id for m in messages), fault.id], shown)

    def test_a_stale_prev_link_shows_the_first_page(self):
        messages = fakes.cinder_messages_newest_first(3)
        gone = "5a3bba2e-0000-4000-8000-000000000000"
        marker = paging.Marker({"cinder": gone}, forward=False).encode()
        response = self._get(messages, url=f"{INDEX_URL}?prev_marker={marker}")
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "That page link is no longer valid")
        table = response.context["table"]
        self.assertEqual([m.id for m in messages], [e.native_id for e in table.data])
        self.assertFalse(table.has_prev_data())

    def test_any_exception_of_one_source_costs_that_source_only(self):
        fault = fakes.trove_instance("Polling request timed out.")
        broken = fakes.FakeMessagesClient(error=TypeError("SECRET-INTERNAL detail"))
        with self.assertLogs("event_viewer", "ERROR") as logs:
            response = self._get(broken, [fault])
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "Block Storage (Cinder) failed unexpectedly")
        self.assertContains(response, "Polling request timed out.")
        self.assertNotContains(response, "SECRET-INTERNAL")
        self.assertIn("Traceback", "\n".join(logs.output))

    def test_a_not_found_from_a_first_page_list_is_that_sources_error(self):
        from cinderclient import exceptions as cinder_exceptions

        fault = fakes.trove_instance("Polling request timed out.")
        broken = fakes.FakeMessagesClient(error=cinder_exceptions.NotFound(404))
        with self.assertLogs("event_viewer", "ERROR"):
            response = self._get(broken, [fault])
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "Polling request timed out.")
        self.assertContains(response, "Block Storage (Cinder) failed")

    def test_a_cinder_cursor_that_is_no_message_id_is_an_edited_link(self):
        marker = paging.Marker({"cinder": "../../volumes"}).encode()
        response = self._get(
            fakes.cinder_messages_newest_first(3), url=f"{INDEX_URL}?marker={marker}"
        )
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "That page link is not valid")
        self.assertEqual([], self.messages.calls)

    def test_filter_is_sent_to_cinder_and_applied_to_trove(self):
        self._set_filter("level", "ERROR")
        fault = fakes.trove_instance("Polling request timed out.")
        response = self._get([fakes.cinder_message()], [fault])
        self.assertEqual({"message_level": "ERROR"}, self.messages.calls[0]["filters"])
        self.assertEqual(2, len(response.context["table"].data))

    def test_invalid_filter_value_says_so_instead_of_an_empty_table(self):
        self._set_filter("resource_id", "not-a-uuid")
        response = self._get([fakes.cinder_message()])
        self.assertEqual(200, response.status_code)
        self.assertMessageCount(response, error=1)
        self.assertContains(response, "A resource ID is a UUID")
        self.assertEqual([], self.messages.calls)

    def test_source_filter_asks_only_that_source(self):
        self._set_filter("source", "Database")
        response = self._get([fakes.cinder_message()], [fakes.trove_instance("boom")])
        self.assertEqual([], self.messages.calls)
        self.assertEqual(["trove"], [e.source for e in response.context["table"].data])


class FilterLinkTests(ViewTestCase):
    """A filter link (detail page, By Host) carries its filter in the URL; no GET writes."""

    def test_no_get_writes_the_session(self):
        message = fakes.cinder_message()
        with self.patched([message]):
            self.client.get(INDEX_URL)
            before = dict(self.client.session.items())
            for url in (
                f"{INDEX_URL}?{link('level', 'ERROR')}",
                f"{INDEX_URL}?sort=asc",
                f"{MATCHING_URL}?{link('level', 'ERROR')}",
                reverse("horizon:project:event_viewer:export", args=("csv",))
                + f"?{link('level', 'ERROR')}",
                detail_url(f"cinder:{message.id}"),
            ):
                with self.subTest(url=url):
                    self.assertIn(self.client.get(url).status_code, (200, 302))
                    self.assertEqual(before, dict(self.client.session.items()))

    def test_the_page_and_its_links_keep_a_filter_link(self):
        messages = [fakes.cinder_message(message_level="WARNING") for _n in range(25)]
        with self.patched(messages), self.settings(API_RESULT_PAGE_SIZE=20):
            response = self.client.get(f"{INDEX_URL}?{link('level', 'WARNING')}")
            table = response.context["table"]
            self.assertEqual({"message_level": "WARNING"}, self.messages.calls[0]["filters"])
            kept = link("level", "WARNING")
            for href in (
                f"?marker={table.get_marker()}&amp;{kept.replace('&', '&amp;')}",
                f"/project/event_viewer/export/csv/?{kept.replace('&', '&amp;')}",
                f"/project/event_viewer/export/json/?{kept.replace('&', '&amp;')}",
                f"/project/event_viewer/delete-matching/?{kept.replace('&', '&amp;')}",
                f"?sort=asc&amp;{kept.replace('&', '&amp;')}",
            ):
                with self.subTest(href=href):
                    self.assertContains(response, f'href="{href}"')
            box = table._meta._filter_action
            self.assertEqual(("level", "WARNING"), (box.filter_field, box.filter_string))
            # The next page, followed, still has the filter.
            self.client.get(f"{INDEX_URL}?{table.get_pagination_string()}")
            self.assertEqual({"message_level": "WARNING"}, self.messages.calls[-1]["filters"])

    def test_the_export_of_a_filter_link_is_filtered(self):
        keep = fakes.cinder_message(message_level="WARNING", user_message="kept-one")
        drop = fakes.cinder_message(message_level="ERROR", user_message="dropped-one")
        with self.patched([keep, drop]):
            url = reverse("horizon:project:event_viewer:export", args=("csv",))
            body = self.client.get(f"{url}?{link('level', 'WARNING')}").content
        self.assertIn(b"kept-one", body)
        self.assertNotIn(b"dropped-one", body)

    def test_the_filter_box_still_sets_the_filter_and_leaves_the_link(self):
        with self.patched([fakes.cinder_message()]):
            response = self.client.post(
                f"{INDEX_URL}?{link('level', 'ERROR')}",
                {FILTER: "WARNING", FILTER + "_field": "level"},
            )
            self.assertEqual(302, response.status_code)
            self.assertEqual(INDEX_URL, response["location"])
            self.client.get(INDEX_URL)
        self.assertEqual({"message_level": "WARNING"}, self.messages.calls[-1]["filters"])

    def test_a_row_action_on_a_filter_link_page_is_not_dropped(self):
        message = fakes.cinder_message()
        with self.patched([message]):
            response = self.client.post(
                f"{INDEX_URL}?{link('level', 'ERROR')}",
                {"action": f"events__delete__cinder:{message.id}", FILTER: "ERROR"},
            )
        self.assertEqual(302, response.status_code)
        self.assertEqual([message.id], self.messages.deleted)
