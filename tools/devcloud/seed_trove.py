"""Trove instances and their faults, written through Trove's own models (run by seed.py).

This module owns the Trove part of the seed. A real Trove records a failed build like this:
the API creates the instance row (`DBInstance.create`) and its guest status row
(`InstanceServiceStatus.create`); the task manager later marks the task as a build error and
persists the fault (`save_instance_fault`, which is what Trove's error-notification callback
calls). Without Nova the task manager cannot run, so we make the same calls it makes, with
the same models, and trove-api then serves them like any other instance.

Rows are back-dated with oslo's time override (Trove's models read `timeutils.utcnow`).

Separate process from seed.py: Trove and Cinder both register options on oslo.config's
global CONF. Input: one JSON argument {"config": path, "projects": [{"name", "project_id",
"instances", "faults"}]}. Output: one JSON line {"projects": {name: {...}}}.
"""

import datetime
import json
import sys

from oslo_utils import timeutils
from trove.common import cfg, exception
from trove.datastore import models as ds_models
from trove.db import get_db_api
from trove.instance import models as inst_models
from trove.instance import service_status as srvstatus
from trove.instance.tasks import InstanceTasks

DATASTORE, VERSION = "mysql", "8.0"
PREFIX = "devcloud-db-"
STEP = datetime.timedelta(hours=3, minutes=11)

# (fault message, traceback): failures of the kind Trove's task manager records.
_TRACE = 'Traceback (most recent call last):\n  File "{}", line {}, in {}\n    {}\n{}\n'
FAULTS = [
    (
        (
            "Failed to create server for instance: No valid host was found. "
            "There are not enough hosts available."
        ),
        _TRACE.format(
            "/usr/lib/python3/dist-packages/trove/taskmanager/models.py",
            1012,
            "_create_server",
            "server = self.nova_client.servers.create(",
            "novaclient.exceptions.BadRequest: No valid host was found. (HTTP 400)",
        ),
    ),
    (
        "Polling request timed out.",
        _TRACE.format(
            "/usr/lib/python3/dist-packages/trove/common/utils.py",
            213,
            "poll_until",
            "raise exception.PollTimeOut",
            "trove.common.exception.PollTimeOut: Polling request timed out.",
        ),
    ),
    (
        "Failed to create volume: Volume quota exceeded for project.",
        _TRACE.format(
            "/usr/lib/python3/dist-packages/trove/taskmanager/models.py",
            1108,
            "_create_volume",
            "volume_ref = volume_client.volumes.create(",
            "cinderclient.exceptions.OverLimit: VolumeSizeExceedsAvailableQuota (HTTP 413)",
        ),
    ),
]


def _datastore_version_id():
    ds_models.update_datastore(DATASTORE, None)
    ds_models.update_datastore_version(
        DATASTORE, VERSION, "mysql", None, "trove", "", True, version=VERSION
    )
    ds_models.update_datastore(DATASTORE, VERSION)
    datastore = ds_models.Datastore.load(DATASTORE)
    return ds_models.DatastoreVersion.load(datastore, VERSION).id


def _instances(project_id):
    rows = inst_models.DBInstance.find_all(tenant_id=project_id, deleted=False).all()
    return sorted((r for r in rows if r.name.startswith(PREFIX)), key=lambda r: r.name)


def _details(trace, instance_id):
    # What the task manager's error notification carries: the traceback text.
    return f"{trace}(instance {instance_id})\n"


def seed_project(spec, version_id):
    have = _instances(spec["project_id"])
    missing = max(0, spec["instances"] - len(have))
    start = timeutils.utcnow() - STEP * (spec["instances"] + 1)
    try:
        for n in range(len(have), len(have) + missing):
            timeutils.set_time_override(start + STEP * n)
            db = inst_models.DBInstance.create(
                name=f"{PREFIX}{spec['name']}-{n:04d}",
                flavor_id="ds2G",
                tenant_id=spec["project_id"],
                volume_size=1,
                datastore_version_id=version_id,
                task_status=InstanceTasks.BUILDING,
                region_id=cfg.CONF.service_credentials.region_name,
            )
            inst_models.InstanceServiceStatus.create(
                instance_id=db.id, status=srvstatus.ServiceStatuses.NEW
            )
    finally:
        timeutils.clear_time_override()
    instances = _instances(spec["project_id"])
    faulted = 0
    for n, db in enumerate(instances):
        if n >= spec["faults"]:
            if db.task_status == InstanceTasks.BUILDING:
                # A build that finished: no task, agent status as the guest last reported.
                db.set_task_status(InstanceTasks.NONE)
                db.save()
            continue
        faulted += 1
        try:
            inst_models.DBInstanceFault.find_by(instance_id=db.id, deleted=False)
            continue  # already recorded: keep it (and its time)
        except exception.ModelNotFoundError:
            pass
        message, trace = FAULTS[n % len(FAULTS)]
        timeutils.set_time_override(db.created + datetime.timedelta(minutes=4))
        try:
            db.set_task_status(InstanceTasks.BUILDING_ERROR_SERVER)
            db.save()
            status = inst_models.InstanceServiceStatus.find_by(instance_id=db.id)
            status.set_status(srvstatus.ServiceStatuses.FAILED_TIMEOUT_GUESTAGENT)
            status.save()
            inst_models.save_instance_fault(db.id, message, _details(trace, db.id))
        finally:
            timeutils.clear_time_override()
    return {
        "instances": len(instances),
        "faults": faulted,
        "ids": [db.id for db in instances] if len(instances) <= 1000 else None,
    }


def main():
    spec = json.loads(sys.argv[1])
    cfg.parse_args(["seed_trove", "--config-file", spec["config"]])
    get_db_api().configure_db()
    version_id = _datastore_version_id()
    result = {p["name"]: seed_project(p, version_id) for p in spec["projects"]}
    print(json.dumps({"projects": result}))


if __name__ == "__main__":
    main()
