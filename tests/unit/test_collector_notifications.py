"""Turning notifications into records: both formats (hand-built), keys, malformed ones.

The recorded corpus is read in test_collector_corpus.py, secrets in test_collector_secrets.py.
"""

import datetime

import pytest

from event_viewer.collector import notifications, payloads
from event_viewer.collector.notifications import MalformedNotification, parse
from tests.unit.notification_samples import notification

# ------------------------------------------------------------ formats, hand-built


@pytest.mark.parametrize(
    ("publisher_id", "service", "host"),
    [
        ("nova-compute:compute1", "nova-compute", "compute1"),
        ("nova-compute:compute1.example.org", "nova-compute", "compute1.example.org"),
        ("compute.compute1.example.org", "compute", "compute1.example.org"),
        ("api.0.0.0.0", "api", "0.0.0.0"),  # noqa: S104 (trove-api's default host)
        ("compute.fe80::1", "compute", "fe80::1"),
        ("cinder-volume:node1@lvm#pool", "cinder-volume", "node1@lvm#pool"),
        ("scheduler", "scheduler", ""),
    ],
)
def test_publisher_id_of_both_formats(publisher_id, service, host):
    assert payloads.split_publisher(publisher_id) == (service, host)
    record = parse("error", notification("x.y.error", publisher_id=publisher_id))
    assert (record.service, record.host) == (service, host)


def _versioned(name, data, namespace="nova"):
    return {
        f"{namespace}_object.name": name,
        f"{namespace}_object.namespace": namespace,
        f"{namespace}_object.version": "1.0",
        f"{namespace}_object.data": data,
    }


def test_versioned_instance_is_uuid_and_its_fault_an_exception_payload():
    fault = _versioned(
        "ExceptionPayload",
        {
            "exception": "BuildAbortException",
            "exception_message": "Build of instance aborted: Image too large.",
            "traceback": 'Traceback (most recent call last):\n  File "x.py"\n',
            "function_name": "_build_and_run_instance",
            "module_name": "nova.compute.manager",
        },
    )
    payload = _versioned(
        "InstanceActionPayload",
        {"uuid": "9b9c0e6a-0000-4000-8000-000000000001", "display_name": "web-1", "fault": fault},
    )
    record = parse(
        "error",
        notification(
            "instance.create.error", payload=payload, publisher_id="nova-compute:compute1"
        ),
    )
    assert (record.resource_type, record.resource_id, record.resource_name) == (
        "INSTANCE",
        "9b9c0e6a-0000-4000-8000-000000000001",
        "web-1",
    )
    assert record.summary == "Build of instance aborted: Image too large."
    assert record.exception == "BuildAbortException"
    assert record.traceback.startswith("Traceback")
    assert record.operation_key.endswith("|instance.create|9b9c0e6a-0000-4000-8000-000000000001")


def test_versioned_objects_of_any_namespace_and_depth():
    inner = _versioned(
        "ExceptionPayload",
        {"exception": "Oops_Remote", "exception_message": "deep failure"},
        namespace="glance",
    )
    payload = _versioned("ImageActionPayload", {"image_id": "img-1", "reason": _versioned(
        "Wrapper", inner, namespace="glance")}, namespace="glance")  # fmt: skip
    record = parse("error", notification("image.upload.error", payload=payload))
    assert (record.resource_type, record.resource_id) == ("IMAGE", "img-1")
    assert (record.summary, record.exception) == ("deep failure", "Oops")


def test_the_uuid_of_an_object_that_is_not_an_instance_is_not_an_instance():
    payload = _versioned("AggregatePayload", {"uuid": "agg-1", "name": "fast-disks"})
    record = parse("error", notification("aggregate.create.error", payload=payload))
    assert record.resource_type != "INSTANCE"
    assert record.resource_id == ""


def test_legacy_nova_instance_error_with_flat_exception_code_and_message():
    payload = {
        "instance_id": "9b9c0e6a-0000-4000-8000-000000000002",
        "display_name": "db-2",
        "tenant_id": "p-beta",
        "code": 500,
        "exception": "RescheduledException",
        "message": "Build of instance 9b9c0e6a was re-scheduled: Insufficient compute resources",
    }
    record = parse(
        "error",
        notification(
            "compute.instance.create.error", payload=payload, publisher_id="compute.c1.example"
        ),
    )
    assert (record.service, record.host) == ("compute", "c1.example")
    assert (record.resource_type, record.resource_name) == ("INSTANCE", "db-2")
    assert record.summary.startswith("Build of instance 9b9c0e6a was re-scheduled")
    assert record.exception == "RescheduledException"


def test_legacy_reason_dict_with_remote_traceback_appended_to_its_message():
    """Nova's legacy ``reason``: the remote exception as its payload serializer writes it."""
    payload = {
        "instance_id": "i-3",
        "reason": {
            "class": "NoValidHost_Remote",
            "message": "No valid host was found. \nTraceback (most recent call last):\n"
            '  File "/usr/lib/python3/nova/conductor/manager.py", line 1\n'
            "nova.exception.NoValidHost: No valid host was found.\n",
            "kwargs": {"reason": "", "code": 500},
        },
    }
    record = parse(
        "error",
        notification(
            "compute_task.build_instances", payload=payload, publisher_id="compute_task.ctl1"
        ),
    )
    assert record.summary == "No valid host was found."
    assert record.exception == "NoValidHost"
    assert record.traceback.startswith("Traceback (most recent call last):\n  File")
    assert record.summary != "compute_task.build_instances"


@pytest.mark.parametrize(
    "reason",
    [
        "{'class': __import__('os').system('true')}",  # not a literal: never evaluated
        "{'class': 'X', " + "[" * 5000 + "]" * 5000 + "}",
        "{'class': 1}",
    ],
)
def test_a_hostile_reason_string_is_text(reason):
    record = parse(
        "error", notification("compute_task.build_instances", payload={"reason": reason})
    )
    assert record.summary == reason[: notifications.MAX_SUMMARY]
    assert record.exception == ""


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


# --------------------------------------------------------------- outcomes and keys


def test_lifecycle_suffixes_give_outcomes_and_one_operation_key_per_resource():
    start = parse("info", notification("volume.create.start", request_id="req-1"))
    end = parse("info", notification("volume.create.end", request_id="req-1"))
    error = parse("error", notification("volume.create.error", request_id="req-1"))
    assert (start.outcome, end.outcome, error.outcome) == ("in_progress", "pass", "fail")
    volume = "11111111-2222-3333-4444-555555555555"
    assert start.operation_key == end.operation_key == error.operation_key
    assert start.operation_key == f"req-1|volume.create|{volume}"


def test_two_resources_of_one_request_are_two_operation_keys():
    first, second = (
        parse("info", notification("volume.create.end", request_id="req-2", payload=payload))
        for payload in ({"volume_id": "v-1"}, {"volume_id": "v-2"})
    )
    assert first.operation_key != second.operation_key


def test_a_long_operation_key_is_hashed_within_its_column():
    record = parse(
        "info",
        notification(
            "volume.create.end", request_id="req-" + "x" * 300, payload={"volume_id": "v"}
        ),
    )
    assert record.operation_key.startswith("sha256:")
    assert len(record.operation_key) <= 255


def test_plain_info_is_not_stored_but_a_plain_warning_is_a_failure():
    assert parse("info", notification("volume.usage")) is None
    warning = parse("warn", notification("volume.usage"))
    assert (warning.outcome, warning.level) == ("fail", "WARNING")


def test_error_priority_is_a_failure_whatever_the_suffix():
    assert parse("error", notification("compute.instance.create.end")).outcome == "fail"


# ---------------------------------------------------------------- malformed input


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


def _iso(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.mark.parametrize(
    "timestamp",
    [
        "9999-12-31 23:59:59.999999",
        "9999-12-31T23:59:59-12:00",
        "0001-01-01 00:00:00",
        "0001-01-01T00:00:00+12:00",
        "1970-01-01 00:00:00",
        "2009-12-31 23:59:59",
        pytest.param(
            _iso(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)),
            id="two-days-ahead",
        ),
    ],
)
def test_timestamps_outside_the_sane_range_are_malformed(timestamp):
    with pytest.raises(MalformedNotification, match="timestamp out of range"):
        parse("error", notification("volume.create.error", timestamp=timestamp))


@pytest.mark.parametrize(
    "timestamp",
    [
        "2010-01-01 00:00:00",
        # A node whose clock runs an hour ahead is still heard.
        pytest.param(
            _iso(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)),
            id="an-hour-ahead",
        ),
        "2026-11-22T10:00:00+05:30",
    ],
)
def test_timestamps_inside_the_range_are_read(timestamp):
    record = parse("error", notification("volume.create.error", timestamp=timestamp))
    assert record.created_at.utcoffset() == datetime.timedelta(0)


def test_oversized_and_nul_fields_fit_their_columns():
    record = parse(
        "error",
        notification(
            "volume.create.error",
            publisher_id="volume." + "h" * 400,
            payload={
                "volume_id": "v",
                "display_name": "n\x00ame",
                "blob": "x" * 100000,
                "exception": "E" * 400,
            },
        ),
    )
    fields = record.model_fields()
    assert len(fields["host"]) == 255
    assert len(fields["exception"]) == 255
    assert fields["resource_name"] == "n\ufffdame"
    assert len(record.payload) < notifications.MAX_PAYLOAD + 100
    assert "cut: the payload had" in record.payload
