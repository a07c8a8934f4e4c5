"""Make Nova's own code publish its "no valid host" notifications, legacy and versioned.

The devcloud runs no Nova yet, and the collector's tests must not copy upstream sample
files; so this script, run with a scratch virtualenv holding Nova 2026.1, has Nova build
and send what its conductor sends when the scheduler finds no host for a multi-create of
two servers: ``nova.scheduler.utils.set_vm_state_and_notify`` (legacy
``compute_task.build_instances`` and versioned ``compute_task.build_instances.error``,
``notification_format = both``), with the scheduler's ``NoValidHost`` arriving as a remote
exception through oslo.messaging, as over RPC. Only Nova's two database writes there
(``Instance.save``, ``add_instance_fault_from_exc``) are stubbed. Nova publishes to its
own control exchange ``nova`` on the devcloud's RabbitMQ; record_notifications.py,
running meanwhile, writes the files:

    python3 -m venv /tmp/nova-venv
    /tmp/nova-venv/bin/pip install nova==33.0.2 -c tools/devcloud/upper-constraints-2026.1.txt
    sh -c 'tools/devcloud/devcloud start &&
      (.devcloud/venv/bin/python tools/devcloud/record_notifications.py --out /tmp/rec \\
         --seconds 25 &) && sleep 3 &&
      /tmp/nova-venv/bin/python tools/devcloud/publish_nova_notifications.py TOKEN USER PROJECT'

(TOKEN, USER, PROJECT: alice's, e.g. from ``seed.login("alice")`` in the devcloud venv.)
oslo.messaging's publisher declares a queue per routing key it first publishes to, so
that nothing is lost before a consumer comes; the devcloud has no consumer for
``versioned_notifications.error``: ``rabbitmqctl delete_queue versioned_notifications.error``
afterwards.
"""

import sys
import tempfile
import uuid
from pathlib import Path
from unittest import mock

import oslo_messaging
from nova import config, exception, objects, rpc
from nova import context as nova_context
from nova.compute import utils as compute_utils
from nova.scheduler import utils as scheduler_utils

NOVA_CONF = """
[DEFAULT]
host = ctl1.example.org
transport_url = rabbit://guest:guest@127.0.0.1:5672/
[notifications]
notification_format = both
[oslo_messaging_notifications]
driver = messagingv2
"""


def main(token, user_id, project_id):
    conf_file = Path(tempfile.mkdtemp()) / "nova.conf"
    conf_file.write_text(NOVA_CONF)
    config.parse_args(["nova-conductor", "--config-file", str(conf_file)])
    objects.register_all()
    rpc.init(config.CONF)
    context = nova_context.RequestContext(
        user_id=user_id,
        project_id=project_id,
        auth_token=token,
        service_catalog=[{"type": "image", "name": "glance", "endpoints": []}],
        roles=["member", "reader"],
        is_admin=False,
    )
    remote = _remote_no_valid_host()
    flavor = objects.Flavor(
        id=1, flavorid="huge", name="huge", memory_mb=1048576, vcpus=64, root_gb=10,
        ephemeral_gb=0, swap=0, rxtx_factor=1.0, vcpu_weight=0, disabled=False,
        is_public=True, extra_specs={}, description=None,
    )  # fmt: skip
    image = objects.ImageMeta.from_dict({"id": str(uuid.uuid4()), "name": "cirros"})
    for instance_uuid in (str(uuid.uuid4()), str(uuid.uuid4())):
        spec = objects.RequestSpec(
            context=context, instance_uuid=instance_uuid, project_id=project_id,
            user_id=user_id, flavor=flavor, num_instances=2, image=image,
            availability_zone=None, ignore_hosts=None, force_hosts=None, force_nodes=None,
            scheduler_hints={}, instance_group=None, is_bfv=False, retry=None, limits=None,
            pci_requests=None, numa_topology=None,
        )  # fmt: skip
        # As in the conductor: the exception is handled where the RPC call raised it.
        try:
            raise remote
        except exception.NoValidHost as failure:
            with (
                mock.patch.object(objects.Instance, "save"),
                mock.patch.object(compute_utils, "add_instance_fault_from_exc"),
            ):
                scheduler_utils.set_vm_state_and_notify(
                    context, instance_uuid, "compute_task", "build_instances",
                    {"vm_state": "error", "task_state": None}, failure, spec,
                )  # fmt: skip
        print(f"published the failure of instance {instance_uuid}")
    rpc.cleanup()


def _remote_no_valid_host():
    """The scheduler's NoValidHost as the conductor receives it: ``NoValidHost_Remote``."""
    try:
        raise exception.NoValidHost(reason="There are not enough hosts available.")
    except exception.NoValidHost:
        failure = sys.exc_info()
    common = oslo_messaging._drivers.common
    data = common.serialize_remote_exception(failure)
    return common.deserialize_remote_exception(data, ["nova.exception"])


if __name__ == "__main__":
    main(*sys.argv[1:4])
