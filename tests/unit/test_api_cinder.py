"""event_viewer.api.cinder against Cinder's HTTP API as requests_mock plays it.

These pin the requests the plugin sends (microversion, project scoping, paging)
and how each failure is reported; the end-to-end tests prove the same against
the real Cinder.
"""

import contextlib
import socket
import threading
import time
from unittest import mock

import requests_mock
from django.core.cache import cache
from keystoneauth1 import exceptions as ks_exceptions
from openstack_dashboard.test import helpers as horizon_helpers

from event_viewer.api import cinder
from event_viewer.api.errors import FeatureUnavailable, SourceError
from tests.unit import helpers

ROOT = "http://public.cinder.example.com:8776/"
MESSAGES = "http://public.cinder.example.com:8776/v3/messages"


def _versions(max_version, min_version="3.0"):
    return {
        "versions": [
            {"id": "v3.0", "status": "CURRENT", "version": max_version, "min_version": min_version}
        ]
    }


MESSAGE = {
    "id": "5a3bba2e-7b7e-4f35-9d55-9a4e1f4b3a10",
    "event_id": "VOLUME_VOLUME_001_003",
    "user_message": "schedule allocate volume:Could not find any available weighted backend.",
    "message_level": "ERROR",
    "resource_type": "VOLUME",
    "resource_uuid": "0f1d7c2a-2f43-4f0c-9b9a-0c3a3c5b9e11",
    "request_id": "req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e",
    "created_at": "2026-11-22T10:00:00.000000",
    "guaranteed_until": "2026-12-22T10:00:00.000000",
    "links": [],
}


class MessagesClientTests(helpers.TestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def test_list_is_scoped_to_the_project_at_microversion_3_30(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            http.get(MESSAGES, json={"messages": [MESSAGE]})
            client = cinder.MessagesClient(self.request)
            result = client.list(filters={"event_id": "VOLUME_VOLUME_001_003"}, limit=21)

        listing = http.request_history[-1]
        self.assertEqual("volume 3.30", listing.headers["OpenStack-API-Version"])
        self.assertEqual([self.request.user.project_id], listing.qs["project_id"])
        self.assertEqual(["volume_volume_001_003"], listing.qs["event_id"])
        self.assertEqual(["21"], listing.qs["limit"])
        self.assertEqual(["created_at:desc,id:desc"], listing.qs["sort"])
        self.assertEqual([MESSAGE["id"]], [m.id for m in result])

    def test_admin_all_projects_list_sends_no_project_filter(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            http.get(MESSAGES, json={"messages": []})
            cinder.MessagesClient(self.request, all_projects=True).list(limit=5)
        self.assertNotIn("project_id", http.request_history[-1].qs)

    def test_admin_all_projects_client_may_filter_one_project(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            http.get(MESSAGES, json={"messages": []})
            client = cinder.MessagesClient(self.request, all_projects=True)
            client.list(filters={"project_id": "p-beta"})
        self.assertEqual(["p-beta"], http.request_history[-1].qs["project_id"])

    def test_filter_keys_cinder_does_not_know_are_not_sent(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            http.get(MESSAGES, json={"messages": []})
            cinder.MessagesClient(self.request).list(filters={"project_id": "other", "x": "1"})
        self.assertEqual([self.request.user.project_id], http.request_history[-1].qs["project_id"])
        self.assertNotIn("x", http.request_history[-1].qs)

    def test_version_range_is_fetched_once_per_endpoint(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            http.get(MESSAGES, json={"messages": []})
            cinder.MessagesClient(self.request).list()
            cinder.MessagesClient(self.request).list()
        roots = [r for r in http.request_history if r.url == ROOT]
        self.assertEqual(1, len(roots))

    def test_cinder_without_pagination_refuses_to_list_unscoped(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.4"))
            client = cinder.MessagesClient(self.request)
            with self.assertRaisesRegex(FeatureUnavailable, "cannot list messages scoped"):
                client.list()
        self.assertFalse([r for r in http.request_history if "messages" in r.url])

    def test_cinder_without_messages_api_says_so(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.2"))
            with self.assertRaisesRegex(FeatureUnavailable, "messages API is not available"):
                cinder.MessagesClient(self.request)

    def test_timeout_is_reported_with_the_bound(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            http.get(MESSAGES, exc=ks_exceptions.ConnectTimeout)
            with self.settings(EVENT_VIEWER_SOURCE_TIMEOUT=2.5):
                client = cinder.MessagesClient(self.request)
                with self.assertRaisesRegex(SourceError, "did not answer within 2.5 s"):
                    client.list()

    def test_unreachable_cinder_is_reported(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, exc=ks_exceptions.ConnectFailure)
            with self.assertRaisesRegex(SourceError, "is not reachable"):
                cinder.MessagesClient(self.request)

    def test_bad_request_is_marked_as_the_users_input(self):
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            # What Cinder answers (3.31+) to a filter key outside resource_filters.json.
            http.get(
                MESSAGES,
                status_code=400,
                json={
                    "badRequest": {
                        "code": 400,
                        "message": "Invalid filters foo are found in query options.",
                    }
                },
            )
            with self.assertRaises(SourceError) as raised:
                cinder.MessagesClient(self.request).list()
        self.assertTrue(raised.exception.bad_request)
        self.assertIn("Invalid filters foo", raised.exception.message)

    def test_a_marker_cinder_no_longer_knows_is_its_not_found(self):
        # Real Cinder (28.0.0, checked on the local cloud) answers a list whose
        # marker message is deleted, expired or another project's with 404
        # MessageNotFound -- never 400. The source turns it into a stale link.
        gone = "eafa6afe-a731-42a7-b7a8-34cbfe843d3b"
        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            http.get(
                MESSAGES,
                status_code=404,
                json={
                    "itemNotFound": {
                        "code": 404,
                        "message": f"Message {gone} could not be found.",
                    }
                },
            )
            with self.assertRaises(cinder.NotFound):
                cinder.MessagesClient(self.request).list(marker=gone)
        self.assertEqual([gone], http.request_history[-1].qs["marker"])

    def test_rejected_token_is_reported_as_such(self):
        from event_viewer.api.errors import TokenRejected

        with requests_mock.Mocker() as http:
            http.get(ROOT, json=_versions("3.71"))
            http.get(MESSAGES, status_code=401, json={"error": {"message": "expired"}})
            with self.assertRaises(TokenRejected):
                cinder.MessagesClient(self.request).list()


class HungCinderTests(helpers.TestCase):
    """A Cinder that accepts connections and never answers: every call stops at the timeout.

    A real socket, not a mocked exception: this is what the README promises
    (Horizon's own menu, which calls Cinder without a timeout, does not).
    """

    def setUp(self):
        super().setUp()
        cache.clear()
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.accepted = []
        threading.Thread(target=self._accept_and_say_nothing, daemon=True).start()
        port = self.server.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{port}/v3/{self.request.user.project_id}"

    def tearDown(self):
        self.server.close()
        for connection in self.accepted:
            connection.close()
        super().tearDown()

    def _accept_and_say_nothing(self):
        with contextlib.suppress(OSError):
            while True:
                self.accepted.append(self.server.accept()[0])

    def test_each_call_stops_at_the_source_timeout(self):
        with (
            self.settings(EVENT_VIEWER_SOURCE_TIMEOUT=0.5),
            mock.patch("event_viewer.api.session.endpoint_for", return_value=self.endpoint),
            # Horizon's test case refuses every real connection; this one is
            # meant, to a server on loopback that this test runs.
            mock.patch.object(horizon_helpers.HTTPConnection, "connect", self._real_conn_request),
        ):
            started = time.monotonic()
            with self.assertRaisesRegex(SourceError, "did not answer within 0.5 s"):
                cinder.MessagesClient(self.request).list()
            elapsed = time.monotonic() - started
        self.assertTrue(self.accepted, "the client never reached the hung server")
        self.assertLess(elapsed, 3.0)
