"""Export of the filtered failures as CSV and JSON (event_viewer.export)."""

import csv
import datetime
import io
import json
from unittest import mock

from django import http
from django.test import RequestFactory, SimpleTestCase

from event_viewer import export, sources
from event_viewer.api.errors import SourceError
from event_viewer.events import Event
from event_viewer.filters import Query
from tests.unit import fakes

HEADER = [
    "time",
    "source",
    "resource_type",
    "resource_id",
    "resource_name",
    "event_id",
    "level",
    "outcome",
    "summary",
    "request_id",
    "expires",
    "id",
]


class ExportTestCase(SimpleTestCase):
    def setUp(self):
        super().setUp()
        self.request = RequestFactory().get("/")  # the fakes never look at it
        self.messages = fakes.FakeMessagesClient(fakes.cinder_messages_newest_first(7))
        self.instances = fakes.FakeInstancesClient(
            [
                fakes.trove_instance("fault a", fault_created="2026-11-22T11:57:30"),
                fakes.trove_instance("fault b", fault_created="2026-11-22T11:54:30"),
                fakes.trove_instance(),  # no fault: never exported
            ]
        )

    def collect(self, most, messages=None, instances=None):
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", messages or self.messages),
            mock.patch("event_viewer.api.trove.InstancesClient", instances or self.instances),
        ):
            source_list = [
                sources.CinderSource(self.request, Query()),
                sources.TroveSource(self.request, Query()),
            ]
            return export.collect(source_list, most)


class CollectTests(ExportTestCase):
    def test_collects_all_sources_merged_newest_first(self):
        events, errors = self.collect(100)
        self.assertEqual([], errors)
        self.assertEqual(9, len(events))
        self.assertEqual(sorted(events, key=lambda e: e.sort_key, reverse=True), events)
        self.assertEqual(["cinder"] * 7 + ["trove"] * 2, sorted(e.source for e in events))

    def test_stops_at_the_most_rows(self):
        events, _errors = self.collect(4)
        everything, _errors = self.collect(100)
        self.assertEqual(everything[:4], events)

    def test_collects_across_several_pages(self):
        messages = fakes.FakeMessagesClient(fakes.cinder_messages_newest_first(450))
        events, errors = self.collect(1000, messages=messages)
        self.assertEqual([], errors)
        self.assertEqual(452, len(events))
        self.assertEqual(452, len({e.id for e in events}))
        self.assertGreater(len(messages.calls), 1)
        self.assertTrue(all(call["limit"] <= 201 for call in messages.calls))

    def test_a_failing_source_is_returned_with_the_rows_of_the_other(self):
        error = SourceError("cinder", "Block Storage (Cinder) is not reachable.")
        events, errors = self.collect(100, messages=fakes.FakeMessagesClient(error=error))
        self.assertEqual([error], errors)
        self.assertEqual(["fault a", "fault b"], [e.summary for e in events])


def _event(**fields):
    values = {
        "source": "cinder",
        "native_id": "5a3bba2e-7b7e-4f35-9d55-9a4e1f4b3a10",
        "created_at": datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC),
        "summary": 'Evil <script>alert("x")</script>, with a comma',
        "level": "ERROR",
        "event_id": "VOLUME_VOLUME_001_003",
        "resource_type": "VOLUME",
        "resource_id": "0f1d7c2a-2f43-4f0c-9b9a-0c3a3c5b9e11",
        "request_id": "req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e",
        "expires_at": datetime.datetime(2026, 12, 22, 10, 0, tzinfo=datetime.UTC),
    }
    values.update(fields)
    return sources.Event(**values)


def _trove_event():
    return sources.Event(
        source="trove",
        native_id="9d3c1f0e-1111-4222-8333-444455556666",
        created_at=datetime.datetime(2026, 11, 22, 9, 30, tzinfo=datetime.UTC),
        summary="Polling request timed out.",
        level="ERROR",
        resource_type="DATABASE_INSTANCE",
        resource_id="9d3c1f0e-1111-4222-8333-444455556666",
        resource_name="orders-db",
    )


class ResponseTests(SimpleTestCase):
    def _csv_rows(self, reply):
        return list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))

    def test_csv_has_a_header_and_one_line_per_event(self):
        reply = export.response("csv", [_event(), _trove_event()], [])
        self.assertEqual(200, reply.status_code)
        self.assertTrue(reply["Content-Type"].startswith("text/csv"))
        self.assertIn("event-viewer.csv", reply["Content-Disposition"])
        rows = self._csv_rows(reply)
        self.assertEqual(HEADER, rows[0])
        self.assertEqual(3, len(rows))

    def test_csv_values_are_the_raw_text(self):
        rows = self._csv_rows(export.response("csv", [_event()], []))
        row = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual('Evil <script>alert("x")</script>, with a comma', row["summary"])
        self.assertEqual("2026-11-22T10:00:00+00:00", row["time"])
        self.assertEqual("2026-12-22T10:00:00+00:00", row["expires"])
        self.assertEqual("cinder:5a3bba2e-7b7e-4f35-9d55-9a4e1f4b3a10", row["id"])
        self.assertEqual("req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e", row["request_id"])

    def test_csv_leaves_missing_values_empty(self):
        rows = self._csv_rows(export.response("csv", [_trove_event()], []))
        row = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(("", "", ""), (row["event_id"], row["request_id"], row["expires"]))
        self.assertEqual("orders-db", row["resource_name"])

    def test_json_is_valid_with_the_same_rows(self):
        events = [_event(), _trove_event()]
        reply = export.response("json", events, [])
        self.assertTrue(reply["Content-Type"].startswith("application/json"))
        data = json.loads(reply.content)
        csv_rows = self._csv_rows(export.response("csv", events, []))
        # A missing value is null in JSON where CSV can only leave the cell empty.
        as_text = [{k: "" if v is None else v for k, v in row.items()} for row in data]
        self.assertEqual([dict(zip(csv_rows[0], r, strict=True)) for r in csv_rows[1:]], as_text)
        self.assertEqual('Evil <script>alert("x")</script>, with a comma', data[0]["summary"])

    def test_unknown_format_is_not_found(self):
        for export_format in ("xlsx", "html", ""):
            with self.subTest(export_format=export_format), self.assertRaises(http.Http404):
                export.response(export_format, [_event()], [])

    def test_complete_export_has_no_incomplete_header(self):
        reply = export.response("csv", [_event()], [])
        self.assertFalse(reply.has_header("X-Event-Viewer-Incomplete"))

    def test_failed_sources_are_named_in_the_incomplete_header(self):
        errors = [
            SourceError("trove", "Database (Trove) is not reachable."),
            SourceError("cinder", "Block Storage (Cinder) is not reachable."),
            SourceError("cinder", "again"),
        ]
        for export_format in ("csv", "json"):
            with self.subTest(export_format=export_format):
                reply = export.response(export_format, [_event()], errors)
                self.assertEqual("cinder, trove", reply["X-Event-Viewer-Incomplete"])


class SpreadsheetSafetyTests(SimpleTestCase):
    def test_csv_cells_that_would_be_formulas_are_quoted_json_keeps_them(self):
        event = Event.from_cinder_message(
            fakes.cinder_message(user_message='=HYPERLINK("http://evil")')
        )
        csv_text = export.response("csv", [event], []).content.decode()
        self.assertIn("'=HYPERLINK", csv_text)
        json_text = export.response("json", [event], []).content.decode()
        self.assertIn('"=HYPERLINK', json_text)
