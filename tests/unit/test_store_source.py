"""The "Service events" source: the collector's rows read through event_viewer.api.store.

Real rows in the test database (SQLite, or PostgreSQL / MariaDB with
EVENT_VIEWER_TEST_DB), no fakes: the filters, the scope and the paging are
the database's work, so that is what these tests run.
"""

import dataclasses
import datetime
import logging
import uuid
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from event_viewer import config, filters, paging, sources
from event_viewer.api import store
from event_viewer.api.errors import SourceError
from event_viewer.events import Event
from event_viewer.filters import Query
from event_viewer.models import ServiceEvent
from tests.unit import helpers
from tests.unit.rows import (
    START,
    NotMigratedServiceEvent,
    at,
    service_event,
    service_events,
    without_a_database,
)

OTHER_PROJECT = "2"
REQUEST_ID = "req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e"
RESOURCE_ID = "0f1d7c2a-2f43-4f0c-9b9a-0c3a3c5b9e11"


class StoreTestCase(helpers.TestCase):
    @pytest.fixture(autouse=True)
    def _caplog(self, caplog):
        self.caplog = caplog

    def source(self, query=None, all_projects=False, operator_details=True):
        """The source as one whom event_viewer:view_operator_details allows sees it.

        (What the others see: tests/unit/test_operator_details.py.)
        """
        with mock.patch("event_viewer.policy.allows", return_value=operator_details):
            return sources.StoreSource(self.request, query or Query(), all_projects=all_projects)

    def listed(self, query=None, all_projects=False, limit=100, newest_first=True):
        events = self.source(query, all_projects).fetch(None, limit, newest_first)
        return [int(e.native_id) for e in events]


class FilterMappingTests(StoreTestCase):
    """Each Query field is a condition of the query: a page of one row finds the one match
    below many newer rows that do not match (a filter applied after the limit would not)."""

    def test_each_field_is_applied_by_the_database(self):
        cases = [
            ("text", "NO VALID", {"summary": "No valid backend was found."}),
            ("resource_type", "VOLUME_SNAPSHOT", {"resource_type": "VOLUME_SNAPSHOT"}),
            ("resource_id", RESOURCE_ID, {"resource_id": RESOURCE_ID}),
            ("event_id", "volume.create.end", {"event_type": "volume.create.end"}),
            ("request_id", REQUEST_ID, {"request_id": REQUEST_ID}),
            ("request_id", REQUEST_ID, {"global_request_id": REQUEST_ID}),
            ("level", "WARNING", {"level": "WARNING"}),
            ("project", OTHER_PROJECT, {"project_id": OTHER_PROJECT}),
            ("host", "node-9", {"host": "node-9"}),
            ("user", "u-bob", {"user_id": "u-bob"}),
            ("outcome", "pass", {"outcome": "pass"}),
        ]
        for field, value, stored in cases:
            with self.subTest(field=field, stored=stored):
                ServiceEvent.objects.all().delete()
                match = service_event(created_at=at(60), **stored)
                for n in range(5):
                    service_event(
                        created_at=at(n),
                        summary="Quota exceeded.",
                        resource_type="VOLUME",
                        event_type="scheduler.create_volume",
                        level="ERROR",
                        project_id="1",
                        host="node-1",
                        user_id="u-alice",
                        outcome="fail",
                    )
                query = Query(**{field: value})
                with CaptureQueriesContext(connection) as queries:
                    found = self.listed(query, all_projects=True, limit=1)
                self.assertEqual([match.pk], found)
                self.assertEqual(1, len(selects(queries)))

    def test_time_range_is_applied_by_the_database(self):
        inside = [service_event(created_at=at(n)) for n in (5, 6)]
        for n in (0, 1, 10):
            service_event(created_at=at(n))
        query = Query(since=at(6), until=at(5))
        self.assertEqual([e.pk for e in inside], self.listed(query))

    def test_filter_values_from_the_filter_box_reach_the_store(self):
        row = service_event(level="WARNING", outcome="pass", event_type="volume.create.end")
        service_event()
        for field, value in (
            ("level", "warning"),
            ("outcome", "PASS"),
            ("event_id", "volume.create.end"),
            ("source", "Service events"),
        ):
            with self.subTest(field=field):
                query = filters.parse(field, value, filters.ADMIN_FIELDS)
                self.assertIn(row.pk, self.listed(query, all_projects=True))

    def test_the_source_filter_knows_the_store(self):
        self.assertEqual("collector", filters.parse("source", "service events").source)
        self.assertEqual("collector", filters.parse("source", "collector").source)


class MemberScopeTests(StoreTestCase):
    def setUp(self):
        super().setUp()
        self.mine = service_event(project_id=self.request.user.project_id, created_at=at(3))
        self.theirs = service_event(project_id=OTHER_PROJECT, created_at=at(2))
        self.nobodys = service_event(project_id="", created_at=at(1))

    def test_a_member_lists_only_the_tokens_project(self):
        self.assertEqual([self.mine.pk], self.listed())

    def test_a_project_filter_never_widens_a_members_scope(self):
        self.assertEqual([], self.listed(Query(project=OTHER_PROJECT)))

    def test_the_admin_panel_lists_every_project_and_rows_without_one(self):
        self.assertEqual(
            [self.nobodys.pk, self.theirs.pk, self.mine.pk], self.listed(all_projects=True)
        )

    def test_an_empty_scope_matches_nothing_not_the_rows_without_a_project(self):
        self.assertEqual([], store.list_events(Query(), project_id=""))
        self.assertEqual([], store.list_events(Query(), project_id=None))

    def test_get_is_scoped(self):
        scope = self.request.user.project_id
        self.assertEqual(self.mine.pk, store.get_event(str(self.mine.pk), scope).pk)
        for row in (self.theirs, self.nobodys):
            with self.subTest(row=row.project_id), self.assertRaises(store.NotFound):
                store.get_event(str(row.pk), scope)
        for bad in ("abc", "0", "-1", "01", ""):
            with self.subTest(bad=bad), self.assertRaises(store.NotFound):
                store.get_event(bad, store.ALL_PROJECTS)

    def test_delete_is_scoped_and_says_what_it_deleted(self):
        scope = self.request.user.project_id
        deleted = store.delete_events(
            [str(self.theirs.pk), str(self.nobodys.pk), "not-an-id", str(self.mine.pk)], scope
        )
        self.assertEqual([self.mine.pk], deleted)
        self.assertEqual(
            {self.theirs.pk, self.nobodys.pk},
            set(ServiceEvent.objects.values_list("pk", flat=True)),
        )

    def test_matching_ids_are_scoped_and_capped(self):
        more = [service_event(created_at=at(10 + n)) for n in range(3)]
        ids, complete = store.matching_ids(Query(), self.request.user.project_id, 10)
        self.assertEqual([self.mine.pk] + [r.pk for r in more], ids)
        self.assertTrue(complete)
        ids, complete = store.matching_ids(Query(), self.request.user.project_id, 2)
        self.assertEqual(2, len(ids))
        self.assertFalse(complete)


class KeysetPagingTests(StoreTestCase):
    def setUp(self):
        super().setUp()
        # Seven rows share one time: only the id orders them.
        self.rows = [service_event(created_at=at(n)) for n in (0, 1)]
        self.rows += [service_event(created_at=at(5)) for _ in range(7)]
        self.rows += [service_event(created_at=at(n)) for n in (8, 9, 30)]
        self.newest_first = [
            r.pk for r in sorted(self.rows, key=lambda r: (r.created_at, r.pk), reverse=True)
        ]

    def walk(self, page_size, newest_first=True):
        """Next to the end, then Prev back to the start: the ids of every page shown."""
        source = [self.source()]
        marker, forward_pages = paging.Marker({}, newest_first), []
        while marker:
            page, errors, _notes = sources.fetch_page(source, marker, page_size)
            self.assertEqual([], errors)
            forward_pages.append([int(e.native_id) for e in page.events])
            last, marker = page, page.next_marker
        marker, back_pages = last.prev_marker, []
        while marker:
            page, _errors, _notes = sources.fetch_page(source, marker, page_size)
            back_pages.append([int(e.native_id) for e in page.events])
            marker = page.prev_marker
        return forward_pages, back_pages

    def test_forward_and_back_through_ties_in_created_at(self):
        for page_size in (1, 2, 3, 4, 5, 20):
            for newest_first in (True, False):
                with self.subTest(page_size=page_size, newest_first=newest_first):
                    expected = self.newest_first if newest_first else self.newest_first[::-1]
                    forward, back = self.walk(page_size, newest_first)
                    self.assertEqual(expected, [pk for page in forward for pk in page])
                    self.assertTrue(all(len(p) == page_size for p in forward[:-1]))
                    self.assertEqual(forward[:-1][::-1], back)

    def test_each_page_asks_the_database_for_one_row_more_than_it_shows(self):
        with CaptureQueriesContext(connection) as queries:
            sources.fetch_page([self.source()], paging.Marker({}), 3)
        self.assertEqual(1, len(selects(queries)))
        self.assertRegex(selects(queries)[0], r"LIMIT 4\b")

    def test_the_cursor_is_the_time_and_id(self):
        event = self.source().fetch(None, 1, newest_first=True)[0]
        cursor = self.source().cursor_of(event)
        self.assertEqual(f"{event.created_at.isoformat()}|{event.native_id}", cursor)
        self.assertEqual((event.created_at, int(event.native_id)), store.decode_cursor(cursor))

    def test_an_edited_cursor_is_a_bad_marker(self):
        for cursor in ("garbage", "2026-11-22T12:00:00|x", "yesterday|4", "|4"):
            with self.subTest(cursor=cursor), self.assertRaises(paging.BadMarker):
                self.source().fetch(cursor, 5, newest_first=True)

    def test_a_cursor_that_parses_but_holds_nonsense_is_a_bad_marker(self):
        # Naive or calendar-edge times reached the database (a naive one is
        # read in another timezone, an edge one overflows), a huge id overflowed
        # the driver (SQLite: OverflowError): each was a 500.
        for cursor in (
            "2026-11-22T12:00:00|4",
            "9999-12-31T23:59:00-12:00|4",
            "0001-01-01T00:00:00+12:00|4",
            "2026-11-22T12:00:00+00:00|" + "9" * 30,
            "2026-11-22T12:00:00+00:00|9223372036854775808",
            "2026-11-22T12:00:00+00:00|0",
            "2026-11-22T12:00:00+00:00|\u0663",
        ):
            with self.subTest(cursor=cursor), self.assertRaises(paging.BadMarker):
                self.source().fetch(cursor, 5, newest_first=True)

    def test_the_largest_id_is_a_cursor_still(self):
        cursor = "2026-11-22T12:00:00+00:00|9223372036854775807"
        self.assertEqual(2**63 - 1, store.decode_cursor(cursor)[1])
        self.source().fetch(cursor, 5, newest_first=True)

    def test_ids_order_as_numbers_where_times_tie(self):
        a, b = (
            Event(source="collector", native_id=n, created_at=START, summary="")
            for n in ("9", "10")
        )
        self.assertLess(a.sort_key, b.sort_key)


class IndexUseTests(StoreTestCase):
    """A page is one walk of an index in the page's order, with no sort and no full read.

    So its cost follows the page size, not the number of rows. Each database
    says so in its own words, and the tests run on each (SQLite here; PostgreSQL
    and MariaDB in tools/run-tests):

    - SQLite: ``SEARCH ... USING INDEX <name> (<columns>)``; a sort would add
      ``USE TEMP B-TREE FOR ORDER BY`` and a full read ``SCAN``.
    - PostgreSQL: ``Index Scan [Backward] using <name>``; ``Sort`` or ``Seq Scan``
      otherwise.
    - MariaDB: the ``key`` column names the index; ``Using filesort`` or the
      access type ``ALL`` otherwise.
    """

    def setUp(self):
        super().setUp()
        # Enough rows spread over projects, hosts and users that a planner
        # weighing its statistics has a reason to pick the narrow index.
        service_events(
            {
                "project_id": str(n % 7),
                "host": f"node-{n % 11}",
                "user_id": f"u-{n % 13}",
                "request_id": f"req-{n}",
                "created_at": at(n),
            }
            for n in range(300)
        )

    def plan(self, query, scope, combines_indexes=False):
        if connection.vendor == "postgresql":
            # A few hundred rows: PostgreSQL rightly prefers to read them all
            # (or a bitmap of them) and sort; what matters is that the index
            # can serve the page in order, as it does at a million rows.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                if not combines_indexes:
                    cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor = store.encode_cursor(at(100), 42)
        return store.page_query(query, scope, cursor, newest_first=True)[:21].explain()

    def assert_walks_index(self, plan, index, sqlite_columns):
        vendor = connection.vendor
        if vendor == "sqlite":
            self.assertIn(
                f"SEARCH event_viewer_serviceevent USING INDEX {index} ({sqlite_columns}", plan
            )
            self.assertNotIn("TEMP B-TREE", plan)
            self.assertNotIn("SCAN", plan)
        elif vendor == "postgresql":
            self.assertIn(f"Index Scan Backward using {index} ", plan)
            self.assertNotIn("Sort", plan)
            self.assertNotIn("Seq Scan", plan)
        elif vendor == "mysql":
            # One row: id select_type table type possible_keys key key_len ref rows Extra
            columns = plan.split()
            self.assertEqual(index, columns[5], plan)
            self.assertNotEqual("ALL", columns[3], plan)
            self.assertNotIn("filesort", plan)
        else:
            self.fail(f"no plan check for the {vendor} database")

    def test_the_member_query_walks_the_project_index(self):
        plan = self.plan(Query(), "1")
        self.assert_walks_index(plan, "ev_svc_project_time", "project_id=? AND created_at")

    def test_admin_queries_walk_the_index_of_the_fixed_column(self):
        for query, index, columns in (
            (Query(), "ev_svc_time", "created_at"),
            (Query(host="node-1"), "ev_svc_host_time", "host=? AND created_at"),
            (Query(user="u-1"), "ev_svc_user_time", "user_id=? AND created_at"),
            (Query(project="1"), "ev_svc_project_time", "project_id=? AND created_at"),
        ):
            with self.subTest(index=index):
                self.assert_walks_index(self.plan(query, store.ALL_PROJECTS), index, columns)

    def test_a_request_id_is_looked_up_in_both_request_id_indexes(self):
        # Either of two columns: the databases combine two index look-ups
        # (SQLite's MULTI-INDEX OR, PostgreSQL's BitmapOr, MariaDB's
        # index_merge) and sort the few rows found.
        plan = self.plan(Query(request_id="req-7"), store.ALL_PROJECTS, combines_indexes=True)
        self.assertIn("ev_svc_request", plan)
        self.assertIn("ev_svc_global_request", plan)


class EventFieldsTests(StoreTestCase):
    def test_a_row_becomes_an_event_with_its_type_as_event_id(self):
        row = service_event(
            global_request_id="req-global",
            finished_at=START + datetime.timedelta(seconds=3),
            traceback="Traceback: SECRET-TRACE",
            payload='{"secret": "SECRET-PAYLOAD"}',
        )
        event = self.source().fetch(None, 5, newest_first=True)[0]
        expected = {
            "id": f"collector:{row.pk}",
            "event_id": "scheduler.create_volume",
            "outcome": "fail",
            "service": "scheduler",
            "publisher_id": "scheduler.node-1",
            "host": "node-1",
            "user_id": "u-alice",
            "project_id": "1",
            "request_id": row.request_id,
            "global_request_id": "req-global",
            "resource_name": "vol-a",
            "created_at": START,
            "finished_at": START + datetime.timedelta(seconds=3),
            "traceback": "",
            "payload": "",
        }
        self.assertEqual(expected, {k: getattr(event, k) for k in expected})
        self.assertEqual("Service events", str(event.source_label))

    def test_lists_never_read_the_admin_only_columns(self):
        service_event(traceback="Traceback: SECRET-TRACE", payload="SECRET-PAYLOAD")
        with CaptureQueriesContext(connection) as queries:
            self.source(all_projects=True).fetch(None, 5, newest_first=True)
        (sql,) = (s.replace("`", '"') for s in selects(queries))
        self.assertNotIn('"traceback"', sql)
        self.assertNotIn('"payload"', sql)

    def test_admin_text_is_read_only_when_asked_for(self):
        row = service_event(traceback="Traceback: SECRET-TRACE", payload="SECRET-PAYLOAD")
        full = store.get_event(str(row.pk), store.ALL_PROJECTS, admin_text=True)
        event = Event.from_service_event(full, with_traceback=True, with_payload=True)
        self.assertEqual(
            ("Traceback: SECRET-TRACE", "SECRET-PAYLOAD"), (event.traceback, event.payload)
        )
        plain = Event.from_service_event(full)
        self.assertEqual(("", ""), (plain.traceback, plain.payload))


class DatabaseErrorTests(StoreTestCase):
    def test_an_unreachable_database_is_a_source_error_and_logged(self):
        def refuse(execute, sql, params, many, context):
            raise OperationalError('connection to server at "10.0.0.5" failed: Connection refused')

        with (
            self.caplog.at_level(logging.WARNING, logger="event_viewer"),
            connection.execute_wrapper(refuse),
            self.assertRaises(SourceError) as raised,
        ):
            self.source().fetch(None, 5, newest_first=True)
        self.assertEqual("collector", raised.exception.source)
        self.assertEqual(
            "Service events: the Event Viewer's database is not reachable "
            '(connection to server at "10.0.0.5" failed: Connection refused).',
            raised.exception.detail,
        )
        # What members read: no host.
        self.assertEqual(
            "Service events: the Event Viewer's database is not reachable.",
            raised.exception.message,
        )
        self.assertIn("Connection refused", self.caplog.text)

    def test_a_database_without_the_tables_says_to_migrate(self):
        with (
            mock.patch("event_viewer.api.store.ServiceEvent", NotMigratedServiceEvent),
            self.assertRaises(SourceError) as raised,
        ):
            self.source().fetch(None, 5, newest_first=True)
        self.assertIn("python -m django migrate event_viewer", raised.exception.message)
        # The failed statement did not spoil the test's (the request's) transaction.
        self.assertEqual(0, ServiceEvent.objects.count())


class EnabledTests(StoreTestCase):
    def test_enabled_with_a_real_database(self):
        self.assertTrue(config.service_events_enabled())

    def test_disabled_with_djangos_dummy_backend(self):
        with without_a_database():
            self.assertFalse(config.service_events_enabled())

    def test_disabled_when_the_alias_is_not_configured(self):
        with override_settings(EVENT_VIEWER_DATABASE="no-such-alias"):
            self.assertFalse(config.service_events_enabled())


def selects(queries):
    """The statements that read rows (not the savepoints around them inside a test)."""
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]


class SourceErrorInPageTests(StoreTestCase):
    def test_a_failing_store_leaves_the_other_sources_on_the_page(self):
        class Other(sources.Source):
            name, label = "trove", "Database (Trove)"

            def fetch(self, cursor, limit, newest_first):
                return [
                    Event(
                        source="trove", native_id=str(uuid.uuid4()), created_at=START, summary="x"
                    )
                ]

            def cursor_of(self, event):
                return event.native_id

        def refuse(execute, sql, params, many, context):
            raise OperationalError("Connection refused")

        with connection.execute_wrapper(refuse):
            page, errors, _notes = sources.fetch_page(
                [self.source(), Other(self.request, Query())], paging.Marker({}), 20
            )
        self.assertEqual(["trove"], [e.source for e in page.events])
        self.assertEqual(["collector"], [e.source for e in errors])


def test_queries_keep_their_fields():
    # Query fields the store maps must exist (a renamed field would silently match all).
    names = {f.name for f in dataclasses.fields(Query)}
    assert set(store.EXACT_FILTERS) <= names
