"""Turning notifications into records: real captured ones, lifecycles, malformed ones."""

import datetime

import pytest

from event_viewer import models
from event_viewer.collector import notifications
from event_viewer.collector.notifications import MalformedNotification, parse
from tests.unit.notification_samples import captured, notification


def test_real_cinder_scheduler_failure():
    priority, message = captured("cinder_scheduler_create_volume_error")
    record = parse(priority, message)
    assert record.service == "scheduler"
    assert record.host == "devcloud"
    assert record.event_type == "scheduler.create_volume"
    assert record.outcome == models.OUTCOME_FAIL
    assert record.level == "ERROR"
    assert record.project_id == message["ctxt"]["project_id"]
    assert record.user_id == message["ctxt"]["user_id"]
    assert record.request_id == message["ctxt"]["request_id"]
    assert record.resource_type == "VOLUME"
    assert record.resource_id == message["payload"]["volume_id"]
    assert record.resource_name == "capture-<script>alert(1)</script>"
    assert record.summary.startswith("NoValidBackend('No valid backend was found.")
    assert record.created_at == datetime.datetime(2026, 11, 22, 2, 37, 49, 669671, datetime.UTC)
    # Not a .start/.end/.error: a failure of its own, not part of an operation.
    assert record.operation_key is None


def test_lifecycle_suffixes_give_outcomes_and_one_operation_key():
    start = parse("info", notification("volume.create.start", request_id="req-1"))
    end = parse("info", notification("volume.create.end", request_id="req-1"))
    error = parse("error", notification("volume.create.error", request_id="req-1"))
    assert (start.outcome, end.outcome, error.outcome) == ("in_progress", "pass", "fail")
    assert start.operation_key == end.operation_key == error.operation_key == "req-1|volume.create"


def test_plain_info_is_not_stored_but_a_plain_warning_is_a_failure():
    assert parse("info", notification("volume.usage")) is None
    warning = parse("warn", notification("volume.usage"))
    assert (warning.outcome, warning.level) == ("fail", "WARNING")


def test_error_priority_is_a_failure_whatever_the_suffix():
    assert parse("error", notification("compute.instance.create.end")).outcome == "fail"


def test_versioned_payload_with_fault_and_traceback():
    payload = {
        "nova_object.name": "InstanceActionPayload",
        "nova_object.data": {
            "uuid": "ignored-key",
            "instance_uuid": "9b9c0e6a-0000-4000-8000-000000000001",
            "display_name": "web-1",
            "fault": {
                "nova_object.data": {
                    "exception_message": "No valid host was found.",
                    "traceback": 'Traceback (most recent call last):\n  File "x.py"\n',
                }
            },
        },
    }
    record = parse(
        "error",
        notification("compute.instance.create.error", payload=payload, publisher_id="compute.c1"),
    )
    assert (record.resource_type, record.resource_name) == ("INSTANCE", "web-1")
    assert record.summary == "No valid host was found."
    assert record.traceback.startswith("Traceback")
    assert record.host == "c1"


def test_trove_instance_is_a_database_instance():
    record = parse(
        "error",
        notification(
            "trove.instance.create.error",
            publisher_id="trove-taskmanager.tm1",
            payload={"instance_id": "db-1", "name": "orders"},
        ),
    )
    assert (record.resource_type, record.resource_id) == ("DATABASE_INSTANCE", "db-1")


@pytest.mark.parametrize(
    ("priority", "message", "complaint"),
    [
        ("error", ["not", "a", "dict"], "not a mapping"),
        ("error", {**notification("x.y.error"), "event_type": None}, "no event_type"),
        ("error", {**notification("x.y.error"), "publisher_id": ""}, "no publisher_id"),
        ("error", {**notification("x.y.error"), "metadata": None}, "no metadata"),
        ("error", {**notification("x.y.error"), "metadata": {"timestamp": "2026"}}, "message_id"),
        ("error", notification("x.y.error", timestamp="yesterday"), "bad timestamp"),
        ("error", {**notification("x.y.error"), "ctxt": ["list"]}, "context"),
        ("audit", notification("x.y.error"), "unknown priority"),
    ],
)
def test_malformed_notifications_say_what_is_wrong(priority, message, complaint):
    with pytest.raises(MalformedNotification, match=complaint):
        parse(priority, message)


def test_oversized_and_nul_fields_fit_their_columns():
    record = parse(
        "error",
        notification(
            "volume.create.error",
            publisher_id="volume." + "h" * 400,
            payload={"volume_id": "v", "display_name": "n\x00ame", "blob": "x" * 100000},
        ),
    )
    fields = record.model_fields()
    assert len(fields["host"]) == 255
    assert fields["resource_name"] == "n\ufffdame"
    assert len(record.payload) < notifications.MAX_PAYLOAD + 100
    assert "cut: the payload had" in record.payload
