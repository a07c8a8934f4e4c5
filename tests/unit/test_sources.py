"""The sources (Cinder messages, Trove faults) and the merged page over them.

The clients are faked at the ``event_viewer.api`` boundary (tests/unit/fakes.py).
"""

import datetime
from unittest import mock

from django.test import RequestFactory, SimpleTestCase

from event_viewer import paging, sources
from event_viewer.api.errors import FeatureUnavailable, SourceError
from event_viewer.filters import Query
from tests.unit import fakes

START = datetime.datetime(2026, 11, 22, 12, 0, 0)


def _at(minutes_before_start):
    return (START - datetime.timedelta(minutes=minutes_before_start)).isoformat()


def _messages(count, **fields):
    """``count`` Cinder messages one minute apart, newest first, summaries numbered."""
    return [
        fakes.cinder_message(created_at=_at(n), user_message=f"message {n}", **fields)
        for n in range(count)
    ]


class SourceTestCase(SimpleTestCase):
    """The fakes never look at the request, so a bare one is enough (and fast)."""

    def setUp(self):
        super().setUp()
        self.request = RequestFactory().get("/")

    def patch_clients(self, messages=(), instances=()):
        self.messages = (
            messages
            if isinstance(messages, fakes.FakeMessagesClient)
            else fakes.FakeMessagesClient(messages)
        )
        self.instances = (
            instances
            if isinstance(instances, fakes.FakeInstancesClient)
            else fakes.FakeInstancesClient(instances)
        )
        for target, fake in (
            ("event_viewer.api.cinder.MessagesClient", self.messages),
            ("event_viewer.api.trove.InstancesClient", self.instances),
        ):
            patcher = mock.patch(target, fake)
            patcher.start()
            self.addCleanup(patcher.stop)


class CinderSourceTests(SourceTestCase):
    def test_query_fields_become_cinder_filter_keys(self):
        self.patch_clients(_messages(1))
        query = Query(
            resource_type="VOLUME",
            resource_id="0f1d7c2a-2f43-4f0c-9b9a-0c3a3c5b9e11",
            event_id="VOLUME_VOLUME_001_003",
            request_id="req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e",
            level="ERROR",
        )
        sources.CinderSource(self.request, query).fetch(None, 5, newest_first=True)
        self.assertEqual(
            {
                "resource_type": "VOLUME",
                "resource_uuid": "0f1d7c2a-2f43-4f0c-9b9a-0c3a3c5b9e11",
                "event_id": "VOLUME_VOLUME_001_003",
                "request_id": "req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e",
                "message_level": "ERROR",
            },
            self.messages.calls[0]["filters"],
        )

    def test_empty_query_sends_no_filters(self):
        self.patch_clients(_messages(1))
        sources.CinderSource(self.request, Query()).fetch(None, 5, newest_first=True)
        self.assertEqual(
            [{"filters": {}, "marker": None, "limit": 5, "sort_dir": "desc"}], self.messages.calls
        )

    def test_marker_limit_and_direction_are_passed_through(self):
        messages = _messages(6)
        self.patch_clients(messages)
        events = sources.CinderSource(self.request, Query()).fetch(
            messages[4].id, 2, newest_first=False
        )
        self.assertEqual(
            [{"filters": {}, "marker": messages[4].id, "limit": 2, "sort_dir": "asc"}],
            self.messages.calls,
        )
        self.assertEqual([messages[3].id, messages[2].id], [e.native_id for e in events])

    def test_events_carry_the_message_fields(self):
        message = fakes.cinder_message(user_message="No valid backend.", created_at=_at(0))
        self.patch_clients([message])
        (event,) = sources.CinderSource(self.request, Query()).fetch(None, 5, newest_first=True)
        self.assertEqual(("cinder", message.id), (event.source, event.native_id))
        self.assertEqual("No valid backend.", event.summary)
        self.assertEqual(message.resource_uuid, event.resource_id)
        self.assertEqual(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC), event.created_at)

    def test_cursor_is_the_message_id(self):
        message = fakes.cinder_message()
        self.patch_clients([message])
        source = sources.CinderSource(self.request, Query())
        (event,) = source.fetch(None, 5, newest_first=True)
        self.assertEqual(message.id, source.cursor_of(event))

    def test_all_projects_is_passed_to_the_client(self):
        self.patch_clients(_messages(1))
        sources.CinderSource(self.request, Query(), all_projects=True).fetch(None, 5, True)
        self.assertTrue(self.messages.all_projects)


class CinderTextFilterTests(SourceTestCase):
    def test_text_is_matched_in_the_plugin_case_insensitively(self):
        messages = _messages(6)
        messages[1]._info["user_message"] = "No valid BACKEND was found"
        messages[4]._info["user_message"] = "no valid backend was found"
        self.patch_clients(messages)
        source = sources.CinderSource(self.request, Query(text="Valid Backend"))
        events = source.fetch(None, 5, newest_first=True)
        self.assertEqual([messages[1].id, messages[4].id], [e.native_id for e in events])
        # Cinder cannot match text: the text is not sent as a filter.
        self.assertEqual({}, self.messages.calls[0]["filters"])
        self.assertEqual([], source.notes)

    def test_text_scan_reads_chunks_after_the_cursor_in_order(self):
        messages = _messages(250)
        for n in (10, 150, 220):
            messages[n]._info["user_message"] = f"needle {n}"
        self.patch_clients(messages)
        source = sources.CinderSource(self.request, Query(level="ERROR", text="needle"))
        events = source.fetch(None, 3, newest_first=True)
        self.assertEqual(["needle 10", "needle 150", "needle 220"], [e.summary for e in events])
        self.assertEqual(
            [None, messages[99].id, messages[199].id], [c["marker"] for c in self.messages.calls]
        )
        self.assertTrue(
            all(c["filters"] == {"message_level": "ERROR"} for c in self.messages.calls)
        )

    def test_text_scan_returns_at_most_the_limit(self):
        self.patch_clients(_messages(20))
        events = sources.CinderSource(self.request, Query(text="message")).fetch(None, 4, True)
        self.assertEqual([f"message {n}" for n in range(4)], [e.summary for e in events])

    def test_text_scan_that_reaches_the_end_adds_no_note(self):
        self.patch_clients(_messages(30))
        source = sources.CinderSource(self.request, Query(text="nowhere"))
        self.assertEqual([], source.fetch(None, 5, True))
        self.assertEqual([], source.notes)

    def test_text_scan_stops_at_the_scan_limit_and_says_so(self):
        self.patch_clients(_messages(300))
        source = sources.CinderSource(self.request, Query(text="nowhere"))
        with self.settings(EVENT_VIEWER_TEXT_SCAN_LIMIT=200):
            self.assertEqual([], source.fetch(None, 5, True))
        self.assertEqual(2, len(self.messages.calls))
        self.assertEqual(1, len(source.notes))
        self.assertIn("searched 200 messages", str(source.notes[0]))

    def test_small_scan_limit_bounds_the_messages_read(self):
        # EVENT_VIEWER_TEXT_SCAN_LIMIT is the most messages read per page.
        messages = _messages(30)
        messages[25]._info["user_message"] = "needle"
        self.patch_clients(messages)
        source = sources.CinderSource(self.request, Query(text="needle"))
        with self.settings(EVENT_VIEWER_TEXT_SCAN_LIMIT=10):
            source.fetch(None, 3, True)
        self.assertLessEqual(sum(c["limit"] for c in self.messages.calls), 10)
        self.assertEqual(1, len(source.notes))
        self.assertIn("searched 10 messages", str(source.notes[0]))

    def test_text_scan_that_fills_the_page_adds_no_note(self):
        # Nothing was missed: the next page continues after the last match shown.
        self.patch_clients(_messages(150))
        source = sources.CinderSource(self.request, Query(text="message"))
        events = source.fetch(None, 3, True)
        self.assertEqual(3, len(events))
        self.assertEqual([], source.notes)


def _fault(minutes_before_start, message=None, **fields):
    return fakes.trove_instance(
        message or f"fault {minutes_before_start}",
        fault_created=_at(minutes_before_start),
        details="Traceback (most recent call last): ...",
        **fields,
    )


class TroveSourceTests(SourceTestCase):
    def test_events_come_from_faults_only(self):
        faulted = _fault(5, name="orders-db")
        self.patch_clients(instances=[fakes.trove_instance(), faulted, fakes.trove_instance()])
        events = sources.TroveSource(self.request, Query()).fetch(None, 10, True)
        self.assertEqual([faulted.id], [e.native_id for e in events])
        (event,) = events
        self.assertEqual(
            ("trove", "fault 5", "orders-db"), (event.source, event.summary, event.resource_name)
        )
        self.assertEqual(
            ("ERROR", "DATABASE_INSTANCE", faulted.id),
            (event.level, event.resource_type, event.resource_id),
        )

    def test_newest_first_and_oldest_first(self):
        self.patch_clients(instances=[_fault(3), _fault(1), _fault(2)])
        source = sources.TroveSource(self.request, Query())
        newest = source.fetch(None, 10, newest_first=True)
        oldest = source.fetch(None, 10, newest_first=False)
        self.assertEqual(["fault 1", "fault 2", "fault 3"], [e.summary for e in newest])
        self.assertEqual(["fault 3", "fault 2", "fault 1"], [e.summary for e in oldest])

    def test_limit_is_applied(self):
        self.patch_clients(instances=[_fault(n) for n in range(5)])
        events = sources.TroveSource(self.request, Query()).fetch(None, 2, True)
        self.assertEqual(["fault 0", "fault 1"], [e.summary for e in events])

    def _walk(self, source, limit, newest_first):
        seen, cursor = [], None
        while True:
            events = source.fetch(cursor, limit, newest_first)
            seen.extend(e.native_id for e in events)
            if len(events) < limit:
                return seen
            cursor = source.cursor_of(events[-1])

    def test_cursor_continues_after_the_event_without_repeats(self):
        faults = [_fault(n) for n in range(7)]
        self.patch_clients(instances=faults)
        source = sources.TroveSource(self.request, Query())
        first = source.fetch(None, 3, True)
        second = source.fetch(source.cursor_of(first[-1]), 3, True)
        self.assertEqual([f.id for f in faults[3:6]], [e.native_id for e in second])
        self.assertEqual([f.id for f in faults], self._walk(source, 3, True))
        self.assertEqual([f.id for f in reversed(faults)], self._walk(source, 2, False))

    def test_cursor_separates_faults_at_the_same_time(self):
        faults = [_fault(1, "same time") for _ in range(4)] + [_fault(2)]
        self.patch_clients(instances=faults)
        walked = self._walk(sources.TroveSource(self.request, Query()), 1, True)
        self.assertEqual(5, len(walked))
        self.assertEqual({f.id for f in faults}, set(walked))

    def test_edited_cursor_is_a_bad_marker(self):
        self.patch_clients(instances=[_fault(1)])
        with self.assertRaises(paging.BadMarker):
            sources.TroveSource(self.request, Query()).fetch("yesterday|abc", 3, True)

    def test_a_cursor_with_a_naive_or_absurd_time_is_a_bad_marker(self):
        # A naive time compared with the faults' aware ones was a TypeError (a 500).
        fault = _fault(1)
        self.patch_clients(instances=[fault])
        for created in (
            "2026-11-22T10:00:00",
            "0001-01-01T00:00:00+12:00",
            "9999-12-31T23:59:00-12:00",
            "1969-12-31T23:59:59+00:00",
        ):
            with self.subTest(created=created), self.assertRaises(paging.BadMarker):
                sources.TroveSource(self.request, Query()).fetch(f"{created}|{fault.id}", 3, True)

    def test_a_cursor_whose_id_is_no_instance_id_is_a_bad_marker(self):
        self.patch_clients(instances=[_fault(1)])
        with self.assertRaises(paging.BadMarker):
            sources.TroveSource(self.request, Query()).fetch("2026-11-22T10:00:00+00:00|x", 3, True)

    def test_filters_are_applied_by_the_plugin(self):
        wanted = _fault(1, "Polling request TIMED OUT.")
        other = _fault(2, "Volume attach failed.")
        self.patch_clients(instances=[wanted, other])

        def fetched(**fields):
            source = sources.TroveSource(self.request, Query(**fields))
            return [e.native_id for e in source.fetch(None, 10, True)]

        self.assertEqual([wanted.id], fetched(resource_id=wanted.id))
        self.assertEqual([wanted.id], fetched(text="timed out"))
        self.assertEqual([wanted.id, other.id], fetched(level="ERROR"))
        self.assertEqual([], fetched(level="WARNING"))
        self.assertEqual([wanted.id, other.id], fetched(resource_type="DATABASE_INSTANCE"))
        self.assertEqual([], fetched(resource_type="VOLUME"))
        self.assertEqual([], fetched(event_id="VOLUME_VOLUME_001_003"))
        self.assertEqual([], fetched(request_id="req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e"))

    def test_filtering_here_is_noted_unless_only_trove_is_asked(self):
        self.patch_clients(instances=[_fault(1)])
        filtered = sources.TroveSource(self.request, Query(level="ERROR"))
        filtered.fetch(None, 10, True)
        self.assertEqual(1, len(filtered.notes))
        self.assertIn("event and request IDs never match", str(filtered.notes[0]))
        for query in (Query(), Query(source="trove")):
            source = sources.TroveSource(self.request, query)
            source.fetch(None, 10, True)
            self.assertEqual([], source.notes)

    def test_incomplete_walk_of_trove_pages_is_noted(self):
        class Incomplete(fakes.FakeInstancesClient):
            def faulted_instances(self):
                return super().faulted_instances()[0], False

        self.patch_clients(instances=Incomplete([_fault(1)]))
        source = sources.TroveSource(self.request, Query())
        with self.settings(EVENT_VIEWER_TROVE_MAX_PAGES=7):
            self.assertEqual(1, len(source.fetch(None, 10, True)))
        self.assertEqual(1, len(source.notes))
        self.assertIn("first 7 pages", str(source.notes[0]))

    def test_no_traceback_unless_asked(self):
        self.patch_clients(instances=[_fault(1)])
        (plain,) = sources.TroveSource(self.request, Query()).fetch(None, 10, True)
        (admin,) = sources.TroveSource(self.request, Query(), all_projects=True).fetch(
            None, 10, True
        )
        self.assertEqual("", plain.traceback)
        self.assertEqual("Traceback (most recent call last): ...", admin.traceback)


class RecordingTroveSource(sources.TroveSource):
    """The real TroveSource, recording the limit each page asks of it."""

    def fetch(self, cursor, limit, newest_first):
        self.limits = [*getattr(self, "limits", []), limit]
        return super().fetch(cursor, limit, newest_first)


class FetchPageTests(SourceTestCase):
    def setUp(self):
        super().setUp()
        # 7 messages at minutes 0, 2, 4, ... 12; 4 faults at minutes 1, 5, 9, 20: interleaved.
        self.cinder_messages = [
            fakes.cinder_message(created_at=_at(n), user_message=f"m{n}") for n in range(0, 14, 2)
        ]
        self.trove_faults = [_fault(n, f"f{n}") for n in (1, 5, 9, 20)]
        self.patch_clients(self.cinder_messages, self.trove_faults)
        self.expected = ["m0", "f1", "m2", "m4", "f5", "m6", "m8", "f9", "m10", "m12", "f20"]

    def _sources(self, query=None):
        query = query or Query()
        self.trove = RecordingTroveSource(self.request, query)
        return [sources.CinderSource(self.request, query), self.trove]

    def _page(self, marker, limit=3):
        page, errors, _notes = sources.fetch_page(self._sources(), marker, limit)
        self.assertEqual([], errors)
        return page

    def test_walks_forward_then_back_through_every_page(self):
        forward, marker = [], paging.Marker({})
        while marker is not None:
            page = self._page(marker)
            forward.append([e.summary for e in page.events])
            marker = page.next_marker
            self.assertLessEqual(len(forward), 10, "the walk does not end")
        self.assertEqual(self.expected, [s for p in forward for s in p])
        self.assertEqual([3, 3, 3, 2], [len(p) for p in forward])

        backward, marker = [[e.summary for e in page.events]], page.prev_marker
        while marker is not None:
            page = self._page(marker)
            backward.insert(0, [e.summary for e in page.events])
            marker = page.prev_marker
            self.assertLessEqual(len(backward), 10, "the walk does not end")
        self.assertEqual(forward, backward)

    def _walk_both_ways(self, limit, newest_first):
        """Summaries page by page going forward, and going back from the last page."""
        forward, marker = [], paging.Marker({}, newest_first=newest_first)
        while marker is not None and len(forward) < 20:
            page = self._page(marker, limit)
            forward.append([e.summary for e in page.events])
            marker = page.next_marker
        backward, marker = [forward[-1]], page.prev_marker
        while marker is not None and len(backward) < 20:
            page = self._page(marker, limit)
            backward.insert(0, [e.summary for e in page.events])
            marker = page.prev_marker
        return forward, backward

    def test_every_page_size_and_layout_walks_both_ways(self):
        layouts = {
            "interleaved": (range(0, 14, 2), (1, 5, 9, 20)),
            "faults newest": (range(10, 17), (0, 1, 2, 3)),
            "faults oldest": (range(0, 7), (20, 21, 22, 23)),
            "no faults": (range(0, 3), ()),
        }
        for name, (message_times, fault_times) in layouts.items():
            messages = [
                fakes.cinder_message(created_at=_at(n), user_message=f"m{n}") for n in message_times
            ]
            faults = [_fault(n, f"f{n}") for n in fault_times]
            self.patch_clients(messages, faults)
            by_age = sorted(
                [(n, f"m{n}") for n in message_times] + [(n, f"f{n}") for n in fault_times]
            )
            expected = [summary for _n, summary in by_age]
            for limit in range(1, 6):
                for newest_first in (True, False):
                    with self.subTest(name, limit=limit, newest_first=newest_first):
                        forward, backward = self._walk_both_ways(limit, newest_first)
                        order = expected if newest_first else expected[::-1]
                        self.assertEqual(order, [s for p in forward for s in p])
                        self.assertEqual(forward, backward)

    def test_walks_oldest_first_through_every_page(self):
        seen, marker = [], paging.Marker({}, newest_first=False)
        while marker is not None:
            page = self._page(marker, limit=4)
            seen.extend(e.summary for e in page.events)
            marker = page.next_marker
            self.assertLessEqual(len(seen), 20, "the walk does not end")
        self.assertEqual(list(reversed(self.expected)), seen)

    def test_each_source_is_asked_for_at_most_one_more_than_the_page(self):
        marker = paging.Marker({})
        while marker is not None:
            page, _errors, _notes = sources.fetch_page(self._sources(), marker, 3)
            self.assertEqual([4], self.trove.limits)
            marker = page.next_marker
        self.assertTrue(self.messages.calls)
        self.assertEqual({4}, {call["limit"] for call in self.messages.calls})

    def test_first_page_has_next_but_no_prev(self):
        page = self._page(paging.Marker({}))
        self.assertIsNotNone(page.next_marker)
        self.assertIsNone(page.prev_marker)

    def test_markers_survive_encoding(self):
        first = self._page(paging.Marker({}))
        second = self._page(paging.Marker.decode(first.next_marker.encode()))
        self.assertEqual(["m4", "f5", "m6"], [e.summary for e in second.events])

    def test_a_failing_source_is_an_error_and_the_other_still_answers(self):
        error = SourceError("cinder", "Block Storage (Cinder) is not reachable.")
        self.patch_clients(fakes.FakeMessagesClient(error=error), self.trove_faults)
        page, errors, _notes = sources.fetch_page(self._sources(), paging.Marker({}), 3)
        self.assertEqual([error], errors)
        self.assertEqual(["f1", "f5", "f9"], [e.summary for e in page.events])
        self.assertIsNotNone(page.next_marker)

    def test_an_unavailable_source_is_an_error_too(self):
        error = FeatureUnavailable("trove", "Database (Trove) is not in the catalog.")
        self.patch_clients(self.cinder_messages, fakes.FakeInstancesClient(error=error))
        page, errors, _notes = sources.fetch_page(self._sources(), paging.Marker({}), 3)
        self.assertEqual([error], errors)
        self.assertEqual(["m0", "m2", "m4"], [e.summary for e in page.events])

    def test_notes_of_the_sources_are_returned(self):
        _page, _errors, notes = sources.fetch_page(
            self._sources(Query(level="ERROR")), paging.Marker({}), 3
        )
        self.assertEqual(1, len(notes))
        self.assertIn("Database faults are filtered", str(notes[0]))


class MatchingMessageIdsTests(SourceTestCase):
    def test_all_ids_when_fewer_than_the_most(self):
        messages = _messages(5)
        self.patch_clients(messages)
        ids, complete = sources.matching_message_ids(self.request, Query(), False, most=10)
        self.assertEqual([m.id for m in messages], ids)
        self.assertTrue(complete)

    def test_exactly_the_most_is_complete(self):
        messages = _messages(3)
        self.patch_clients(messages)
        ids, complete = sources.matching_message_ids(self.request, Query(), False, most=3)
        self.assertEqual([m.id for m in messages], ids)
        self.assertTrue(complete)

    def test_capped_at_the_most_and_incomplete(self):
        messages = _messages(5)
        self.patch_clients(messages)
        ids, complete = sources.matching_message_ids(self.request, Query(), False, most=3)
        self.assertEqual([m.id for m in messages[:3]], ids)
        self.assertFalse(complete)

    def test_reads_cinder_in_chunks_of_a_hundred(self):
        messages = _messages(230)
        self.patch_clients(messages)
        ids, complete = sources.matching_message_ids(self.request, Query(), True, most=1000)
        self.assertEqual([m.id for m in messages], ids)
        self.assertTrue(complete)
        self.assertEqual([101, 101, 101], [c["limit"] for c in self.messages.calls])
        self.assertEqual(
            [None, messages[99].id, messages[199].id], [c["marker"] for c in self.messages.calls]
        )
        self.assertTrue(self.messages.all_projects)

    def test_filters_are_sent_to_cinder(self):
        self.patch_clients(_messages(2))
        sources.matching_message_ids(self.request, Query(level="ERROR"), False, most=10)
        self.assertEqual({"message_level": "ERROR"}, self.messages.calls[0]["filters"])

    def test_text_match_beyond_the_scan_limit_is_not_reported_complete(self):
        messages = _messages(300)
        messages[250]._info["user_message"] = "needle"
        self.patch_clients(messages)
        with self.settings(EVENT_VIEWER_TEXT_SCAN_LIMIT=100):
            ids, complete = sources.matching_message_ids(
                self.request, Query(text="needle"), False, most=1000
            )
        # Either the match is found, or the answer must not claim to be complete.
        self.assertTrue(ids == [messages[250].id] or not complete, (ids, complete))
