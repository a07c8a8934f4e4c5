"""Detail page, deletes (single, batch, all matching) and a hanging source, faked at the api."""

import time
from unittest import mock
from urllib.parse import urlencode

from cinderclient import exceptions as cinder_exceptions
from django.core import signing
from django.urls import reverse

from event_viewer import paging, sources
from event_viewer.api.errors import SourceError
from event_viewer.content.project.forms import CONFIRMATION_SALT
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
        self.assertNotContains(page, 'id="events__action_delete"')
        self.assertIn((("volume", "message:delete"),), [c.args[0] for c in check.call_args_list])
        self.assertEqual([], getattr(self.messages, "deleted", []))


FILTER = "events__filter__q"


def confirmation(response):
    """The signed confirmation token a Delete All Matching form carries."""
    return response.context["form"]["confirmation"].value()


def link(field, value):
    return urlencode({"filter_field": field, "filter": value})


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
            token = confirmation(self.client.get(MATCHING_URL))
            response = self.client.post(MATCHING_URL, {"confirmation": token})
        self.assertEqual(302, response.status_code)
        self.assertEqual({m.id for m in messages} - {messages[1].id}, set(fake.deleted))
        errors = [str(m) for m in response.wsgi_request._messages if m.level_tag == "error"]
        self.assertEqual(1, len(errors))
        self.assertIn(messages[1].id, errors[0])

    def test_the_submit_deletes_under_the_confirmed_query_whatever_the_filter_is_by_then(self):
        # Confirm "1 match" under a filter link; the filter box (another tab)
        # then selects everything: only the confirmed message is deleted.
        target = fakes.cinder_message(request_id="req-" + "1" * 8 + "-1111-1111-1111-" + "1" * 12)
        others = fakes.cinder_messages_newest_first(3)
        fake = fakes.FakeMessagesClient([target, *others])
        with self.patched(fake):
            opened = self.client.get(f"{MATCHING_URL}?{link('request_id', target.request_id)}")
            self.assertContains(opened, "This will delete 1 Block Storage message")
            self.client.post(INDEX_URL, {FILTER: "", FILTER + "_field": "text"})
            response = self.client.post(MATCHING_URL, {"confirmation": confirmation(opened)})
        self.assertEqual(302, response.status_code)
        self.assertEqual([target.id], fake.deleted)

    def test_a_changed_matching_set_deletes_nothing_and_asks_again_with_the_new_count(self):
        first = fakes.cinder_message()
        fake = fakes.FakeMessagesClient([first])
        with self.patched(fake):
            opened = self.client.get(MATCHING_URL)
            self.assertContains(opened, "This will delete 1 Block Storage message")
            fake.messages.insert(0, fakes.cinder_message())  # arrives in between
            asked = self.client.post(MATCHING_URL, {"confirmation": confirmation(opened)})
            self.assertEqual(200, asked.status_code)
            self.assertEqual([], getattr(fake, "deleted", []))
            self.assertContains(asked, "The matching events changed since you confirmed")
            self.assertContains(asked, "This will delete 2 Block Storage messages")
            # The form asks again with a confirmation of what matches now.
            done = self.client.post(MATCHING_URL, {"confirmation": confirmation(asked)})
        self.assertEqual(302, done.status_code)
        self.assertEqual(2, len(fake.deleted))

    def test_the_same_count_of_other_events_is_a_change_too(self):
        fake = fakes.FakeMessagesClient([fakes.cinder_message()])
        with self.patched(fake):
            opened = self.client.get(MATCHING_URL)
            fake.messages = [fakes.cinder_message()]  # one deleted, another arrived
            asked = self.client.post(MATCHING_URL, {"confirmation": confirmation(opened)})
        self.assertEqual(200, asked.status_code)
        self.assertEqual([], getattr(fake, "deleted", []))

    def test_a_forged_altered_or_foreign_confirmation_deletes_nothing(self):
        fake = fakes.FakeMessagesClient(fakes.cinder_messages_newest_first(2))
        with self.patched(fake):
            token = confirmation(self.client.get(MATCHING_URL))
            payload = signing.loads(token, salt=CONFIRMATION_SALT)
            forged = [
                {},
                {"confirmed_count": "2"},  # the old form's field
                {"confirmation": token[:-2] + "xx"},
                {"confirmation": signing.dumps(payload, salt="another")},
                {"confirmation": signing.dumps({**payload, "p": "2"}, salt=CONFIRMATION_SALT)},
                {"confirmation": signing.dumps({**payload, "u": "9"}, salt=CONFIRMATION_SALT)},
                {"confirmation": signing.dumps({**payload, "q": {"x": 1}}, salt=CONFIRMATION_SALT)},
                {"confirmation": signing.dumps([1], salt=CONFIRMATION_SALT)},
            ]
            for data in forged:
                with self.subTest(data=data):
                    response = self.client.post(MATCHING_URL, data)
                    self.assertEqual(200, response.status_code)
            self.assertEqual([], getattr(fake, "deleted", []))
            genuine = self.client.post(MATCHING_URL, {"confirmation": token})
        self.assertEqual(302, genuine.status_code)  # the genuine one still works
        self.assertEqual(2, len(fake.deleted))

    def test_an_expired_confirmation_deletes_nothing(self):
        fake = fakes.FakeMessagesClient(fakes.cinder_messages_newest_first(2))
        with self.patched(fake):
            token = confirmation(self.client.get(MATCHING_URL))
            with mock.patch("django.core.signing.time.time", return_value=time.time() + 7200):
                response = self.client.post(MATCHING_URL, {"confirmation": token})
        self.assertEqual(200, response.status_code)
        self.assertContains(response, "This confirmation is not valid")
        self.assertEqual([], getattr(fake, "deleted", []))


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
