"""Every text the plugin shows is translatable, and its catalogue is current.

* The pages in a pseudo-language (``tests/unit/pseudo_pages.py``): the
  plugin's pages, with fake data of every source, its error messages and filter
  errors, rendered in a language whose catalogue is ``makemessages``' output with
  every letter accented. What is left in plain ASCII words, once the fake data
  and Horizon's and Django's own texts are taken out, is a text that did not go
  through the catalogue.
* The committed catalogue is what ``makemessages`` makes of today's code.

``tests/unit/test_translatable_sources.py`` looks at the sources themselves,
for the branches no page here renders.
"""

import re
import time
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from keystoneauth1 import exceptions as ks_exceptions
from troveclient import exceptions as trove_exceptions

from event_viewer.api import cinder, trove
from event_viewer.models import ServiceReport
from tests.unit import fakes, helpers, pseudo_locale
from tests.unit.pseudo_pages import WORD, PseudoLocaleMixin, extracted_catalogue
from tests.unit.test_admin_index import PROJECTS, AdminTestCase
from tests.unit.test_admin_reports import store as stored_report

PROJECT = "horizon:project:event_viewer:"
ADMIN = "horizon:admin:event_viewer:"
TRACE = "Traceback (most recent call last):\n  File x\nPollTimeOut: trace text"
# Driver text a database error carries: service data, not the plugin's.
DRIVER_TEXT = 'connection to server at "127.0.0.1", port 5432 failed: refused'
CINDER_REFUSAL = "Invalid input received: bad marker"


def refuse_connections(execute, sql, params, many, context):
    """What a stopped database server answers, for every statement of this connection."""
    raise OperationalError(DRIVER_TEXT)


class UnreachableCinder(fakes.FakeMessagesClient):
    """Cinder's client failing as keystoneauth reports a refused connection."""

    def list(self, *args, **kwargs):
        with cinder.translate_errors():
            raise ks_exceptions.ConnectFailure("Unable to establish connection to cinder")


class HangingCinder(fakes.FakeMessagesClient):
    def list(self, *args, **kwargs):
        time.sleep(0.3)
        return []


class RefusingCinder(fakes.FakeMessagesClient):
    def list(self, *args, **kwargs):
        with cinder.translate_errors():
            raise cinder.cinder_exceptions.BadRequest(400, CINDER_REFUSAL)


class RefusingTrove(fakes.FakeInstancesClient):
    def faulted_instances(self):
        with trove.translate_errors():
            raise trove_exceptions.Forbidden(403, "Policy doesn't allow it")


class ProjectPagesTests(PseudoLocaleMixin, helpers.TestCase):
    def setUp(self):
        super().setUp()
        self.remember(DRIVER_TEXT, CINDER_REFUSAL)

    def get(self, url, messages=(), instances=(), data=None, method="get"):
        messages_client = (
            messages
            if isinstance(messages, fakes.FakeMessagesClient)
            else fakes.FakeMessagesClient(messages)
        )
        instances_client = (
            instances
            if isinstance(instances, fakes.FakeInstancesClient)
            else fakes.FakeInstancesClient(instances)
        )
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", messages_client),
            mock.patch("event_viewer.api.trove.InstancesClient", instances_client),
            mock.patch(
                "event_viewer.sources.resource_status", return_value=self.remember("available")
            ),
        ):
            return getattr(self.client, method)(url, data or {})

    def set_filter(self, field, value):
        key = "events__filter__q"
        self.get(
            reverse(PROJECT + "index"), method="post", data={key: value, key + "_field": field}
        )

    def test_the_index_with_every_source(self):
        project = self.request.user.project_id
        self.service_event(project_id=project)
        self.service_event(project_id=project, outcome="pass")
        response = self.get(
            reverse(PROJECT + "index"),
            [self.cinder_message()],
            [self.trove_instance("Polling request timed out.", name="orders-db")],
        )
        self.assert_translated(response, "project index")

    def test_the_detail_of_each_source(self):
        message = self.cinder_message()
        fault = self.trove_instance("Polling request timed out.", name="orders-db")
        row = self.service_event(project_id=self.request.user.project_id)
        for ref in (f"cinder:{message.id}", f"trove:{fault.id}", f"collector:{row.pk}"):
            with self.subTest(ref=ref):
                self.remember(ref)  # the event's id, in its page title
                response = self.get(reverse(PROJECT + "detail", args=(ref,)), [message], [fault])
                self.assert_translated(response, f"project detail {ref}")

    def test_the_delete_matching_confirmation(self):
        self.service_event(project_id=self.request.user.project_id)
        response = self.get(reverse(PROJECT + "delete_matching"), [self.cinder_message()])
        self.assert_translated(response, "delete matching")

    def test_filter_errors(self):
        self.remember("nope")  # the unknown field's name, quoted back
        for field, value in (("level", "LOUD"), ("resource_id", "not-a-uuid"), ("nope", "x")):
            with self.subTest(field=field):
                self.remember(value)  # what the user typed, quoted back
                self.set_filter(field, value)
                self.assert_translated(self.get(reverse(PROJECT + "index")), f"filter {field}")

    def test_filter_notes(self):
        self.set_filter("text", "timed out")
        response = self.get(
            reverse(PROJECT + "index"),
            [self.cinder_message()],
            [self.trove_instance("Polling request timed out.")],
        )
        self.assert_translated(response, "notes of a text filter")

    def test_source_errors(self):
        """In the user's language, though Cinder's and Trove's arise in the page's pool threads."""
        cases = {
            "cinder unreachable": (UnreachableCinder(), ()),
            "cinder refuses": (RefusingCinder(), RefusingTrove()),
        }
        for case, (messages, instances) in cases.items():
            with self.subTest(case=case):
                response = self.get(reverse(PROJECT + "index"), messages, instances)
                self.assert_translated(response, case)

    def test_a_source_past_its_deadline(self):
        with self.settings(EVENT_VIEWER_SOURCE_TIMEOUT=0.1):
            response = self.get(reverse(PROJECT + "index"), HangingCinder())
        self.assert_translated(response, "cinder hangs")

    def test_the_outcome_of_a_delete(self):
        kept, gone = self.cinder_message(), self.cinder_message()
        messages = fakes.FakeMessagesClient([kept])  # ``gone`` no longer exists
        ids = [f"cinder:{kept.id}", f"cinder:{gone.id}"]
        self.remember(*ids)
        response = self.get(
            reverse(PROJECT + "index"),
            messages,
            data={"action": "events__delete", "object_ids": ids},
            method="post",
        )
        self.assertEqual(302, response.status_code)
        self.assert_translated(self.get(reverse(PROJECT + "index"), messages), "after a delete")

    def test_database_down(self):
        with connection.execute_wrapper(refuse_connections):
            response = self.get(reverse(PROJECT + "index"))
        self.assert_translated(response, "database down")


class AdminPagesTests(PseudoLocaleMixin, AdminTestCase):
    def setUp(self):
        super().setUp()
        self.remember(TRACE, PROJECTS, "alice", "bob")

    def test_the_index_and_details(self):
        message = self.cinder_message()
        fault = self.trove_instance(
            "Polling request timed out.",
            details=TRACE,
            tenant_id="p-alpha",
            server={"host": "db-node-1"},
        )
        row = self.service_event(project_id="p-alpha", traceback=TRACE, payload='{"a": 1}')
        self.assert_translated(
            self.get(reverse(ADMIN + "index"), [message], [fault]), "admin index"
        )
        for ref in (f"cinder:{message.id}", f"trove:{fault.id}", f"collector:{row.pk}"):
            with self.subTest(ref=ref):
                self.remember(ref)  # the event's id, in its page title
                response = self.get(reverse(ADMIN + "detail", args=(ref,)), [message], [fault])
                self.assert_translated(response, f"admin detail {ref}")

    def test_by_host_and_delete_matching(self):
        self.service_event(project_id="p-alpha", host="node-1")
        self.service_event(project_id="p-beta", host="")
        self.set_filter("time", "2026-11-01..2026-12-01")
        for name in ("by_host", "delete_matching"):
            with self.subTest(page=name):
                response = self.get(reverse(ADMIN + name), [self.cinder_message()])
                self.assert_translated(response, name)

    def test_admin_filter_errors(self):
        for field, value in (("time", "yesterday"), ("time", "2026-11-02..2026-11-01")):
            with self.subTest(value=value):
                self.remember(value)  # what the user typed, quoted back
                self.set_filter(field, value)
                self.assert_translated(self.get(reverse(ADMIN + "index")), f"filter {value}")

    def test_reports(self):
        report = stored_report(sections=[{"title": "Package", "body": "version = 1"}])
        self.remember(report.service, report.host, report.path, "Package")
        self.assert_translated(self.client.get(reverse(ADMIN + "reports")), "reports")
        detail = self.client.get(reverse(ADMIN + "report_detail", args=(report.id,)))
        self.assert_translated(detail, "report detail")
        empty = ServiceReport.objects.create(
            path="/r/empty",
            service="cinder-volume",
            host="node-2",
            sections=[],
            size=0,
            created_at=report.created_at,
        )
        self.remember(empty.service, empty.host, empty.path)
        detail = self.client.get(reverse(ADMIN + "report_detail", args=(empty.id,)))
        self.assert_translated(detail, "report without sections")


def test_the_committed_catalogue_is_what_makemessages_makes_of_the_code():
    extracted = pseudo_locale.msgids(pseudo_locale.read_catalogue(extracted_catalogue()))
    committed = pseudo_locale.msgids(
        pseudo_locale.read_catalogue(pseudo_locale.COMMITTED_CATALOGUE)
    )
    missing, stale = sorted(extracted - committed, key=str), sorted(committed - extracted, key=str)
    assert not (missing or stale), (
        "event_viewer/locale/en/LC_MESSAGES/django.po is not current; refresh it as README.md "
        "says (Translations).\n  missing: "
        + "\n    ".join(map(repr, missing))
        + "\n  no longer in the code: "
        + "\n    ".join(map(repr, stale))
    )


@pytest.mark.parametrize(
    "text", ["Event Viewer", "%(count)d of %(total)s <b>x</b> &amp; {{ a.b }}"]
)
def test_the_pseudo_language_changes_every_letter_and_keeps_placeholders(text):
    marked = pseudo_locale.accent(text)
    assert not WORD.search(re.sub(r"%\([^)]*\)\w|<[^>]*>|&\w+;|\{\{.*?\}\}", "", marked))
    assert re.findall(r"%\([^)]*\)\w|<[^>]*>|&\w+;|\{\{.*?\}\}", marked) == re.findall(
        r"%\([^)]*\)\w|<[^>]*>|&\w+;|\{\{.*?\}\}", text
    )
