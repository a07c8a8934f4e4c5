"""The Project -> Event Viewer index view, with the Cinder client faked at the api boundary."""

from unittest import mock

from django.urls import reverse

from event_viewer.api.errors import SourceError
from tests.unit import fakes, helpers

INDEX_URL = reverse("horizon:project:event_viewer:index")


class IndexViewTests(helpers.TestCase):
    def _get(self, fake, url=INDEX_URL):
        with mock.patch("event_viewer.api.cinder.MessagesClient", fake):
            return self.client.get(url)

    def test_lists_the_projects_messages(self):
        message = fakes.cinder_message(request_id="req-visible-1")
        fake = fakes.FakeMessagesClient([message])
        response = self._get(fake)
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "req-visible-1")
        self.assertContains(response, "Could not find any available weighted backend.")
        self.assertContains(response, "VOLUME_VOLUME_001_003")
        self.assertFalse(fake.all_projects)

    def test_service_text_is_escaped(self):
        message = fakes.cinder_message(user_message="<script>alert(1)</script>")
        response = self._get(fakes.FakeMessagesClient([message]))
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_a_failing_source_is_shown_and_logged(self):
        error = SourceError("cinder", "Block Storage (Cinder) is not reachable.")
        fake = fakes.FakeMessagesClient(error=error)
        with self.assertLogs("event_viewer", "WARNING") as logs:
            response = self._get(fake)
        self.assertEqual(200, response.status_code)
        self.assertMessageCount(response, error=1)
        self.assertIn("Block Storage (Cinder) is not reachable.", logs.output[0])

    def test_first_page_fetches_one_more_row_than_it_shows_and_links_next(self):
        messages = fakes.cinder_messages_newest_first(25)
        fake = fakes.FakeMessagesClient(messages)
        response = self._get(fake)
        table = response.context["table"]
        self.assertEqual(20, len(table.data))
        self.assertEqual(
            [{"filters": None, "marker": None, "limit": 21, "sort_dir": "desc"}], fake.calls
        )
        self.assertTrue(table.has_more_data())
        self.assertFalse(table.has_prev_data())
        self.assertContains(response, f"marker={messages[19].id}")

    def test_next_then_prev_pages_walk_the_list(self):
        messages = fakes.cinder_messages_newest_first(25)
        fake = fakes.FakeMessagesClient(messages)
        second = self._get(fake, f"{INDEX_URL}?marker={messages[19].id}").context["table"]
        self.assertEqual([m.id for m in messages[20:]], [e.native_id for e in second.data])
        self.assertFalse(second.has_more_data())
        self.assertTrue(second.has_prev_data())

        back = self._get(fake, f"{INDEX_URL}?prev_marker={messages[20].id}").context["table"]
        self.assertEqual([m.id for m in messages[:20]], [e.native_id for e in back.data])
        self.assertFalse(back.has_prev_data())
        self.assertTrue(back.has_more_data())

    def test_bad_marker_gets_a_clear_message_not_a_500(self):
        fake = fakes.FakeMessagesClient(fakes.cinder_messages_newest_first(3))
        response = self._get(fake, f"{INDEX_URL}?marker=not-a-message")
        self.assertEqual(200, response.status_code)
        self.assertMessageCount(response, error=1)
        self.assertContains(response, "Invalid marker not-a-message")
