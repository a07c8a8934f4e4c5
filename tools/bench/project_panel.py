"""Benchmark of Project -> Event Viewer: page time against the API calls it makes.

Run through ``tools/bench/project_panel`` (it starts the bench's own cloud and Horizon).
The question (the issue): is the panel a thin layer over the APIs, and does its page
cost stay flat as a project piles up messages? So it measures, as alice in alpha, with
200 Trove instances of which 40 have a fault:

- the raw time of each API call one page makes, sent directly with keystoneauth and the
  same URL, query and microversion header as the plugin (one Cinder ``GET /messages``
  with ``limit=21``, then Trove's ``GET /instances/detail`` page by page), plus the
  ``GET /`` of Cinder's root that Horizon's own menu makes on every page, and their sum
  (the plugin's own version discovery is cached for 300 s: not part of a page);
- the page's server time: ``GET /project/event_viewer/`` on a live Horizon, logged in,
  timed by the client on loopback; the page must render its 20 rows or the run fails;
- the ratio page / raw sum (goal <= 1.3x), at 100 and at 10,000 Cinder messages, and
  the change of the page time between the two (goal: within 15 %);
- as a reference, Horizon's own volume "Messages" tab on one volume with 1,000 messages
  (the same figures: its raw calls, its page, the rows it renders).

Each figure is the median (and p90) of --repeat runs after 2 warm-ups; raw calls and
page loads alternate so both see the same state of the services. It prints a table and
writes the figures to the --json file. It exits non-zero only when something broke.
"""

import argparse
import json
import math
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import requests
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from keystoneauth1.identity import v3

HTTP_TIMEOUT = (5, 120)  # connect, read: a page of 1,000 rows may take seconds
API_TIMEOUT = 30
WARMUPS = 2
FEW, MANY, VOLUME_MESSAGES = 100, 10_000, 1_000
INSTANCES, FAULTS = 200, 40
PAGE_SIZE = 20  # Horizon's API_RESULT_PAGE_SIZE; the panel asks Cinder for one more
ROW = 'data-object-id="'
# (path contains, microversion) of Horizon 27's Cinder calls on the volume page:
# message_list 3.29, limits_project_id_query 3.55, groups (volume, snapshots) 3.58.
HORIZON_MICROVERSIONS = (("/messages", "3.29"), ("/limits", "3.55"), ("/v3/", "3.58"))
CINDER_LOG_REQUEST = re.compile(
    r"INFO cinder\.api\.openstack\.wsgi \[[^\]]*\] (GET|POST|PUT|DELETE) (\S+)"
)


class BenchError(Exception):
    pass


def ms(seconds):
    return seconds * 1000.0


def summary(samples):
    """Median and p90 (nearest rank) of samples in seconds, as milliseconds."""
    ordered = sorted(samples)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    return {"median_ms": ms(statistics.median(ordered)), "p90_ms": ms(p90)}


def timed(call):
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


# ------------------------------------------------------------------------ the cloud


def seed(devcloud, messages, volume_messages=None):
    cmd = [devcloud, "seed", "--messages", str(messages)]
    cmd += ["--instances", str(INSTANCES), "--faults", str(FAULTS)]
    if volume_messages:
        cmd += ["--volume-messages", volume_messages]
    print(f"bench: {' '.join(cmd[1:])}", flush=True)
    started = time.monotonic()
    # The seed's own output goes to our stderr: the figures are what stdout is for.
    subprocess.run(cmd, check=True, timeout=1200, stdout=sys.stderr)
    print(f"bench: seeded in {time.monotonic() - started:.0f} s", flush=True)
    home = Path(os.environ["DEVCLOUD_HOME"])
    return json.loads((home / "cloud.json").read_text())


class Api:
    """Alice's direct API calls: the requests a page makes, without Horizon in between."""

    def __init__(self, cloud):
        alice = cloud["users"]["alice"]
        auth = v3.Password(
            auth_url=cloud["auth_url"],
            username=alice["username"],
            password=alice["password"],
            project_name=alice["project_name"],
            user_domain_id="default",
            project_domain_id="default",
        )
        login = ks_session.Session(auth=auth, timeout=API_TIMEOUT)
        self.token = login.get_token()
        self.project_id = login.get_project_id()
        find = {"interface": "public", "region_name": cloud["region"]}
        self.cinder = login.get_endpoint(service_type="volumev3", **find).rstrip("/")
        self.trove = login.get_endpoint(service_type="database", **find).rstrip("/")
        self.cinder_root = self.cinder.partition("/v3")[0] + "/"
        self.volume_id = cloud["no_valid_backend"]["volume_id"]

    def session(self, endpoint):
        # What the plugin does per source and page: a new session carrying the user's
        # token (no Keystone round trip), so a new connection each time, as in Horizon.
        return ks_session.Session(
            auth=token_endpoint.Token(endpoint, self.token), timeout=API_TIMEOUT
        )

    def get(self, sess, url, microversion=None):
        headers = {"Accept": "application/json"}
        if microversion:
            headers["OpenStack-API-Version"] = f"volume {microversion}"
        elapsed, resp = timed(lambda: sess.get(url, headers=headers, raise_exc=False))
        if resp.status_code >= 400:
            raise BenchError(f"GET {url}: {resp.status_code} {resp.text[:200]}")
        return elapsed, resp.json()

    def cinder_discovery(self):
        """GET of Cinder's root (its versions), as Horizon's menu makes on every page."""
        return self.get(self.session(self.cinder), self.cinder_root)[0]

    def event_viewer_messages_url(self):
        # api/cinder.py through cinderclient, which sorts the query.
        query = {"limit": PAGE_SIZE + 1, "project_id": self.project_id}
        query["sort"] = "created_at:desc,id:desc"
        return f"{self.cinder}/messages?{urllib.parse.urlencode(sorted(query.items()))}"

    def event_viewer_calls(self):
        """{call: seconds} for one Event Viewer page, in the order the plugin sends them."""
        times = {}
        url = self.event_viewer_messages_url()
        elapsed, body = self.get(self.session(self.cinder), url, "3.30")
        if len(body["messages"]) != PAGE_SIZE + 1:
            raise BenchError(f"Cinder listed {len(body['messages'])} messages, not 21")
        times["cinder GET /messages?limit=21 (3.30)"] = elapsed
        # api/trove.py via troveclient: every page of /instances/detail, one session.
        sess, marker, faults = self.session(self.trove), None, 0
        for page in range(1, 51):
            query = f"marker={marker}&include_clustered=False" if marker else ""
            url = f"{self.trove}/instances/detail?{query or 'include_clustered=False'}"
            elapsed, body = self.get(sess, url)
            times[f"trove GET /instances/detail page {page}"] = elapsed
            faults += sum(1 for i in body["instances"] if i.get("fault"))
            nxt = [link["href"] for link in body.get("links", []) if link["rel"] == "next"]
            marker = (
                dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(nxt[0]).query)).get("marker")
                if nxt
                else None
            )
            if not marker:
                break
        if faults != FAULTS:
            raise BenchError(f"Trove showed {faults} faults, not {FAULTS}")
        return times

    def replay(self, logged, messages):
        """{call: seconds} for Cinder requests a Horizon page made (as cinder-api logged them).

        Horizon 27 (openstack_dashboard/api/cinder.py) asks Cinder's root for its versions
        before each microversioned client, uncached; the microversion of each call is the
        highest Cinder offers among those Horizon lists for the feature it needs.
        """
        times, listed = {}, 0
        for method, url in logged:
            path = url[len(self.cinder) :] if url.startswith(self.cinder) else "/"
            version = next((v for key, v in HORIZON_MICROVERSIONS if key in path), None)
            elapsed, body = self.get(self.session(self.cinder), url, version)
            listed += len(body.get("messages", []))
            name = f"cinder {method} {path}" + (f" ({version})" if version else "")
            name = re.sub(r"marker=[0-9a-f-]+", "marker=<last>", name)
            name, n = name.replace(self.volume_id, "<id>"), 1
            while name + (f" #{n}" if n > 1 else "") in times:
                n += 1
            times[name + (f" #{n}" if n > 1 else "")] = elapsed
        # cinderclient follows Cinder's next links (osapi_max_limit, 1,000 by default).
        if listed != messages:
            raise BenchError(f"Cinder listed {listed} volume messages, not {messages}")
        return times


# ------------------------------------------------------------------------ Horizon


class Horizon:
    def __init__(self, url, cinder_log):
        self.url = url.rstrip("/")
        self.cinder_log = cinder_log
        self.http = requests.Session()

    def login(self, user, password):
        # Horizon's own login form, with its CSRF token and hidden fields (region).
        form = self.http.get(f"{self.url}/auth/login/", timeout=HTTP_TIMEOUT)
        form.raise_for_status()
        data = {}
        for tag in re.findall(r"<input[^>]*>", form.text):
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name and 'type="hidden"' in tag:
                data[name.group(1)] = value.group(1) if value else ""
        data.update(username=user, password=password)
        resp = self.http.post(
            f"{self.url}/auth/login/",
            data=data,
            headers={"Referer": f"{self.url}/auth/login/"},
            timeout=HTTP_TIMEOUT,
            # A good login redirects away from the form (where it lands is not ours).
            allow_redirects=False,
        )
        where = resp.headers.get("Location", "")
        if resp.status_code != 302 or "/auth/login" in where:
            raise BenchError(f"Horizon login as {user} failed ({resp.status_code} {where})")

    def page(self, path, rows):
        """Seconds for one GET of PATH, which must render exactly ROWS table rows."""
        elapsed, resp = timed(lambda: self.http.get(self.url + path, timeout=HTTP_TIMEOUT))
        found = resp.text.count(ROW)
        if resp.status_code != 200 or "/auth/login" in resp.url or found != rows:
            raise BenchError(
                f"GET {path}: HTTP {resp.status_code} at {resp.url}, {found} rows "
                f"(expected {rows}); a broken page must not look fast"
            )
        # A source that failed (or timed out) is an error message above the table.
        error = re.search(r'class="alert alert-danger alert-dismissable.*?</p>', resp.text, re.S)
        if error:
            raise BenchError(f"GET {path} shows an error: {error.group(0)[:300]}")
        return elapsed

    def cinder_calls_of(self, path, rows):
        """The Cinder requests one load of PATH makes, as cinder-api logged them."""
        start = self.cinder_log.stat().st_size
        self.page(path, rows)
        time.sleep(0.3)  # let cinder-api flush its log
        with self.cinder_log.open(errors="replace") as log:
            log.seek(start)
            logged = CINDER_LOG_REQUEST.findall(log.read())
        return [(method, url) for method, url in logged]


# ------------------------------------------------------------------------ measuring


def measure(repeat, raw_calls, page_load):
    """Alternate raw calls and page loads; figures of the runs after the warm-ups."""
    raw, pages = {}, []
    for run in range(WARMUPS + repeat):
        calls = raw_calls()
        elapsed = page_load()
        if run < WARMUPS:
            continue
        for name, seconds in calls.items():
            raw.setdefault(name, []).append(seconds)
        raw.setdefault("sum", []).append(sum(calls.values()))
        pages.append(elapsed)
    result = {"calls": {name: summary(s) for name, s in raw.items() if name != "sum"}}
    result["raw_sum"] = summary(raw["sum"])
    result["page"] = summary(pages)
    result["ratio"] = result["page"]["median_ms"] / result["raw_sum"]["median_ms"]
    return result, raw


def critical_path(samples):
    """The view runs Cinder and Trove in parallel threads: max(Cinder, Trove walk), plus
    the menu's calls, made while the template renders."""
    cinder = [v for k, v in samples.items() if k.startswith("cinder GET /messages")]
    trove = [v for k, v in samples.items() if k.startswith("trove")]
    menu = [v for k, v in samples.items() if "menu" in k]
    per_run = [
        max(sum(c[i] for c in cinder), sum(t[i] for t in trove)) + sum(m[i] for m in menu)
        for i in range(len(cinder[0]))
    ]
    return summary(per_run)


def event_viewer(args, api, horizon):
    path = "/project/event_viewer/"
    # One load fills the plugin's version cache; the next shows what a page asks Cinder.
    horizon.page(path, PAGE_SIZE)
    logged = horizon.cinder_calls_of(path, PAGE_SIZE)
    made = [urllib.parse.unquote(u) for _m, u in logged if not u.endswith(":8776/")]
    if made != [urllib.parse.unquote(api.event_viewer_messages_url())]:
        raise BenchError(f"the page made other Cinder calls than the bench replays: {made}")
    # Horizon's menu asks Cinder's versions on every page (the Volume Groups panels'
    # allowed() checks): the page makes those calls too, so they are replayed as well.
    menu = sum(1 for _m, u in logged if u.endswith(":8776/"))

    def raw_calls():
        times = api.event_viewer_calls()
        for n in range(1, menu + 1):
            times[f"cinder GET / (Horizon's menu) #{n}"] = api.cinder_discovery()
        return times

    result, samples = measure(args.repeat, raw_calls, lambda: horizon.page(path, PAGE_SIZE))
    result["critical_path"] = critical_path(samples)
    result["rows"] = PAGE_SIZE
    result["cinder_calls_logged"] = [f"{m} {u}" for m, u in logged]
    return result


def volume_tab(args, api, horizon, volume_id, rows):
    """Horizon's volume page with its Messages tab: the page and the Cinder calls it makes."""
    path = f"/project/volumes/{volume_id}/?tab=volume_details__messages_tab"
    logged = horizon.cinder_calls_of(path, rows)
    result, _ = measure(
        args.repeat, lambda: api.replay(logged, rows), lambda: horizon.page(path, rows)
    )
    result["rows"] = rows
    result["cinder_calls_logged"] = [f"{m} {u}" for m, u in logged]
    return result


def compare_resource_type_like_mysql(devcloud, cinder_db):
    """Make Cinder's SQLite compare messages.resource_type case-insensitively.

    Horizon's tab filters ``resource_type=volume`` while Cinder stores ``VOLUME``: on
    MySQL/MariaDB (case-insensitive default collation, what most clouds run) that matches,
    on SQLite (and PostgreSQL) it matches nothing. To measure the tab rendering its 1,000
    rows, the bench cloud's column gets MySQL's behaviour (COLLATE NOCASE; the column has
    no index, so editing its declared collation is safe) and cinder-api is restarted.
    """
    con = sqlite3.connect(cinder_db, timeout=30)
    try:
        (sql,) = con.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'messages'"
        ).fetchone()
        column = "resource_type VARCHAR(36)"
        if "COLLATE NOCASE" not in sql:
            if column not in sql:
                raise BenchError(f"unexpected messages table: {sql}")
            con.execute("PRAGMA writable_schema = ON")
            con.execute(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'messages'",
                (sql.replace(column, column + " COLLATE NOCASE"),),
            )
            con.commit()
            con.execute("PRAGMA writable_schema = OFF")
        if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BenchError(f"{cinder_db} failed its integrity check")
    finally:
        con.close()
    for command in ("stop-service", "start-service"):
        subprocess.run(
            [devcloud, command, "cinder-api"], check=True, timeout=120, stdout=sys.stderr
        )


# ------------------------------------------------------------------------ report


def fmt(fig):
    return f"{fig['median_ms']:8.1f} {fig['p90_ms']:8.1f}"


def short(call, figures):
    """A logged Cinder request without the host, project and volume ids."""
    call = re.sub(r"http://[^/]+/v3/[0-9a-f]+", "", call).replace("http://127.0.0.1:8776", "")
    return call.replace(figures["volume_id"], "<id>").replace(figures["project_id"], "<project>")


W = 70  # label column


def line(label, *cells):
    if len(label) > W - 2:  # a long request gets a line of its own, figures below it
        print(f"  {label}")
        label = ""
    print(f"  {label:{W - 2}} " + "   ".join(cells))


def report(figures):
    few, many = figures["event_viewer_100"], figures["event_viewer_10000"]
    print(
        f"\nProject -> Event Viewer as alice: {INSTANCES} Trove instances ({FAULTS} faults); "
        f"ms, median and p90 of {figures['repeat']} runs after {WARMUPS} warm-ups"
    )
    print(f"{'':{W}} {'100 messages':>17}   {'10,000 messages':>17}")
    print(f"{'':{W}} {'median':>8} {'p90':>8}   {'median':>8} {'p90':>8}")
    for name in many["calls"]:
        cell = fmt(few["calls"][name]) if name in few["calls"] else " " * 17
        line(f"raw  {name}", cell, fmt(many["calls"][name]))
    line("raw  sum of the page's calls", fmt(few["raw_sum"]), fmt(many["raw_sum"]))
    line(
        "raw  critical path: max(Cinder, Trove walk) + menu",
        fmt(few["critical_path"]),
        fmt(many["critical_path"]),
    )
    line("page GET /project/event_viewer/ (20 rows rendered)", fmt(few["page"]), fmt(many["page"]))
    ratios = [f"{f['ratio']:8.2f}x{'':8}" for f in (few, many)]
    line("ratio page / raw sum (goal <= 1.3x)", *ratios)
    cp = [
        f"{f['page']['median_ms'] / f['critical_path']['median_ms']:8.2f}x{'':8}"
        for f in (few, many)
    ]
    line("ratio page / critical path", *cp)
    print(
        f"  page time at 10,000 vs 100 messages: {figures['page_change_percent']:+.1f} % "
        "(goal: within 15 %)"
    )
    calls = ", ".join(short(c, figures) for c in many["cinder_calls_logged"])
    print(f"  Cinder requests of one page load (cinder-api log): {calls}")

    for key, title in (
        ("volume_as_is", "as it is here: Cinder's SQLite compares resource_type case-sensitively"),
        ("volume", "resource_type compared case-insensitively, as on MySQL/MariaDB"),
    ):
        vol = figures[key]
        print(
            f"\nReference: Horizon's volume Messages tab, volume <id> = {figures['volume_id']}"
            f"\n  with {VOLUME_MESSAGES:,} messages (alpha holds {MANY:,}); {title}"
        )
        for name in vol["calls"]:
            line(f"raw  {name}", fmt(vol["calls"][name]))
        line("raw  sum of the page's calls (made one after another)", fmt(vol["raw_sum"]))
        line(
            f"page GET /project/volumes/<id>/?tab=..messages_tab ({vol['rows']} rows)",
            fmt(vol["page"]),
        )
        line("ratio page / raw sum", f"{vol['ratio']:8.2f}x")

    vol = figures["volume"]
    print(f"\nSide by side (medians){'':{W - 22}} {'Event Viewer':>17}   {'volume tab':>17}")
    line("messages behind the page", f"{MANY:>17,}", f"{VOLUME_MESSAGES:>17,}")
    line("rows rendered", f"{many['rows']:>17}", f"{vol['rows']:>17}")
    line("API calls per page", f"{len(many['calls']):>17}", f"{len(vol['calls']):>17}")
    for label, key in (("raw API sum, ms", "raw_sum"), ("page, ms", "page")):
        line(label, f"{many[key]['median_ms']:17.1f}", f"{vol[key]['median_ms']:17.1f}")
    line("page / raw sum", f"{many['ratio']:16.2f}x", f"{vol['ratio']:16.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="measured runs (default 15)")
    parser.add_argument("--horizon", required=True, help="Horizon's URL (127.0.0.1)")
    parser.add_argument("--devcloud", required=True, help="the devcloud command")
    parser.add_argument("--json", required=True, type=Path, help="where to write the figures")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    started = time.monotonic()
    cinder_log = Path(os.environ["DEVCLOUD_HOME"]) / "log" / "cinder-api.log"
    figures = {"repeat": args.repeat, "warmups": WARMUPS}
    try:
        cloud = seed(args.devcloud, FEW)
        api, horizon = Api(cloud), Horizon(args.horizon, cinder_log)
        figures["project_id"] = api.project_id
        horizon.login("alice", "alice")
        figures["event_viewer_100"] = event_viewer(args, api, horizon)
        # One real volume of alice's (the scheduler could not place it) gets 1,000
        # messages first; the top-up to 10,000 then counts them, so alpha holds 10,000.
        volume_id = cloud["no_valid_backend"]["volume_id"]
        cloud = seed(args.devcloud, MANY, f"{volume_id}:{VOLUME_MESSAGES}")
        if cloud["projects"]["alpha"]["messages"] != MANY:
            raise BenchError(f"alpha has {cloud['projects']['alpha']['messages']} messages")
        figures["event_viewer_10000"] = event_viewer(args, api, horizon)
        figures["volume_id"] = volume_id
        # Horizon's tab as it behaves on this cloud (SQLite): it finds none of them.
        figures["volume_as_is"] = volume_tab(args, api, horizon, volume_id, 0)
        home = Path(os.environ["DEVCLOUD_HOME"])
        compare_resource_type_like_mysql(args.devcloud, home / "data" / "cinder.db")
        figures["volume"] = volume_tab(args, api, horizon, volume_id, VOLUME_MESSAGES)
    except (
        BenchError,
        requests.RequestException,
        ks_exceptions.ClientException,
        subprocess.SubprocessError,
    ) as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    few, many = figures["event_viewer_100"]["page"], figures["event_viewer_10000"]["page"]
    figures["page_change_percent"] = 100.0 * (many["median_ms"] / few["median_ms"] - 1)
    figures["runtime_s"] = round(time.monotonic() - started, 1)
    report(figures)
    args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nbench: {figures['runtime_s']:.0f} s of measuring and seeding; figures: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
