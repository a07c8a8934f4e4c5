"""Probe how Cinder scopes GET /v3/{project_id}/messages for a project member.

Owns the evidence behind NOTES.md "Cinder message scoping": run it against a seeded
devcloud (`.devcloud/venv/bin/python tools/devcloud/check_scoping.py`) and it prints, per
microversion and filter, how many messages alice gets and how many of them are beta's
(ids from cloud.json). Read-only: it lists and shows, never deletes.
"""

import json

import devcloud
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3


def session(user):
    auth = v3.Password(
        auth_url=devcloud.AUTH_URL,
        username=user,
        password=user,
        project_name=devcloud.USERS[user]["project"],
        user_domain_id="default",
        project_domain_id="default",
    )
    return ks_session.Session(auth=auth, timeout=30)


def get(sess, path, version, **params):
    resp = sess.get(
        path,
        params=params,
        raise_exc=False,
        headers={"OpenStack-API-Version": f"volume {version}"},
        endpoint_filter={"service_type": "volumev3", "interface": "public"},
    )
    return resp.status_code, (resp.json() if resp.content else {})


def main():
    cloud = json.loads(devcloud.CLOUD_JSON.read_text())
    alpha = cloud["projects"]["alpha"]["id"]
    beta_ids = set(cloud["beta_message_ids"])
    alice = session("alice")
    print(f"alpha has {cloud['projects']['alpha']['messages']} messages, beta {len(beta_ids)}")
    cases = [
        ("3.3", {}),
        ("3.5", {}),
        ("3.5", {"project_id": alpha}),
        ("3.5", {"project_id": alpha, "limit": 20}),
        ("3.30", {"project_id": alpha}),
        ("3.31", {"project_id": alpha}),
        ("3.31", {}),
        ("3.3", {"limit": 5}),
        ("3.5", {"all_tenants": 1}),
        ("3.5", {"project_id": cloud["projects"]["beta"]["id"]}),
    ]
    for version, params in cases:
        status, body = get(alice, "/messages", version, **params)
        msgs = body.get("messages", [])
        leaked = sum(m["id"] in beta_ids for m in msgs)
        shown = {
            k: ("<alpha>" if v == alpha else "<beta>" if k == "project_id" else v)
            for k, v in params.items()
        }
        print(
            f"alice GET /messages {version:<5} {json.dumps(shown):<45} -> {status} "
            f"{len(msgs):>3} messages, {leaked:>2} of them beta's"
        )
    beta_one = min(beta_ids)
    status, _ = get(alice, f"/messages/{beta_one}", "3.5")
    print(f"alice GET /messages/<a beta id> 3.5 -> {status}")


if __name__ == "__main__":
    main()
