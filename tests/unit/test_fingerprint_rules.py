"""Operator fingerprint rules: fixed or extended fingerprints, first match wins, clear errors."""

import time

import pytest

from event_viewer.events import Event
from event_viewer.knowledge import fingerprint as fp
from event_viewer.knowledge import rules as fr

U1 = "9f1c1f3a-54a8-4d0e-9a39-0a1d5b1f2e11"
U2 = "0b7d4e2c-3a19-4f6e-8d2a-6c5b4a3f2e10"

NO_BACKEND = "NoValidBackend('No valid backend was found. No weighed backends available')"
RETRIES = (
    "NoValidBackend('No valid backend was found. Exceeded max scheduling attempts 3 "
    f"for resource {U1}')"
)


def event(message, service="scheduler", exception="NoValidBackend", traceback="", **kwargs):
    return Event(
        source=kwargs.pop("source", "collector"),
        native_id="1",
        created_at=None,
        summary=message,
        event_id=kwargs.pop("event_type", "scheduler.create_volume"),
        service=service,
        exception=exception,
        traceback=traceback,
        **kwargs,
    )


def test_a_fixed_fingerprint_groups_what_the_default_keeps_apart():
    rules = fr.compile_rules(
        [{"name": "no-backend", "match": {"exception": "NoValidBackend"}, "fingerprint": "nb"}]
    )
    first = fp.fingerprint(event(NO_BACKEND), rules=rules)
    second = fp.fingerprint(event(RETRIES), rules=rules)
    assert fp.fingerprint(event(NO_BACKEND)).value != fp.fingerprint(event(RETRIES)).value
    assert first.value == second.value
    assert first.parts == (("fingerprint", "nb"),)
    assert first.rule == "no-backend"
    assert first.version == fp.VERSION
    # Another rule with the same fixed fingerprint makes the same group.
    other = fr.compile_rules([{"match": {"service": "volume"}, "fingerprint": "nb"}])
    assert fp.fingerprint(event("x", service="volume"), rules=other).value == first.value


def test_extend_splits_what_the_default_merges():
    # One Trove class, two meanings the operator wants apart by the raw message.
    rules = fr.compile_rules(
        [
            {"match": {"message": "Failed to create server*"}, "extend": "server"},
            {"match": {"message": "re:^Failed to create volume"}, "extend": "volume"},
        ]
    )
    server = event(f"Failed to create server for instance {U1}", "taskmanager", "TroveError")
    server2 = event(f"Failed to create server for instance {U2}", "taskmanager", "TroveError")
    volume = event(f"Failed to create volume for instance {U1}", "taskmanager", "TroveError")
    default = fp.fingerprint(server)
    extended = fp.fingerprint(server, rules=rules)
    assert extended.parts == default.parts + (("extend", "server"),)
    assert extended.rule == "rule 1"
    assert extended.value != default.value
    assert fp.fingerprint(server2, rules=rules).value == extended.value
    assert fp.fingerprint(volume, rules=rules).rule == "rule 2"


def test_the_first_matching_rule_wins_and_no_match_is_the_default():
    rules = fr.compile_rules(
        [
            {"name": "a", "match": {"service": "sched*"}, "fingerprint": "first"},
            {"name": "b", "match": {"service": "scheduler"}, "fingerprint": "second"},
        ]
    )
    assert fp.fingerprint(event(NO_BACKEND), rules=rules).rule == "a"
    plain = event(NO_BACKEND, service="volume")
    assert fp.fingerprint(plain, rules=rules) == fp.fingerprint(plain)
    assert fp.fingerprint(plain, rules=fr.compile_rules([])) == fp.fingerprint(plain)
    assert len(fr.compile_rules(None)) == 0


@pytest.mark.parametrize(
    ("match", "matches"),
    [
        ({"source": "collector"}, True),
        ({"source": "trove"}, False),
        ({"service": "scheduler"}, True),
        ({"service": "Scheduler"}, False),  # case-sensitive
        ({"service": "sched"}, False),  # a glob without wildcard is the whole value
        ({"event_type": "scheduler.*"}, True),
        ({"event_type": "volume.*"}, False),
        ({"exception": "NoValid*"}, True),
        ({"exception": "re:^NoValid(Backend|Host)$"}, True),
        ({"message": "*weighed backends*"}, True),
        ({"message": "re:weighed"}, True),  # a regex is searched
        ({"message": "re:^weighed"}, False),
        ({"service": "scheduler", "exception": "NoValidHost"}, False),  # every key must match
    ],
)
def test_each_match_key(match, matches):
    rules = fr.compile_rules([{"match": match, "fingerprint": "f"}])
    assert (fp.fingerprint(event(NO_BACKEND), rules=rules).rule == "rule 1") is matches


def test_rules_see_the_exception_class_read_from_the_traceback():
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3/dist-packages/trove/taskmanager/models.py", line 9, in f\n'
        "    raise TroveError(message=full_message)\n"
        "trove.common.exception.TroveError: Failed to create server\n"
    )
    rules = fr.compile_rules([{"match": {"exception": "TroveError"}, "fingerprint": "f"}])
    found = event("Failed to create server", "taskmanager", "", traceback)
    assert fp.fingerprint(found, rules=rules).rule == "rule 1"


def test_rules_match_cinder_messages_by_their_event_id():
    rules = fr.compile_rules(
        [{"match": {"source": "cinder", "event_type": "VOLUME_*_001_003"}, "extend": "az1"}]
    )
    message = Event(
        source="cinder",
        native_id=U1,
        created_at=None,
        summary="x",
        event_id="VOLUME_VOLUME_001_003",
    )
    assert fp.fingerprint(message, rules=rules).parts[-1] == ("extend", "az1")


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        ({"match": {}}, "rules must be a list"),
        (["x"], "rule 1: must be a mapping"),
        ([{"match": {"service": "a"}, "fingerprint": "f", "when": 1}], "unknown key(s) when"),
        ([{"fingerprint": "f"}], "'match' must be a non-empty mapping"),
        ([{"match": {}, "fingerprint": "f"}], "'match' must be a non-empty mapping"),
        ([{"match": {"host": "a"}, "fingerprint": "f"}], "unknown match key(s) host"),
        ([{"match": {"service": "a"}}], "exactly one of 'fingerprint'"),
        ([{"match": {"service": "a"}, "fingerprint": "f", "extend": "s"}], "exactly one of"),
        ([{"match": {"service": 3}, "fingerprint": "f"}], "match.service: must be a non-empty"),
        ([{"match": {"service": "a"}, "fingerprint": " "}], "fingerprint: must be a non-empty"),
        ([{"match": {"service": "a"}, "extend": "x" * 300}], "extend: longer than 255"),
        ([{"match": {"message": "a" * 2000}, "fingerprint": "f"}], "longer than 1024"),
        (
            [{"name": "bad", "match": {"message": "re:(unclosed"}, "fingerprint": "f"}],
            "rule 1 (bad): match.message: invalid regular expression",
        ),
        ([{"match": {"message": "re:(a+)+$"}, "fingerprint": "f"}], "a repeat inside a repeat"),
        ([{"match": {"message": "re:(\\w+\\s?)*$"}, "fingerprint": "f"}], "inside a repeat"),
        ([{"match": {"message": "re:(a|ab)*c"}, "fingerprint": "f"}], "an alternation inside"),
        ([{"match": {"message": "re:(a{1,500}){1,500}"}, "fingerprint": "f"}], "inside a repeat"),
        ([{"match": {"message": "re:(\\w+) \\1"}, "fingerprint": "f"}], "backreferences"),
        ([{"match": {"message": "re:.*a.*b.*c"}, "fingerprint": "f"}], "more than 2 unbounded"),
        ([{"match": {"service": "a"}, "fingerprint": "f"}] * 1001, "at most 1000 rules"),
    ],
)
def test_a_wrong_rule_set_says_which_rule_and_what(data, complaint):
    with pytest.raises(fr.RuleError) as raised:
        fr.compile_rules(data)
    assert complaint in str(raised.value)


def test_allowed_regexes_stay_fast_on_hostile_messages():
    rules = fr.compile_rules(
        [
            {"match": {"message": "re:.*a.*b$"}, "fingerprint": "r"},
            {"match": {"message": "re:(?:ab){1,50}c"}, "fingerprint": "r"},
            {"match": {"message": "*a*a*a*a*a*a*a*b"}, "fingerprint": "g"},
        ]
    )
    hostile = event("a" * 1_000_000)
    started = time.perf_counter()
    assert fp.fingerprint(hostile, rules=rules).rule == ""
    # Input is cut at MAX_INPUT characters: the worst allowed regex is bounded.
    assert time.perf_counter() - started < 1.5
