"""Random and hostile inputs at both panels: never a 500, never foreign or admin-only data.

A seeded random walk (``EVENT_VIEWER_FUZZ_SEED`` picks another walk; the seed
is in every failure) throws markers, cursors, filter values, time ranges,
event refs and confirmation tokens at the index, detail, export and
delete-matching pages, as a member and as an admin. The clients are faked at
the ``event_viewer.api`` boundary with a second project's data present, and
the store holds real rows of both projects. Bounded in time, not in luck:
the walk stops after ``BUDGET_SECONDS``.
"""

import base64
import json
import os
import random
import time
import uuid
from unittest import mock
from urllib.parse import urlencode

from django.urls import reverse
from openstack_auth import utils as auth_utils
from openstack_dashboard.test import helpers as horizon_helpers

from event_viewer import paging
from tests.unit import fakes, helpers
from tests.unit.rows import at, service_event

SEED = int(os.environ.get("EVENT_VIEWER_FUZZ_SEED", "20261201"))
BUDGET_SECONDS = float(os.environ.get("EVENT_VIEWER_FUZZ_SECONDS", "12"))
OTHER_PROJECT = "2"

# What a member must never see: the other project's texts and the operators'.
FOREIGN = "FOREIGN-TEXT"
HOST = "node-secret-host"
TRACE = "Traceback (most recent call last):\n  File x\nBoom: SECRET-TRACE"
PAYLOAD = '{"note": "SECRET-PAYLOAD"}'
ADMIN_ONLY = (FOREIGN, HOST, "SECRET-TRACE", "SECRET-PAYLOAD", "Traceback (most recent")

FIELDS = (
    "text",
    "resource_type",
    "resource_id",
    "event_id",
    "request_id",
    "level",
    "source",
    "outcome",
    "project",
    "host",
    "user",
    "time",
    "",
    "bogus",
    "__class__",
)
HOSTILE_VALUES = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "x" * 300,
    "x" * 5000,
    "\u202e\u0663\U0001f4a5",
    "9999-12-31T23:59-12:00..",
    "0001-01-01T00:00+12:00..",
    "..9999-12-31",
    "2026-11-21..2026-11-20",
    "2026-11-21T25:00..",
    "..",
    "....",
    "2026-11-21..",
    OTHER_PROJECT,
    "VOLUME",
    "ERROR",
    "pass",
    "collector",
    "req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e",
    "0f1d7c2a-2f43-4f0c-9b9a-0c3a3c5b9e11",
    HOST,
)
CURSOR_TIMES = (
    "2026-11-22T12:00:00",
    "2026-11-22T12:00:00+00:00",
    "9999-12-31T23:59:00-12:00",
    "0001-01-01T00:00:00+12:00",
    "1969-01-01T00:00:00+00:00",
    "not-a-time",
    "",
)

CURSOR_IDS = ("1", "0", "9" * 40, "-3", "x", "5a3bba2e-0000-4000-8000-000000000000")


def b64(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class HostileWalk:
    """The random inputs of one walk (``rng`` decides everything)."""

    def __init__(self, rng, foreign_message_ids, foreign_event_pks, own_refs):
        self.rng = rng
        self.foreign_message_ids = foreign_message_ids
        self.foreign_event_pks = foreign_event_pks
        self.own_refs = own_refs

    def pick(self, options):
        return self.rng.choice(options)

    def junk(self, length=None):
        length = length if length is not None else self.rng.randint(0, 40)
        return "".join(
            chr(self.rng.choice((self.rng.randint(0, 0x7F), 0x2028, 0xFFFD, 0x1F4A5)))
            for _ in range(length)
        )

    def cursor(self):
        return self.pick(
            (
                None,
                self.junk(),
                str(uuid.uuid4()),
                self.pick(self.foreign_message_ids),
                f"{self.pick(CURSOR_TIMES)}|{self.pick(CURSOR_IDS)}",
                f"{self.pick(CURSOR_TIMES)}|{self.pick(self.foreign_event_pks)}",
            )
        )

    def marker(self):
        kind = self.rng.randint(0, 9)
        if kind == 0:
            return self.junk()
        if kind == 1:
            return b64(b"[" * 50000 + b"]" * 50000)  # nesting past the recursion limit
        if kind == 2:
            return b64(
                json.dumps(self.pick(([], {}, {"c": []}, {"c": {"cinder": 3}}, None))).encode()
            )
        if kind == 3:
            return "A" * self.pick((3000, 100000))
        cursors = {name: self.cursor() for name in ("cinder", "trove", "collector", self.junk(5))}
        return paging.Marker(cursors, self.rng.random() < 0.5, self.rng.random() < 0.5).encode()

    def filter_params(self):
        return {"filter_field": self.pick(FIELDS), "filter": self.value()}

    def value(self):
        return self.pick(HOSTILE_VALUES) if self.rng.random() < 0.8 else self.junk()

    def event_ref(self):
        return self.pick(
            (
                f"cinder:{self.pick(self.foreign_message_ids)}",
                f"collector:{self.pick(self.foreign_event_pks)}",
                self.pick(self.own_refs),  # own events: still no operator's detail
                self.pick(self.own_refs),
                f"collector:{'9' * 30}",
                "collector:0",
                f"trove:{uuid.uuid4()}",
                f"cinder:{self.junk(8).replace('/', '')}",
                f"nosuch:{uuid.uuid4()}",
                "cinder:..",
            )
        )


class HostileInputMixin:
    dashboard = "project"
    filter_param = "events__filter__q"

    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)
        mine = self.request.user.project_id
        self.assertNotEqual(OTHER_PROJECT, mine)
        own = [fakes.cinder_message(user_message=f"own message {n}") for n in range(3)]
        foreign = [
            fakes.cinder_message(user_message=f"{FOREIGN} cinder {n}", request_id=f"req-{FOREIGN}")
            for n in range(3)
        ]
        projects = {m.id: mine for m in own} | {m.id: OTHER_PROJECT for m in foreign}
        self.messages = fakes.FakeMessagesClient([*own, *foreign], projects=projects)
        instance = fakes.trove_instance(
            "Polling request timed out.", details=TRACE, server={"host": HOST}
        )
        self.instances = fakes.FakeInstancesClient([instance])
        self.own_rows = [
            service_event(
                project_id=mine,
                host=HOST,
                publisher_id=f"scheduler.{HOST}",
                traceback=TRACE,
                payload=PAYLOAD,
                created_at=at(n),
            )
            for n in range(3)
        ]
        self.foreign_rows = [
            service_event(
                project_id=OTHER_PROJECT,
                summary=f"{FOREIGN} store {n}",
                resource_name=FOREIGN,
                host=HOST,
                created_at=at(n),
            )
            for n in range(3)
        ]
        self.foreign_message_ids = [m.id for m in foreign]
        self.foreign_event_pks = [str(r.pk) for r in self.foreign_rows]

    def url(self, name, *args, params=None):
        url = reverse(f"horizon:{self.dashboard}:event_viewer:{name}", args=args)
        return f"{url}?{urlencode(params)}" if params else url

    def requests(self, walk):
        """One random request: ``(method, url, data)``."""
        kind = walk.rng.choice((0, 0, 0, 1, 1, 2, 3, 4, 4, 5, 6, 7))
        if kind == 0:
            param = walk.pick(("marker", "prev_marker"))
            return "get", self.url("index", params={param: walk.marker()}), None
        if kind == 1:
            params = {**walk.filter_params(), "marker": walk.marker()}
            return "get", self.url("index", params=params), None
        if kind == 2:
            params = {"sort": walk.pick(("asc", "desc", walk.junk(3)))}
            return "get", self.url("index", params=params), None
        if kind == 3:
            data = {
                self.filter_param: walk.value(),
                self.filter_param + "_field": walk.pick(FIELDS),
            }
            return "post", self.url("index"), data
        if kind == 4:
            return "get", self.url("detail", walk.event_ref()), None
        if kind == 5:
            fmt = walk.pick(("csv", "json"))
            return "get", self.url("export", fmt, params=walk.filter_params()), None
        if kind == 6:
            return "get", self.url("delete_matching", params=walk.filter_params()), None
        return "post", self.url("delete_matching"), {"confirmation": walk.junk()}

    def known_hostile(self, walk):
        """The reproductions of issue 9 first, so that every walk covers them."""
        foreign = walk.pick(self.foreign_message_ids)
        naive = f"2026-11-22T10:00:00|{self.instances.instances[0].id}"
        for cursors in (
            {"cinder": foreign},
            {"trove": naive},
            {"collector": f"9999-12-31T23:59:00-12:00|{'9' * 30}"},
            {"collector": "2026-11-22T10:00:00|3"},
        ):
            marker = paging.Marker(cursors).encode()
            yield "get", self.url("index", params={"marker": marker}), None
        for value in ("9999-12-31T23:59-12:00..", "0001-01-01T00:00+12:00..", "..9999-12-31"):
            params = {"filter_field": "time", "filter": value}
            yield "get", self.url("index", params=params), None
            yield "get", self.url("export", "csv", params=params), None
            yield "get", self.url("delete_matching", params=params), None
            data = {self.filter_param: value, self.filter_param + "_field": "time"}
            yield "post", self.url("index"), data
            yield "get", self.url("index"), None
        yield "post", self.url("index"), {self.filter_param: "", self.filter_param + "_field": ""}
        yield "get", self.url("index", params={"marker": walk.marker()}), None

    def check_response(self, response, described):
        self.assertNotEqual(500, response.status_code, described)

    def test_random_and_hostile_inputs(self):
        rng = random.Random(SEED)  # noqa: S311 (a reproducible walk, not a secret)
        own_refs = [
            f"collector:{self.own_rows[0].pk}",
            f"trove:{self.instances.instances[0].id}",
            f"cinder:{self.messages.messages[0].id}",
        ]
        walk = HostileWalk(rng, self.foreign_message_ids, self.foreign_event_pks, own_refs)
        deadline = time.monotonic() + BUDGET_SECONDS
        count = 0
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", self.messages),
            mock.patch("event_viewer.api.trove.InstancesClient", self.instances),
            mock.patch("event_viewer.api.keystone.project_names", return_value={"1": "alpha"}),
            mock.patch("event_viewer.api.keystone.user_names", return_value={}),
            mock.patch("event_viewer.sources.resource_status", return_value=""),
        ):
            known = self.known_hostile(walk)
            while time.monotonic() < deadline:
                method, url, data = next(known, None) or self.requests(walk)
                described = (
                    f"seed {SEED}, request {count}: {method.upper()} {url[:300]!r} {data!r:.300}"
                )
                try:
                    response = getattr(self.client, method)(url, data or {})
                except Exception as error:  # the test client re-raises a view's exception
                    raise AssertionError(f"{described} raised {error!r}") from error
                self.check_response(response, described)
                count += 1
        self.assertGreater(count, 20)
        # Nothing the walk sent deleted anything: no confirmation was ever genuine.
        self.assertEqual([], getattr(self.messages, "deleted", []))


class MemberHostileInputTests(HostileInputMixin, helpers.TestCase):
    def check_response(self, response, described):
        super().check_response(response, described)
        body = response.content.decode(errors="replace")
        for secret in (*ADMIN_ONLY, *self.foreign_message_ids):
            self.assertNotIn(secret, body, described)
        for pk in self.foreign_event_pks:
            self.assertNotIn(f"collector:{pk}", body, described)
            self.assertNotIn(f'"id": "collector:{pk}"', body, described)


class AdminHostileInputTests(HostileInputMixin, horizon_helpers.BaseAdminViewTests):
    dashboard = "admin"
    filter_param = "admin_events__filter__q"
