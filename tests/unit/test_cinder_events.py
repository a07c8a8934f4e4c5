"""Decoding Cinder event ids into Cinder's action and detail names."""

from django.test import SimpleTestCase, override_settings

from event_viewer import cinder_events


class DecodeTests(SimpleTestCase):
    def test_the_schedulers_no_backend_event(self):
        decoded = cinder_events.decode("VOLUME_VOLUME_001_003")
        self.assertEqual("VOLUME", decoded.resource)
        self.assertEqual("SCHEDULE_ALLOCATE_VOLUME", decoded.action)
        self.assertEqual("NO_BACKEND_AVAILABLE", decoded.detail)
        self.assertEqual("Could not find any available weighted backend.", decoded.detail_text)

    def test_resource_names_with_underscores(self):
        decoded = cinder_events.decode("VOLUME_VOLUME_SNAPSHOT_009_013")
        self.assertEqual("VOLUME_SNAPSHOT", decoded.resource)
        self.assertEqual("SNAPSHOT_CREATE", decoded.action)
        self.assertEqual("SNAPSHOT_CREATE_ERROR", decoded.detail)

    def test_codes_newer_than_the_table_keep_their_numbers(self):
        decoded = cinder_events.decode("VOLUME_VOLUME_099_099")
        self.assertEqual(
            ("099", "", "099", ""),
            (decoded.action_code, decoded.action, decoded.detail_code, decoded.detail),
        )

    def test_not_a_cinder_event_id(self):
        self.assertIsNone(cinder_events.decode("compute.instance.create.error"))
        self.assertIsNone(cinder_events.decode(""))

    @override_settings(
        EVENT_VIEWER_EVENT_EXPLANATIONS={
            "VOLUME_VOLUME_001_003": "No pool has room: try a smaller size or another type."
        }
    )
    def test_deployer_explanations(self):
        self.assertIn("smaller size", cinder_events.explanation("VOLUME_VOLUME_001_003"))
        self.assertEqual("", cinder_events.explanation("VOLUME_VOLUME_001_001"))
