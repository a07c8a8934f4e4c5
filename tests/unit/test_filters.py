"""Parsing and validating the values typed into the Event Viewer's filter box."""

from django.test import SimpleTestCase

from event_viewer import filters
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
