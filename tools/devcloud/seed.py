"""Fill the devcloud with real failures and describe the result in $DEVCLOUD_HOME/cloud.json.

Run through `devcloud seed [--messages N] [--instances N --faults M]` (inside the venv).
Idempotent: every step tops up to a target and never duplicates.

This module owns the orchestration and everything done over the real APIs:
  (a) as alice (keystoneauth password auth, real Keystone, real cinder-api), create a volume
      no backend can take; the real cinder-scheduler records the user message
      VOLUME_VOLUME_001_003. Done once; later runs find the message again.
  (b) more Cinder messages for alpha and beta: seed_cinder.py, Cinder's own message API;
  (c) Trove instances with faults for alpha and beta: seed_trove.py, Trove's own models;
then it checks through the real APIs that alice sees what was made (Trove faults without
details), that admin sees the fault details, and writes cloud.json for tests and demos.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import devcloud
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

HERE = Path(__file__).resolve().parent
CINDER_CONF = devcloud.ETC / "cinder.conf"
TROVE_CONF = devcloud.ETC / "trove.conf"
NO_BACKEND_EVENT = "VOLUME_VOLUME_001_003"
NO_BACKEND_VOLUME = "devcloud-no-backend"
WAIT = 60  # seconds for the scheduler to record the real failure
TIMEOUT = 30  # per HTTP request


def say(msg):
    print(f"seed: {msg}", flush=True)


class SeedError(Exception):
    pass


def login(user):
    project = devcloud.USERS[user]["project"]
    auth = v3.Password(
        auth_url=devcloud.AUTH_URL,
        username=user,
        password=user,
        project_name=project,
        user_domain_id="default",
        project_domain_id="default",
    )
    sess = ks_session.Session(auth=auth, timeout=TIMEOUT)
    return sess


def call(sess, service, method, path, microversion=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if microversion:
        headers["OpenStack-API-Version"] = f"volume {microversion}"
    resp = sess.request(
        path,
        method,
        headers=headers,
        raise_exc=False,
        endpoint_filter={
            "service_type": service,
            "interface": "public",
            "region_name": devcloud.REGION,
        },
        **kwargs,
    )
    if resp.status_code >= 400:
        raise SeedError(f"{method} {service} {path}: {resp.status_code} {resp.text[:300]}")
    return resp.json() if resp.content else {}


def own_messages(sess, project_id, **filters):
    # Cinder 28 lists other projects' messages to members (see NOTES.md); at 3.5-3.30 a
    # project_id filter scopes the list to the caller's project.
    params = {"project_id": project_id, "limit": 1000, **filters}
    return call(sess, "volumev3", "GET", "/messages", microversion="3.5", params=params)["messages"]


def real_failure(alice, alpha_id):
    """(a): one volume create that only the scheduler can reject; returns the message."""
    # The real one is the scheduler's message about our unschedulable volume (other
    # seeded messages may carry the same event id); tests may have deleted it.
    volumes = call(alice, "volumev3", "GET", "/volumes", params={"name": NO_BACKEND_VOLUME})
    for volume in volumes["volumes"]:
        found = own_messages(alice, alpha_id, event_id=NO_BACKEND_EVENT, resource_uuid=volume["id"])
        if found:
            say(f"alpha already has the real {NO_BACKEND_EVENT} message")
            return found[0]
    say(f"as alice: creating volume {NO_BACKEND_VOLUME!r} (no backend can take it)")
    volume = call(
        alice,
        "volumev3",
        "POST",
        "/volumes",
        microversion="3.5",
        json={
            "volume": {
                "size": 1,
                "name": NO_BACKEND_VOLUME,
                "description": "devcloud: fails in cinder-scheduler",
            }
        },
    )["volume"]
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = own_messages(alice, alpha_id, event_id=NO_BACKEND_EVENT, resource_uuid=volume["id"])
        if found:
            say(f"cinder-scheduler recorded {NO_BACKEND_EVENT}: {found[0]['user_message']}")
            return found[0]
        time.sleep(1)
    status = call(alice, "volumev3", "GET", f"/volumes/{volume['id']}")["volume"]["status"]
    raise SeedError(
        f"no {NO_BACKEND_EVENT} message for volume {volume['id']} after {WAIT} s "
        f"(volume status {status!r}); see {devcloud.LOG / 'cinder-scheduler.log'}"
    )


def helper(script, spec, key="projects"):
    """Run seed_cinder.py / seed_trove.py (own interpreter: separate oslo.config CONF)."""
    log = devcloud.LOG / "seed.log"
    with log.open("a") as err:
        try:
            out = subprocess.run(
                [sys.executable, str(HERE / script), json.dumps(spec)],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                timeout=600,
                check=False,
                cwd=devcloud.HOME,
            )
        except subprocess.TimeoutExpired as exc:
            raise SeedError(f"{script} took more than 10 minutes; log: {log}") from exc
    if out.returncode != 0:
        devcloud._print_tail(log)
        raise SeedError(f"{script} failed ({out.returncode}); log: {log}")
    return json.loads(out.stdout.strip().splitlines()[-1])[key]


def all_pages(sess, path, **params):
    """Follow Trove's marker pagination (pages of `instances_page_size`, 20 by default)."""
    items = []
    for _ in range(10000):
        body = call(sess, "database", "GET", path, params=params)
        items.extend(body["instances"])
        nxt = [link["href"] for link in body.get("links", []) if link.get("rel") == "next"]
        if not nxt or not body["instances"]:
            return items
        # Trove's marker is its own (see the next link), not the last id.
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(nxt[0]).query)
        params = dict(params, marker=query["marker"][0])
    raise SeedError(f"{path}: pagination did not end")


def check_trove(alice, admin, alpha_id, expected):
    listed = all_pages(alice, "/instances/detail")
    faults = [i for i in listed if i.get("fault")]
    if len(listed) < expected["instances"] or len(faults) < expected["faults"]:
        raise SeedError(
            f"alice sees {len(listed)} instances / {len(faults)} faults in alpha, "
            f"expected {expected['instances']} / {expected['faults']}"
        )
    if any(f["fault"].get("details") for f in faults):
        raise SeedError("trove-api showed fault details to a non-admin")
    mgmt = all_pages(admin, "/mgmt/instances", project_id=alpha_id, deleted="false")
    with_details = [i for i in mgmt if (i.get("fault") or {}).get("details")]
    if len(with_details) < expected["faults"]:
        raise SeedError(
            f"admin sees {len(with_details)} fault details in alpha via "
            f"/mgmt/instances, expected {expected['faults']}"
        )
    say(
        f"trove-api: alice sees {len(listed)} instances, {len(faults)} faults (no details); "
        f"admin sees the details"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(prog="devcloud seed", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=45,
        metavar="N",
        help="project alpha has at least N Cinder messages (default 45)",
    )
    parser.add_argument(
        "--beta-messages",
        type=int,
        default=10,
        metavar="N",
        help="project beta has at least N Cinder messages (default 10)",
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=3,
        metavar="N",
        help="Trove instances in alpha (default 3; beta gets 2)",
    )
    parser.add_argument(
        "--faults",
        type=int,
        default=None,
        metavar="M",
        help="how many of alpha's instances have a fault (default 2, or "
        "N/5 when --instances is given)",
    )
    # Benchmarks (tools/bench/project_panel): one volume with many messages, for Horizon's
    # own volume "Messages" tab. Made before the project top-up, so they count towards it.
    parser.add_argument(
        "--volume-messages",
        action="append",
        default=[],
        metavar="VOLUME_ID:N",
        help="the existing volume VOLUME_ID has at least N Cinder messages (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        volume_targets = [
            {"volume_id": vid, "target": int(n)}
            for vid, n in (v.rsplit(":", 1) for v in args.volume_messages)
        ]
    except ValueError:
        parser.error("--volume-messages wants VOLUME_ID:N")
    if args.faults is None:
        args.faults = 2 if args.instances == 3 else args.instances // 5
    if args.faults > args.instances:
        parser.error("--faults cannot exceed --instances")

    started = time.monotonic()
    sessions = {user: login(user) for user in devcloud.USERS}
    ids = {}
    for user, sess in sessions.items():
        ids[user] = {"user_id": sess.get_user_id(), "project_id": sess.get_project_id()}
    alpha_id, beta_id = ids["alice"]["project_id"], ids["bob"]["project_id"]

    real = real_failure(sessions["alice"], alpha_id)

    volume_counts = {}
    if volume_targets:
        say("Cinder messages for single volumes (--volume-messages) ...")
        volumes = helper(
            "seed_cinder.py",
            {"config": str(CINDER_CONF), "volumes": volume_targets},
            key="volumes",
        )
        for vid, result in volumes.items():
            say(f"  volume {vid}: {result['count']} messages ({result['created']} new)")
            volume_counts[vid] = result["count"]

    say("Cinder messages through cinder.message.api.API().create ...")
    messages = helper(
        "seed_cinder.py",
        {
            "config": str(CINDER_CONF),
            "projects": [
                {"name": "alpha", "target": args.messages, **ids["alice"]},
                {"name": "beta", "target": args.beta_messages, **ids["bob"]},
            ],
        },
    )
    for name, result in messages.items():
        say(f"  {name}: {result['count']} messages ({result['created']} new)")

    say("Trove instances and faults through Trove's models ...")
    trove_spec = {
        "alpha": {"instances": args.instances, "faults": args.faults},
        "beta": {"instances": 2, "faults": 1},
    }
    instances = helper(
        "seed_trove.py",
        {
            "config": str(TROVE_CONF),
            "projects": [
                {"name": "alpha", "project_id": alpha_id, **trove_spec["alpha"]},
                {"name": "beta", "project_id": beta_id, **trove_spec["beta"]},
            ],
        },
    )
    for name, result in instances.items():
        say(f"  {name}: {result['instances']} instances, {result['faults']} with a fault")
    check_trove(sessions["alice"], sessions["admin"], alpha_id, trove_spec["alpha"])

    catalog = {
        "identity": devcloud.AUTH_URL,
        "volumev3": devcloud.ENDPOINTS["volumev3"][1],
        "database": devcloud.ENDPOINTS["database"][1],
    }
    summary = {
        "auth_url": devcloud.AUTH_URL,
        "region": devcloud.REGION,
        "user_domain": "Default",
        "project_domain": "Default",
        "users": {
            user: {
                "username": user,
                "password": user,
                "project_name": devcloud.USERS[user]["project"],
                **ids[user],
            }
            for user in devcloud.USERS
        },
        "endpoints": catalog,
        "projects": {
            "alpha": {
                "id": alpha_id,
                "messages": messages["alpha"]["count"],
                "instances": instances["alpha"]["instances"],
                "faults": instances["alpha"]["faults"],
            },
            "beta": {
                "id": beta_id,
                "messages": messages["beta"]["count"],
                "instances": instances["beta"]["instances"],
                "faults": instances["beta"]["faults"],
            },
        },
        "message_event_ids": {name: r["event_ids"] for name, r in messages.items()},
        "no_valid_backend": {
            "message_id": real["id"],
            "volume_id": real["resource_uuid"],
            "event_id": NO_BACKEND_EVENT,
            "user_message": real["user_message"],
        },
        "beta_message_ids": messages["beta"]["ids"],
        "trove_instance_ids": {name: r["ids"] for name, r in instances.items()},
    }
    if volume_counts:
        summary["volume_messages"] = volume_counts
    tmp = devcloud.CLOUD_JSON.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n")
    os.replace(tmp, devcloud.CLOUD_JSON)
    say(f"done in {time.monotonic() - started:.0f} s; summary: {devcloud.CLOUD_JSON}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SeedError as exc:
        print(f"seed: error: {exc}", file=sys.stderr)
        sys.exit(1)
