"""event_viewer.api.trove against Trove's HTTP API as requests_mock plays it.

These pin the requests the plugin sends (one ``GET /instances/detail`` per Trove
page, following Trove's "next" links) and how each failure is reported.
"""

import copy

import requests_mock
from keystoneauth1 import exceptions as ks_exceptions
from openstack_auth import utils as auth_utils

from event_viewer.api import trove
from event_viewer.api.errors import FeatureUnavailable, SourceError
from tests.unit import helpers

TENANT = "f6b0d2a4c1e84d5f9a3b7c2e1d0f4a5b"
BASE = f"http://trove.example.com:8779/v1.0/{TENANT}"
DETAIL = f"{BASE}/instances/detail"
DATABASE_SERVICE = {
    "type": "database",
    "name": "trove",
    "endpoints_links": [],
    "endpoints": [
        {"region": "RegionOne", "interface": "admin", "url": BASE},
        {"region": "RegionOne", "interface": "internal", "url": BASE},
        {"region": "RegionOne", "interface": "public", "url": BASE},
    ],
}


def _instance(number, fault=None):
    info = {
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "name": f"db-{number}",
        "status": "ERROR" if fault else "ACTIVE",
        "created": "2026-11-22T09:00:00",
        "updated": "2026-11-22T09:30:00",
        "links": [],
    }
    if fault:
        info["fault"] = {"message": fault, "created": "2026-11-22T09:30:00", "details": "trace"}
    return info


def _page(instances, next_marker=None):
    links = []
    if next_marker:
        # Trove builds its links with https:// whatever the scheme of the request.
        href = f"https://trove.example.com:8779/v1.0/{TENANT}/instances/detail"
        links.append({"rel": "next", "href": f"{href}?limit=2&marker={next_marker}"})
    return {"instances": instances, "links": links}


class TroveTestCase(helpers.TestCase):
    def setUp(self):
        super().setUp()
        self.use_catalog([*copy.deepcopy(self.service_catalog), DATABASE_SERVICE])

    def use_catalog(self, catalog):
        """Log the test user in again with ``catalog``.

        Horizon's own ``_setup_user`` knows which user fields its Horizon
        version takes (25.7 and 27 differ).
        """
        self._setup_user(service_catalog=catalog)
        self.request.user = auth_utils.get_user(self.request)


class FaultedInstancesTests(TroveTestCase):
    def test_one_page_is_one_get_of_instances_detail(self):
        with requests_mock.Mocker() as http:
            http.get(DETAIL, json=_page([_instance(1, "boom"), _instance(2)]))
            instances, complete = trove.InstancesClient(self.request).faulted_instances()

        self.assertEqual(1, len(http.request_history))
        self.assertEqual("GET", http.request_history[0].method)
        self.assertEqual("/v1.0/" + TENANT + "/instances/detail", http.request_history[0].path)
        self.assertEqual(self.token.id, http.request_history[0].headers["X-Auth-Token"])
        self.assertTrue(complete)
        self.assertEqual([_instance(1, "boom")["id"]], [i["id"] for i in instances])

    def test_only_instances_with_a_fault_are_returned_with_the_fault(self):
        listed = [_instance(1), _instance(2, "Polling request timed out."), _instance(3)]
        with requests_mock.Mocker() as http:
            http.get(DETAIL, json=_page(listed))
            instances, _complete = trove.InstancesClient(self.request).faulted_instances()
        self.assertEqual(["db-2"], [i["name"] for i in instances])
        self.assertEqual("Polling request timed out.", instances[0]["fault"]["message"])

    def test_follows_the_next_link_marker_one_get_per_page(self):
        first = [_instance(1, "first fault"), _instance(2)]
        second = [_instance(3), _instance(4, "second fault")]
        third = [_instance(5, "third fault")]
        with requests_mock.Mocker() as http:
            http.get(DETAIL, json=_page(first, next_marker=first[-1]["id"]))
            http.get(
                f"{DETAIL}?marker={first[-1]['id']}",
                complete_qs=False,
                json=_page(second, next_marker=second[-1]["id"]),
            )
            http.get(f"{DETAIL}?marker={second[-1]['id']}", json=_page(third))
            instances, complete = trove.InstancesClient(self.request).faulted_instances()

        self.assertTrue(complete)
        self.assertEqual(
            ["first fault", "second fault", "third fault"],
            [i["fault"]["message"] for i in instances],
        )
        markers = [r.qs.get("marker") for r in http.request_history]
        self.assertEqual([None, [first[-1]["id"]], [second[-1]["id"]]], markers)
        self.assertTrue(all(r.scheme == "http" for r in http.request_history))
        self.assertTrue(all(r.path.endswith("/instances/detail") for r in http.request_history))

    def test_stops_at_the_page_limit_and_says_it_is_incomplete(self):
        def endless(request, context):
            number = int((request.qs.get("marker") or ["0"])[0][-12:]) + 1
            return _page(
                [_instance(number, f"fault {number}")], next_marker=_instance(number)["id"]
            )

        with requests_mock.Mocker() as http, self.settings(EVENT_VIEWER_TROVE_MAX_PAGES=3):
            http.get(DETAIL, json=endless)
            instances, complete = trove.InstancesClient(self.request).faulted_instances()

        self.assertFalse(complete)
        self.assertEqual(3, len(http.request_history))
        self.assertEqual(
            ["fault 1", "fault 2", "fault 3"], [i["fault"]["message"] for i in instances]
        )

    def test_last_page_at_the_limit_is_complete(self):
        with requests_mock.Mocker() as http, self.settings(EVENT_VIEWER_TROVE_MAX_PAGES=1):
            http.get(DETAIL, json=_page([_instance(1, "boom")]))
            _instances, complete = trove.InstancesClient(self.request).faulted_instances()
        self.assertTrue(complete)


class FailureTests(TroveTestCase):
    def _failure(self, **response):
        with requests_mock.Mocker() as http:
            http.get(DETAIL, **response)
            with self.assertRaises(SourceError) as raised:
                trove.InstancesClient(self.request).faulted_instances()
        self.assertEqual("trove", raised.exception.source)
        self.assertIn("Database (Trove)", raised.exception.message)
        return raised.exception

    def test_unreachable_trove_is_reported(self):
        error = self._failure(exc=ks_exceptions.ConnectFailure)
        self.assertIn("is not reachable", error.message)

    def test_timeout_is_reported_with_the_bound(self):
        with self.settings(EVENT_VIEWER_SOURCE_TIMEOUT=2.5):
            error = self._failure(exc=ks_exceptions.ConnectTimeout)
        self.assertIn("did not answer within 2.5 s", error.message)

    def test_server_error_is_reported_with_the_status(self):
        error = self._failure(
            status_code=500,
            headers={"Content-Type": "application/json"},
            json={"computeFault": {"code": 500, "message": "Something went wrong"}},
        )
        self.assertIn("500", error.message)
        self.assertIn("Something went wrong", error.message)

    def test_missing_instance_is_not_found_for_the_view(self):
        with requests_mock.Mocker() as http:
            http.get(
                f"{BASE}/instances/nope",
                status_code=404,
                json={"itemNotFound": {"code": 404, "message": "not found"}},
            )
            with self.assertRaises(trove.NotFound):
                trove.InstancesClient(self.request).get("nope")

    def test_no_database_service_in_the_catalog_is_unavailable(self):
        self.use_catalog(copy.deepcopy(self.service_catalog))
        with self.assertRaisesRegex(FeatureUnavailable, "not in the catalog") as raised:
            trove.InstancesClient(self.request)
        self.assertEqual("trove", raised.exception.source)
