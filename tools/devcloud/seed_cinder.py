"""Cinder user messages written through Cinder's own message API (run by seed.py, in the venv).

This module owns the "more Cinder messages" part of the seed. Each message is made by
`cinder.message.api.API().create(context, action, resource_type=..., resource_uuid=...,
detail=... or exception=..., level=...)` with a cinder RequestContext of the project's user,
exactly as Cinder's volume/backup/scheduler services do when an operation fails.

Large counts (benchmarks, `--messages 10000`) take a bulk path: the same `API().create` builds
every row, but a collecting stand-in for its `db` gathers them and one transaction inserts
them through Cinder's `Message` model. The rows are identical; only the commit is shared.

Messages are back-dated (oslo's time override, which Cinder's API and model defaults read) so
the demo has a realistic time spread; they stay inside Cinder's 30-day message_ttl.

It is a separate process from seed.py because Cinder and Trove both register options on
oslo.config's global CONF and cannot share one interpreter.

Input: one JSON argument {"config": path, "projects": [{"name", "project_id", "user_id",
"target"}]}. Output: one JSON line {"projects": {name: {"count", "ids", "event_ids"}}}.
"""

import datetime
import json
import sys
import uuid

from cinder import context as cinder_context
from cinder import objects
from cinder.common import config as cinder_config  # noqa: F401  (registers cinder's options)
from cinder.db.sqlalchemy import api as db_api
from cinder.db.sqlalchemy import models
from cinder.message import api as message_api
from cinder.message import message_field as mf
from oslo_config import cfg
from oslo_utils import timeutils

# (action, detail or exception, resource type): failures a real cloud produces, one per
# event id. The exception entries go through Cinder's exception -> detail mapping.
SCENARIOS = [
    (mf.Action.ATTACH_VOLUME, mf.Detail.ATTACH_ERROR, mf.Resource.VOLUME),
    (mf.Action.CREATE_VOLUME_FROM_BACKEND, mf.Detail.DRIVER_FAILED_CREATE, mf.Resource.VOLUME),
    (mf.Action.EXTEND_VOLUME, mf.Detail.DRIVER_FAILED_EXTEND, mf.Resource.VOLUME),
    (mf.Action.EXTEND_VOLUME, mf.Detail.NOTIFY_COMPUTE_SERVICE_FAILED, mf.Resource.VOLUME),
    (mf.Action.COPY_IMAGE_TO_VOLUME, mf.Detail.NOT_ENOUGH_SPACE_FOR_IMAGE, mf.Resource.VOLUME),
    (mf.Action.COPY_VOLUME_TO_IMAGE, mf.Detail.FAILED_TO_UPLOAD_VOLUME, mf.Resource.VOLUME),
    (mf.Action.UPDATE_ATTACHMENT, mf.Detail.DETACH_ERROR, mf.Resource.VOLUME),
    (mf.Action.SNAPSHOT_CREATE, mf.Detail.SNAPSHOT_CREATE_ERROR, mf.Resource.VOLUME_SNAPSHOT),
    (mf.Action.SNAPSHOT_DELETE, mf.Detail.SNAPSHOT_IS_BUSY, mf.Resource.VOLUME_SNAPSHOT),
    (mf.Action.BACKUP_CREATE, mf.Detail.BACKUP_CREATE_DRIVER_ERROR, mf.Resource.VOLUME_BACKUP),
    (mf.Action.BACKUP_CREATE, mf.Detail.BACKUP_SERVICE_DOWN, mf.Resource.VOLUME_BACKUP),
    (mf.Action.BACKUP_RESTORE, mf.Detail.BACKUP_RESTORE_ERROR, mf.Resource.VOLUME_BACKUP),
    (mf.Action.BACKUP_DELETE, mf.Detail.BACKUP_DELETE_DRIVER_ERROR, mf.Resource.VOLUME_BACKUP),
    (mf.Action.SCHEDULE_ALLOCATE_VOLUME, "exception:DriverNotInitialized", mf.Resource.VOLUME),
    (mf.Action.COPY_IMAGE_TO_VOLUME, "exception:ImageTooBig", mf.Resource.VOLUME),
]
BULK_THRESHOLD = 200  # above this many new rows, share one transaction
SPREAD = datetime.timedelta(days=29)  # inside message_ttl (30 days)
STEP = datetime.timedelta(minutes=37)


class _Collect:
    """Stands in for cinder.db inside message_api.API so rows can be inserted in bulk."""

    def __init__(self):
        self.rows = []

    def message_create(self, context, values):
        # What cinder.db.sqlalchemy.api.message_create and the model defaults add.
        row = dict(values, id=str(uuid.uuid4()), created_at=timeutils.utcnow(), deleted=False)
        self.rows.append(row)


def _exception(name):
    from cinder import exception

    cls = getattr(exception, name)
    # The detail mapping only looks at the class name; skip __init__, which may want kwargs.
    return cls.__new__(cls)


def _create(api, ctx, index, project_name):
    action, detail, resource_type = SCENARIOS[index % len(SCENARIOS)]
    # Distinguishable, stable resource ids: the same seed run makes the same ids.
    resource_uuid = str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"devcloud/{project_name}/{resource_type}/{index}")
    )
    kwargs = {"resource_type": resource_type, "resource_uuid": resource_uuid}
    if isinstance(detail, str):
        kwargs["exception"] = _exception(detail.split(":", 1)[1])
    else:
        kwargs["detail"] = detail
    api.create(ctx, action, level="ERROR", **kwargs)


def _count(ctx, project_id):
    return (
        db_api.model_query(ctx, models.Message, read_deleted="no")
        .filter_by(project_id=project_id)
        .count()
    )


def seed_project(spec):
    admin = cinder_context.get_admin_context()
    with db_api.main_context_manager.reader.using(admin):
        existing = _count(admin, spec["project_id"])
    missing = max(0, spec["target"] - existing)
    if missing:
        api = message_api.API()
        collect = _Collect() if missing > BULK_THRESHOLD else None
        if collect:
            api.db = collect
        step = min(STEP, SPREAD / missing)
        start = timeutils.utcnow() - step * missing
        try:
            for i in range(missing):
                timeutils.set_time_override(start + step * i)
                ctx = cinder_context.RequestContext(
                    user_id=spec["user_id"],
                    project_id=spec["project_id"],
                    request_id=f"req-{uuid.uuid4()}",
                )
                _create(api, ctx, existing + i, spec["name"])
        finally:
            timeutils.clear_time_override()
        if collect:
            with db_api.main_context_manager.writer.using(admin) as session:
                session.execute(models.Message.__table__.insert(), collect.rows)
    with db_api.main_context_manager.reader.using(admin):
        rows = (
            db_api.model_query(admin, models.Message, read_deleted="no")
            .filter_by(project_id=spec["project_id"])
            .with_entities(models.Message.id, models.Message.event_id)
            .all()
        )
    return {
        "count": len(rows),
        "created": missing,
        "ids": [r.id for r in rows] if len(rows) <= 1000 else None,
        "event_ids": sorted({r.event_id for r in rows}),
    }


# --------------------------------------------------------------- bench: one volume's messages
# `seed --volume-messages VOLUME_ID:N` (tools/bench/project_panel): Horizon's own volume
# "Messages" tab lists every message of one volume, so its benchmark needs one real volume
# with many. Same Cinder call as above, for the volume's own project and user.


def seed_volume(spec):
    """At least spec["target"] messages about the existing volume spec["volume_id"]."""
    admin = cinder_context.get_admin_context()
    volume_id = spec["volume_id"]
    with db_api.main_context_manager.reader.using(admin):
        volume = (
            db_api.model_query(admin, models.Volume, read_deleted="no")
            .filter_by(id=volume_id)
            .first()
        )
        if volume is None:
            raise SystemExit(f"seed_cinder: no volume {volume_id}")
        messages = db_api.model_query(admin, models.Message, read_deleted="no").filter_by(
            resource_uuid=volume_id
        )
        existing = messages.count()
    missing = max(0, spec["target"] - existing)
    scenarios = [s for s in SCENARIOS if s[2] == mf.Resource.VOLUME]
    api = message_api.API()
    collect = _Collect() if missing > BULK_THRESHOLD else None
    if collect:
        api.db = collect
    step = min(STEP, SPREAD / max(missing, 1))
    start = timeutils.utcnow() - step * missing
    try:
        for i in range(missing):
            timeutils.set_time_override(start + step * i)
            ctx = cinder_context.RequestContext(
                user_id=volume.user_id,
                project_id=volume.project_id,
                request_id=f"req-{uuid.uuid4()}",
            )
            action, detail, _resource = scenarios[(existing + i) % len(scenarios)]
            if isinstance(detail, str):
                kwargs = {"exception": _exception(detail.split(":", 1)[1])}
            else:
                kwargs = {"detail": detail}
            api.create(
                ctx,
                action,
                level="ERROR",
                resource_type=mf.Resource.VOLUME,
                resource_uuid=volume_id,
                **kwargs,
            )
    finally:
        timeutils.clear_time_override()
    if collect:
        with db_api.main_context_manager.writer.using(admin) as session:
            session.execute(models.Message.__table__.insert(), collect.rows)
    return {"count": existing + missing, "created": missing}


def main():
    spec = json.loads(sys.argv[1])
    cfg.CONF(["--config-file", spec["config"]], project="cinder")
    objects.register_all()
    if spec.get("volumes"):
        result = {v["volume_id"]: seed_volume(v) for v in spec["volumes"]}
        print(json.dumps({"volumes": result}))
        return
    result = {p["name"]: seed_project(p) for p in spec["projects"]}
    print(json.dumps({"projects": result}))


if __name__ == "__main__":
    main()
