"""Parsing and validating the values typed into the Event Viewer's filter box."""

import datetime

from django.test import SimpleTestCase

from event_viewer import filters, timebounds
from event_viewer.filters import InvalidFilter, Query


class ParseValidValuesTests(SimpleTestCase):
    def test_resource_type_is_upper_cased(self):
        self.assertEqual(
            Query(resource_type="VOLUME_SNAPSHOT"),
            filters.parse("resource_type", " volume_snapshot "),
        )

    def test_resource_id_is_a_canonical_uuid(self):
        query = filters.parse("resource_id", "0F1D7C2A2F434F0C9B9A0C3A3C5B9E11")
        self.assertEqual("0f1d7c2a-2f43-4f0c-9b9a-0c3a3c5b9e11", query.resource_id)

    def test_resource_id_with_braces_and_dashes_is_canonical(self):
        query = filters.parse("resource_id", "{0F1D7C2A-2F43-4F0C-9B9A-0C3A3C5B9E11}")
        self.assertEqual("0f1d7c2a-2f43-4f0c-9b9a-0c3a3c5b9e11", query.resource_id)

    def test_request_id_is_lower_cased(self):
        query = filters.parse("request_id", "REQ-4B0F9A1E-2D7C-4C1B-8F0E-7A1D2B3C4D5E")
        self.assertEqual("req-4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e", query.request_id)

    def test_level_is_upper_cased(self):
        self.assertEqual(Query(level="WARNING"), filters.parse("level", "warning"))

    def test_cinder_event_id_is_upper_cased(self):
        self.assertEqual(
            "VOLUME_VOLUME_001_003", filters.parse("event_id", "volume_volume_001_003").event_id
        )

    def test_other_event_ids_are_kept_as_typed(self):
        self.assertEqual(
            "compute.instance.create.error",
            filters.parse("event_id", "compute.instance.create.error").event_id,
        )

    def test_source_by_key(self):
        self.assertEqual(Query(source="cinder"), filters.parse("source", "cinder"))
        self.assertEqual(Query(source="trove"), filters.parse("source", "TROVE"))

    def test_source_by_label_case_insensitive(self):
        self.assertEqual(Query(source="cinder"), filters.parse("source", "block storage"))
        self.assertEqual(Query(source="cinder"), filters.parse("source", "Block Storage"))
        self.assertEqual(Query(source="trove"), filters.parse("source", "DATABASE"))

    def test_text_is_stripped_and_kept(self):
        self.assertEqual(
            Query(text="No valid Backend"), filters.parse("text", "  No valid Backend ")
        )

    def test_text_at_the_maximum_length_is_accepted(self):
        self.assertEqual(filters.MAX_TEXT, len(filters.parse("text", "x" * filters.MAX_TEXT).text))

    def test_only_the_parsed_field_is_set(self):
        query = filters.parse("level", "ERROR")
        self.assertEqual(Query(level="ERROR"), query)
        self.assertFalse(query.is_empty)


class ParseInvalidValuesTests(SimpleTestCase):
    def assertInvalid(self, field, value, says):
        with self.assertRaises(InvalidFilter) as raised:
            filters.parse(field, value)
        self.assertIn(says, str(raised.exception))

    def test_resource_type_that_is_not_a_word(self):
        self.assertInvalid("resource_type", "volume; drop", "VOLUME or VOLUME_SNAPSHOT")
        self.assertInvalid("resource_type", "1VOLUME", "VOLUME or VOLUME_SNAPSHOT")

    def test_resource_id_that_is_not_a_uuid(self):
        self.assertInvalid("resource_id", "not-a-uuid", "A resource ID is a UUID")

    def test_event_id_with_forbidden_characters(self):
        self.assertInvalid("event_id", "VOLUME 001", "An event ID is like")

    def test_event_id_that_is_too_long(self):
        self.assertInvalid("event_id", "A" * 101, "An event ID is like")

    def test_request_id_without_the_req_prefix(self):
        self.assertInvalid(
            "request_id", "4b0f9a1e-2d7c-4c1b-8f0e-7a1d2b3c4d5e", "A request ID is like req-"
        )

    def test_level_outside_the_known_levels(self):
        self.assertInvalid("level", "CRITICAL", "ERROR, WARNING, INFO")

    def test_unknown_source_names_the_known_ones(self):
        self.assertInvalid("source", "Compute", "Block Storage, Database")

    def test_text_longer_than_the_maximum(self):
        self.assertInvalid("text", "x" * (filters.MAX_TEXT + 1), "at most 255 characters")

    def test_unknown_field(self):
        self.assertInvalid("project_id", "abc", "Unknown filter: project_id")

    def test_invalid_filter_is_a_value_error(self):
        self.assertTrue(issubclass(InvalidFilter, ValueError))


class EmptyValueTests(SimpleTestCase):
    def test_empty_or_blank_value_is_an_empty_query(self):
        for value in ("", "   ", None):
            with self.subTest(value=value):
                query = filters.parse("resource_id", value)
                self.assertEqual(Query(), query)
                self.assertTrue(query.is_empty)

    def test_no_field_is_an_empty_query(self):
        self.assertEqual(Query(), filters.parse("", "ERROR"))
        self.assertEqual(Query(), filters.parse(None, "ERROR"))

    def test_empty_value_of_an_unknown_field_is_not_an_error(self):
        self.assertEqual(Query(), filters.parse("nonsense", ""))


class WantsTests(SimpleTestCase):
    def test_a_query_without_source_wants_every_source(self):
        self.assertTrue(Query().wants("cinder"))
        self.assertTrue(Query(level="ERROR").wants("trove"))

    def test_a_source_filter_wants_only_that_source(self):
        query = filters.parse("source", "Database")
        self.assertTrue(query.wants("trove"))
        self.assertFalse(query.wants("cinder"))


class TimeRangeTests(SimpleTestCase):
    def time(self, value):
        return filters.parse("time", value, filters.ADMIN_FIELDS)

    def test_a_time_with_an_offset_is_compared_in_utc(self):
        query = self.time("2026-11-21T14:30+02:00..")
        self.assertEqual(datetime.datetime(2026, 11, 21, 12, 30, tzinfo=datetime.UTC), query.since)

    def test_a_bare_date_until_ends_at_the_end_of_that_day(self):
        query = self.time("..2026-11-21")
        self.assertEqual(
            datetime.datetime(2026, 11, 21, 23, 59, 59, 999999, tzinfo=datetime.UTC), query.until
        )

    def test_times_at_the_calendars_edges_are_a_clear_filter_error(self):
        # These overflowed (OverflowError) in the database's date handling: a 500.
        for value in (
            "9999-12-31T23:59-12:00..",
            "0001-01-01T00:00+12:00..",
            "..9999-12-31",
            "0001-01-01..",
            "1969-12-31T23:59+00:00..",
            "9999-06-01..",
        ):
            with self.subTest(value=value), self.assertRaises(filters.InvalidFilter) as caught:
                self.time(value)
            self.assertIn("A time is between 1970-01-01 and 9998-12-31", str(caught.exception))

    def test_the_range_ends_are_accepted(self):
        query = self.time("1970-01-01..9998-12-31")
        self.assertEqual(timebounds.EARLIEST, query.since)
        self.assertEqual(timebounds.LATEST, query.until)


class TextControlCharacterTests(SimpleTestCase):
    def test_control_characters_are_refused(self):
        # PostgreSQL refuses a NUL in a string parameter (a ValueError of the
        # driver, outside the store's DatabaseError handling).
        for value in ("a\x00b", "x\x1by", "\x7f"):
            with self.subTest(value=value), self.assertRaises(filters.InvalidFilter):
                filters.parse("text", value)


class QueryTokenTests(SimpleTestCase):
    def test_a_query_survives_its_dict(self):
        query = filters.Query(
            level="ERROR",
            text="boom",
            since=datetime.datetime(2026, 11, 21, tzinfo=datetime.UTC),
        )
        self.assertEqual(query, filters.query_from_dict(filters.query_to_dict(query)))
        self.assertEqual(filters.Query(), filters.query_from_dict({}))

    def test_anything_else_is_an_invalid_filter(self):
        for data in (
            [],
            {"nope": "x"},
            {"level": 3},
            {"since": "yesterday"},
            {"since": "2026-11-21T00:00:00"},
            {"until": "9999-12-31T23:59:00-12:00"},
        ):
            with self.subTest(data=data), self.assertRaises(filters.InvalidFilter):
                filters.query_from_dict(data)
