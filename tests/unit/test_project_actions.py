"""Detail page, deletes (single, batch, all matching) and a hanging source, faked at the api."""

import time
from unittest import mock

from cinderclient import exceptions as cinder_exceptions
from django.urls import reverse

from event_viewer import paging, sources
from event_viewer.api.errors import SourceError
from event_viewer.filters import Query
from tests.unit import fakes, helpers

INDEX_URL = reverse("horizon:project:event_viewer:index")
MATCHING_URL = reverse("horizon:project:event_viewer:delete_matching")


def detail_url(event_ref):
    return reverse("horizon:project:event_viewer:detail", args=(event_ref,))


class ViewTestCase(helpers.TestCase):
    def patched(self, messages=(), instances=()):
        self.messages = (
            messages
            if isinstance(messages, fakes.FakeMessagesClient)
            else fakes.FakeMessagesClient(messages)
        )
        self.instances = fakes.FakeInstancesClient(instances)
        return _Patches(self.messages, self.instances)


class _Patches:
    def __init__(self, messages, instances):
        self.patches = [
            mock.patch("event_viewer.api.cinder.MessagesClient", messages),
            mock.patch("event_viewer.api.trove.InstancesClient", instances),
            # The resource's current status is another API call; not under test here.
            mock.patch("event_viewer.sources.resource_status", return_value="error"),
        ]

    def __enter__(self):
        for patch in self.patches:
            patch.start()

    def __exit__(self, *exc):
        for patch in self.patches:
            patch.stop()


class DetailViewTests(ViewTestCase):
    def test_cinder_message_with_decoded_event_and_time_left(self):
        message = fakes.cinder_message(guaranteed_until="2999-01-01T00:00:00")
        with self.patched([message]):
            response = self.client.get(detail_url(f"cinder:{message.id}"))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "SCHEDULE_ALLOCATE_VOLUME")
        self.assertContains(response, "NO_BACKEND_AVAILABLE")
        self.assertContains(response, message.request_id)
        self.assertContains(response, "in ")  # time left until expiry
        self.assertContains(response, "error")

    def test_unknown_or_foreign_message_is_404(self):
        with self.patched([]):
            response = self.client.get(detail_url("cinder:5a3bba2e-0000-0000-0000-000000000000"))
        self.assertEqual(404, response.status_code)

    def test_trove_fault_shows_the_message_but_never_details_to_members(self):
        instance = fakes.trove_instance(
            "Polling request timed out.", details="Traceback: SECRET-TRACE"
        )
        with self.patched([], [instance]):
            response = self.client.get(detail_url(f"trove:{instance.id}"))
        self.assertContains(response, "Polling request timed out.")
        self.assertNotContains(response, "SECRET-TRACE")

    def test_source_down_redirects_with_the_reason(self):
        error = SourceError("cinder", "Block Storage (Cinder) is not reachable.")
        with self.patched(fakes.FakeMessagesClient(error=error)):
            fake = self.messages

            def failing_get(message_id):
                raise error

            fake.get = failing_get
            response = self.client.get(detail_url("cinder:abc"))
        self.assertEqual(302, response.status_code)


class DeleteTests(ViewTestCase):
    def _post_delete(self, object_ids, action="events__delete"):
        return self.client.post(INDEX_URL, {"action": action, "object_ids": object_ids})

    def test_single_row_delete_calls_cinder(self):
        message = fakes.cinder_message()
        with self.patched([message]):
            response = self.client.post(
                INDEX_URL, {"action": f"events__delete__cinder:{message.id}"}
            )
        self.assertEqual(302, response.status_code)
        self.assertEqual([message.id], self.messages.deleted)

    def test_batch_delete_names_each_failure_with_its_reason_and_deletes_the_rest(self):
        keep, gone = fakes.cinder_message(), fakes.cinder_message()
        messages = fakes.FakeMessagesClient([keep, gone])
        original_delete = messages.delete

        def delete(message_id):
            if message_id == keep.id:
                raise SourceError("cinder", "Block Storage (Cinder) refused the request: busy")
            original_delete(message_id)

        messages.delete = delete
        with self.patched(messages), self.assertLogs("event_viewer", "WARNING") as logs:
            response = self._post_delete([f"cinder:{keep.id}", f"cinder:{gone.id}"])
        self.assertEqual(302, response.status_code)
        self.assertEqual([gone.id], messages.deleted)
        self.assertIn(f"cinder:{keep.id}", logs.output[0])
        errors = [str(m) for m in response.wsgi_request._messages if m.level_tag == "error"]
        self.assertEqual(1, len(errors))
        self.assertIn(keep.id, errors[0])
        self.assertIn("busy", errors[0])

    def test_trove_faults_cannot_be_deleted(self):
        instance = fakes.trove_instance("boom")
        with self.patched([], [instance]):
            page = self.client.get(INDEX_URL)
            self.assertNotContains(page, f'value="trove:{instance.id}"')
            self._post_delete([f"trove:{instance.id}"])
        self.assertEqual([], getattr(self.messages, "deleted", []))

    def test_delete_needs_the_message_delete_policy(self):
        message = fakes.cinder_message()
        with (
            self.patched([message]),
            mock.patch(
                "openstack_auth.policy.check",
                side_effect=lambda rules, *args, **kw: ("volume", "message:delete") not in rules,
            ) as check,
            self.settings(POLICY_CHECK_FUNCTION="openstack_auth.policy.check"),
        ):
            page = self.client.get(INDEX_URL)
            self._post_delete([f"cinder:{message.id}"])
        self.assertNotContains(page, "events__action_delete")
        self.assertIn((("volume", "message:delete"),), [c.args[0] for c in check.call_args_list])
        self.assertEqual([], getattr(self.messages, "deleted", []))


class DeleteMatchingTests(ViewTestCase):
    def test_confirmation_states_the_count(self):
        with self.patched(fakes.cinder_messages_newest_first(7)):
            response = self.client.get(MATCHING_URL)
        self.assertContains(response, "This will delete 7 Block Storage messages")

    def test_submit_deletes_every_match_and_reports_failures(self):
        messages = fakes.cinder_messages_newest_first(4)
        fake = fakes.FakeMessagesClient(messages)
        original_delete = fake.delete

        def delete(message_id):
            if message_id == messages[1].id:
                raise cinder_exceptions.NotFound(404)
            original_delete(message_id)

        fake.delete = delete
        with self.patched(fake):
            response = self.client.post(MATCHING_URL, {"confirmed_count": "4"})
        self.assertEqual(302, response.status_code)
        self.assertEqual({m.id for m in messages} - {messages[1].id}, set(fake.deleted))
        errors = [str(m) for m in response.wsgi_request._messages if m.level_tag == "error"]
        self.assertEqual(1, len(errors))
        self.assertIn(messages[1].id, errors[0])


class HangingSourceTests(helpers.TestCase):
    def test_a_source_that_hangs_costs_the_deadline_and_the_other_still_answers(self):
        class Hanging:
            name, label, notes = "trove", "Database (Trove)", []
            in_request_thread = False

            def fetch(self, cursor, limit, newest_first):
                time.sleep(3)
                return []

            def cursor_of(self, event):
                return event.native_id

        quick = fakes.FakeMessagesClient(fakes.cinder_messages_newest_first(2))
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", quick),
            self.settings(EVENT_VIEWER_SOURCE_TIMEOUT=0.2),
        ):
            started = time.monotonic()
            page, errors, _notes = sources.fetch_page(
                [sources.CinderSource(self.request, Query()), Hanging()], paging.Marker({}), 20
            )
            elapsed = time.monotonic() - started
        self.assertLess(elapsed, 2)
        self.assertEqual(2, len(page.events))
        self.assertEqual(["trove"], [e.source for e in errors])
        self.assertIn("did not answer within 0.4 s", str(errors[0].message))


class ExpiredTokenTests(ViewTestCase):
    def test_a_rejected_token_sends_the_user_to_the_login_page(self):
        from event_viewer.api.errors import TokenRejected

        error = TokenRejected("Block Storage (Cinder) refused the session's token.")
        with self.patched(fakes.FakeMessagesClient(error=error)):
            response = self.client.get(INDEX_URL)
        self.assertEqual(302, response.status_code)
        self.assertIn("/auth/login/", response["location"])


class ForeignDeleteTests(ViewTestCase):
    def test_an_id_that_is_not_on_the_page_is_refused_before_any_api_call(self):
        shown = fakes.cinder_message()
        with self.patched([shown]):
            calls = []
            self.messages.delete = calls.append
            response = self.client.post(
                INDEX_URL, {"action": "events__delete", "object_ids": ["cinder:foreign-id"]}
            )
        # Horizon looks every posted id up in the page's rows and redirects
        # without acting when one is missing: nothing reaches Cinder.
        self.assertEqual(302, response.status_code)
        self.assertEqual([], calls)
