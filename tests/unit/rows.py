"""Real ``ServiceEvent`` rows in the test database, as the collector would store them."""

import contextlib
import datetime
import uuid
from unittest import mock

from django.db import connections, models
from django.db.utils import ConnectionHandler
from django.test import override_settings

from event_viewer.models import ServiceEvent

START = datetime.datetime(2026, 11, 22, 12, 0, 0, tzinfo=datetime.UTC)


def at(minutes_before_start):
    return START - datetime.timedelta(minutes=minutes_before_start)


def _fields(fields):
    """A failed volume create on node-1, unless ``fields`` say otherwise."""
    values = {
        "message_id": uuid.uuid4().hex,
        "service": "scheduler",
        "publisher_id": "scheduler.node-1",
        "event_type": "scheduler.create_volume",
        "outcome": "fail",
        "level": "ERROR",
        "project_id": "1",
        "user_id": "u-alice",
        "host": "node-1",
        "request_id": "req-" + str(uuid.uuid4()),
        "resource_type": "VOLUME",
        "resource_id": str(uuid.uuid4()),
        "resource_name": "vol-a",
        "summary": "No valid backend was found.",
        "created_at": START,
        "expires_at": START + datetime.timedelta(days=30),
    }
    values.update(fields)
    return values


def service_event(**fields):
    """One stored operation: a failed volume create on node-1 unless ``fields`` say otherwise."""
    return ServiceEvent.objects.create(**_fields(fields))


def service_events(field_sets):
    """Many stored operations in one INSERT, each ``service_event(**fields)`` would make."""
    return ServiceEvent.objects.bulk_create(ServiceEvent(**_fields(f)) for f in field_sets)


def _not_migrated_model():
    """A model of ServiceEvent's shape whose table no migration created.

    What the store queries in a database where ``migrate`` was never run, for
    ``mock.patch("event_viewer.api.store.ServiceEvent", NotMigratedServiceEvent)``
    (patching ServiceEvent's own table name would outlive the patch in Django's
    cached column references).
    """
    fields = {f.name: f.clone() for f in ServiceEvent._meta.local_fields if not f.primary_key}
    meta = type(
        "Meta",
        (),
        {"app_label": "event_viewer", "managed": False, "db_table": "event_viewer_not_migrated"},
    )
    return type(
        "NotMigratedServiceEvent", (models.Model,), {**fields, "Meta": meta, "__module__": __name__}
    )


NotMigratedServiceEvent = _not_migrated_model()


@contextlib.contextmanager
def without_a_database():
    """Horizon's usual settings for the store: no DATABASES, so Django's dummy backend.

    Points EVENT_VIEWER_DATABASE at an alias configured the way Django
    configures "default" when a deployment sets no DATABASES at all.
    """
    dummy = ConnectionHandler({}).settings["default"]
    assert dummy["ENGINE"] == "django.db.backends.dummy"
    with (
        mock.patch.dict(connections.settings, {"horizon_only": dummy}),
        override_settings(EVENT_VIEWER_DATABASE="horizon_only"),
    ):
        yield
