"""No token, password or credential a service puts in a notification reaches the database."""

import json
import time

import pytest

from event_viewer.collector import secrets
from event_viewer.collector.notifications import MalformedNotification, parse
from tests.unit.notification_samples import captured, notification

# Shaped like Keystone's: a Fernet token (version byte 0x80, base64url, padding stripped).
FERNET = (
    "gAAAAABpLbnOd8h3V0bQ1JvYl6QqZxK2W8dK3nQm-7xZk9Qv2Yl3cTq5Xo1sN8pLr0uJ4hV6wB9eF2gA7iC5yD0"
    "_zM3kP8qR1tS6uV9wX2yZ5aB8cD1eF4gH7iJ0kL3mN6oP9qR2sT5uV8wX1yZ4aB7cD0eF3gH6iJ9kL2mN5oP8"
)
JWS = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5OGM3ZWMwMyJ9.c2lnbmF0dXJlLXBhcnQ"
PASSWORD = "n0va-DB-s3cret"


def _stored_text(record):
    """Everything the store would write for this record, as one string."""
    return json.dumps(record.model_fields(), default=str)


def test_a_real_nova_notification_with_the_token_in_context_and_request_spec():
    """design.md section 9: a real Nova sends the caller's token and service catalog in the
    context, and embeds the token inside the request spec of ``compute_task.*`` payloads.

    The recorded notification (Nova's own code, through oslo.messaging 17, which redacts
    the context it sends) gets them back where a real Nova had them.
    """
    priority, message = captured("nova_legacy_compute_task_build_instances_1")
    message["ctxt"]["auth_token"] = FERNET
    message["ctxt"]["service_catalog"] = [{"type": "compute", "endpoints": [{"url": "x"}]}]
    spec = message["payload"]["request_spec"]
    spec["instance_properties"]["_context"] = {
        "auth_token": FERNET,
        "service_catalog": [{"type": "image", "endpoints": []}],
        "user_id": message["ctxt"]["user_id"],
    }
    spec["scheduler_hints"] = {"X-Auth-Token": FERNET}
    message["payload"]["reason"] = message["payload"]["reason"].replace(
        "available.', 'class'",
        f"available. (database mysql+pymysql://nova:{PASSWORD}@db1/nova)', 'class'",
    )

    record = parse(priority, message)

    stored = _stored_text(record)
    assert FERNET not in stored and FERNET[:40] not in stored
    assert PASSWORD not in stored
    assert "mysql+pymysql://nova:***@db1/nova" in record.summary
    stored_payload = json.loads(record.payload)  # still JSON for the admin's view
    properties = stored_payload["request_spec"]["instance_properties"]
    assert properties["_context"]["auth_token"] == "***"
    assert properties["_context"]["service_catalog"] == "***"
    assert properties["_context"]["user_id"] == message["ctxt"]["user_id"]  # the rest stays
    assert stored_payload["request_spec"]["scheduler_hints"] == {"X-Auth-Token": "***"}
    assert record.exception == "NoValidHost"


def test_a_token_in_a_versioned_payload_and_its_traceback():
    priority, message = captured("nova_versioned_compute_task_build_instances_error_1")
    data = message["payload"]["nova_object.data"]
    reason = data["reason"]["nova_object.data"]
    reason["traceback"] += f"keystoneauth1: Authorization: Bearer {FERNET}\n"
    reason["exception_message"] = f"Token {JWS} rejected"
    data["request_spec"]["nova_object.data"]["user_token"] = FERNET
    record = parse(priority, message)
    stored = _stored_text(record)
    assert FERNET[:40] not in stored and JWS[:30] not in stored
    assert record.summary == "Token *** rejected"
    assert "Authorization: Bearer ***" in record.traceback


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"failed with token {FERNET} at node1", FERNET),
        (f"X-Auth-Token: {FERNET}", FERNET),
        (f"headers={{'X-Auth-Token': '{FERNET[:30]}x'}}", FERNET[:30]),
        (f"auth_token={FERNET[:30]}", FERNET[:30]),
        ("password=hunter2-Pa55 and more", "hunter2-Pa55"),
        ('{"admin_password": "hunter2 with spaces"}', "hunter2 with spaces"),
        ("Connect to rabbit://openstack:R4bbit-pass@mq1:5672/ failed", "R4bbit-pass"),
        ("postgresql://nova:pg%21pass@10.0.0.5/nova", "pg%21pass"),
        (f"Bearer {JWS}", JWS),
        ("client_secret: s3cr3t-value", "s3cr3t-value"),
    ],
)
def test_secret_shapes_in_text_are_redacted(text, secret):
    scrubbed = secrets.scrub_text(text)
    assert secret not in scrubbed
    assert "***" in scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "No valid host was found. There are not enough hosts available.",
        "volume 2f0ba8a0-2140-4f97-9af1-33050aafc814 of project a48069ffba2b4c72b895bac5bd0a0edf",
        "http://127.0.0.1:8776/v3/a48069ffba2b4c72b895bac5bd0a0edf/volumes",
        "encryption_key_id: None, key_name: mykey",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert secrets.scrub_text(text) == text


def test_secret_keys_at_any_depth_of_the_payload_and_the_rest_untouched():
    payload = {
        "volume_id": "v-1",
        "display_name": "web",
        "encryption_key_id": "k-1",
        "auth_token": None,
        "items": [
            {"deep": {"X-Auth-Token": "opaque-uuid-token", "adminPass": "p", "keep": 1}},
            {"credentials": {"access": "a", "secret": "s"}},
            {"connection_info": {"data": {"auth_password": "chap", "auth_username": "u"}}},
        ],
        "provider_auth": "CHAP user chap-pass",
    }
    record = parse("error", notification("volume.attach.error", payload=payload))
    stored = json.loads(record.payload)
    assert stored["items"][0]["deep"] == {"X-Auth-Token": "***", "adminPass": "***", "keep": 1}
    assert stored["items"][1]["credentials"] == "***"
    assert stored["items"][2]["connection_info"]["data"]["auth_password"] == "***"
    assert stored["provider_auth"] == "***"
    assert stored["auth_token"] is None  # empty stays empty
    assert (stored["volume_id"], stored["display_name"], stored["encryption_key_id"]) == (
        "v-1",
        "web",
        "k-1",
    )
    assert "opaque-uuid-token" not in _stored_text(record)
    assert "chap-pass" not in _stored_text(record)


def test_secrets_are_out_of_every_stored_field():
    record = parse(
        "error",
        notification(
            "volume.create.error",
            request_id=f"req-{FERNET}",
            payload={
                "volume_id": "v",
                "display_name": f"named {FERNET}",
                "fault": {"message": f"password={PASSWORD}", "details": f"token: {FERNET}"},
            },
        ),
    )
    stored = _stored_text(record)
    assert FERNET[:40] not in stored
    assert PASSWORD not in stored


def test_a_malformed_notification_does_not_echo_a_token_into_the_log():
    with pytest.raises(MalformedNotification) as caught:
        parse("error", notification("volume.create.error", timestamp=FERNET))
    assert FERNET[:20] not in str(caught.value)


@pytest.mark.parametrize(
    "hostile",
    [
        "token" * 40000,
        "password=" * 20000,
        "a" * 200000 + "://",
        "x://" + "a:" * 50000 + "@",
        "gAAAAA" + "-" * 200000,
        '\\"' * 100000,
    ],
)
def test_scrubbing_hostile_text_stays_fast(hostile):
    started = time.perf_counter()
    secrets.scrub_text(hostile)
    secrets.scrub_payload({"k": hostile, hostile[:100]: hostile})
    assert time.perf_counter() - started < 2.0


def test_scrubbing_a_real_notification_is_cheap():
    """The collector parses ~2,500 notifications/s: the scrub must not be what limits it."""
    priority, message = captured("cinder_scheduler_create_volume_error")
    parse(priority, message)
    rounds = 300
    started = time.perf_counter()
    for _ in range(rounds):
        parse(priority, message)
    per_parse = (time.perf_counter() - started) / rounds
    # About 0.1 ms here; a catastrophic pattern would cost 100 times more.
    assert per_parse < 0.002
