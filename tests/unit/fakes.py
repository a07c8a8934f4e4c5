"""Fakes at the client boundary (``event_viewer.api``), built from real client resources."""

import datetime
import uuid

from cinderclient.v3 import messages as cinder_messages
from troveclient.v1 import instances as trove_instances


def cinder_message(**fields):
    """A real cinderclient ``Message`` resource with plausible defaults."""
    info = {
        "id": str(uuid.uuid4()),
        "event_id": "VOLUME_VOLUME_001_003",
        "user_message": "schedule allocate volume:Could not find any available weighted backend.",
        "message_level": "ERROR",
        "resource_type": "VOLUME",
        "resource_uuid": str(uuid.uuid4()),
        "request_id": "req-" + str(uuid.uuid4()),
        "created_at": "2026-11-22T10:00:00.000000",
        "guaranteed_until": "2026-12-22T10:00:00.000000",
        "links": [],
    }
    info.update(fields)
    return cinder_messages.Message(None, info, loaded=True)


def cinder_messages_newest_first(count, start=None):
    """``count`` messages one minute apart, newest first (Cinder's default order)."""
    start = start or datetime.datetime(2026, 11, 22, 12, 0, 0)
    return [
        cinder_message(
            created_at=(start - datetime.timedelta(minutes=n)).isoformat(),
            user_message=f"failure number {n}",
        )
        for n in range(count)
    ]


def trove_instance(fault_message=None, fault_created="2026-11-22T09:30:00", details=None, **fields):
    """A real troveclient ``Instance`` resource as ``GET /instances/detail`` returns it."""
    info = {
        "id": str(uuid.uuid4()),
        "name": "db-" + uuid.uuid4().hex[:6],
        "status": "ERROR" if fault_message else "ACTIVE",
        "created": "2026-11-22T09:00:00",
        "updated": "2026-11-22T09:30:00",
        "datastore": {"type": "mysql", "version": "8.0"},
        "links": [],
    }
    if fault_message:
        info["fault"] = {"message": fault_message, "created": fault_created, "details": details}
    info.update(fields)
    # A real manager (no API behind it): troveclient resources need one to exist.
    return trove_instances.Instance(trove_instances.Instances(None), info, loaded=True)


class FakeInstancesClient:
    """Plays ``event_viewer.api.trove.InstancesClient`` over in-memory instances."""

    def __init__(self, instances=(), error=None):
        self.instances = list(instances)
        self.error = error
        self.calls = 0

    def __call__(self, request, all_projects=False):
        self.all_projects = all_projects
        return self

    def faulted_instances(self):
        self.calls += 1
        if self.error:
            raise self.error
        return [i._info for i in self.instances if i._info.get("fault")], True

    def get(self, instance_id):
        for instance in self.instances:
            if instance.id == instance_id:
                return instance._info
        from troveclient import exceptions

        raise exceptions.NotFound(404)


class FakeMessagesClient:
    """Plays ``event_viewer.api.cinder.MessagesClient`` over an in-memory list.

    Answers what Cinder answers (checked against the local cloud's cinder-api
    28.0.0 at microversion 3.30): marker, limit, sort direction and the filter
    keys applied; a marker, get or delete of a message that does not exist (or
    is deleted, or another project's) is 404 "Message <id> could not be found."
    ``projects`` (message id -> project id) scopes a member's client to the
    token's project, as the real client's ``project_id`` filter makes Cinder do.
    Every call is recorded so tests can assert what the view asked for.
    """

    def __init__(self, messages=(), error=None, projects=None):
        self.messages = list(messages)
        self.error = error
        self.projects = projects
        self.project_id = None
        self.calls = []

    def __call__(self, request, all_projects=False):
        self.all_projects = all_projects
        user = getattr(request, "user", None)
        self.project_id = None if all_projects else getattr(user, "project_id", None)
        return self

    def _visible(self):
        if self.projects is None or self.project_id is None:
            return self.messages
        return [m for m in self.messages if self.projects.get(m.id) == self.project_id]

    @staticmethod
    def _not_found(message_id):
        from cinderclient import exceptions

        return exceptions.NotFound(404, message=f"Message {message_id} could not be found.")

    def get(self, message_id):
        for message in self._visible():
            if message.id == message_id:
                return message
        raise self._not_found(message_id)

    def delete(self, message_id):
        self.get(message_id)
        self.deleted = [*getattr(self, "deleted", []), message_id]
        self.messages = [m for m in self.messages if m.id != message_id]

    def list(self, filters=None, marker=None, limit=None, sort_dir="desc"):
        self.calls.append(
            {"filters": filters, "marker": marker, "limit": limit, "sort_dir": sort_dir}
        )
        if self.error:
            raise self.error
        visible = self._visible()
        for key, value in (filters or {}).items():
            if key != "project_id":
                visible = [m for m in visible if m._info.get(key) == value]
            elif self.projects is not None:
                visible = [m for m in visible if self.projects.get(m.id) == value]
        ordered = visible if sort_dir == "desc" else list(reversed(visible))
        if marker:
            ids = [m.id for m in ordered]
            if marker not in ids:
                # Cinder looks the marker up first (message_get): gone is 404.
                raise self._not_found(marker)
            ordered = ordered[ids.index(marker) + 1 :]
        return ordered[:limit] if limit else ordered
