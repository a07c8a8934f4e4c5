# Shell functions shared by tools/demo and tools/run-tests (sourced, not run).
#
# Everything here is idempotent: a second run reuses what the first installed.
# Every wait is bounded; nothing binds to anything but 127.0.0.1.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export DEVCLOUD_HOME=${DEVCLOUD_HOME:-$REPO_ROOT/.devcloud}
HORIZON_VENV=${HORIZON_VENV:-$REPO_ROOT/.venv}
HORIZON_STATE=$DEVCLOUD_HOME/horizon
DEVCLOUD=$REPO_ROOT/tools/devcloud/devcloud

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_debian_packages PKG...: apt-get install the ones that are missing.
ensure_debian_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
    say "Installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

find_python311() {
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null &&
            "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            command -v "$candidate"; return 0
        fi
    done
    return 1
}

ensure_python311() {
    PYTHON311=$(find_python311) && return 0
    ensure_debian_packages python3.11 python3.11-venv
    PYTHON311=$(find_python311) || die "Python 3.11 with venv is required"
}

# The Horizon virtualenv: newest Horizon with the plugin's runtime and test
# requirements. Reinstalled only when a requirements file changes.
ensure_horizon_venv() {
    ensure_python311
    local stamp="$HORIZON_VENV/.event-viewer-stamp" want
    want=$(cat "$REPO_ROOT/requirements.txt" "$REPO_ROOT/test-requirements.txt" \
        "$REPO_ROOT/tools/horizon/requirements.txt" | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "Creating the Horizon virtualenv in $HORIZON_VENV (about 30 s)"
    [ -x "$HORIZON_VENV/bin/python" ] || "$PYTHON311" -m venv "$HORIZON_VENV"
    "$HORIZON_VENV/bin/pip" install -q --upgrade pip
    "$HORIZON_VENV/bin/pip" install -q -r "$REPO_ROOT/tools/horizon/requirements.txt" \
        -r "$REPO_ROOT/requirements.txt" -r "$REPO_ROOT/test-requirements.txt"
    echo "$want" > "$stamp"
}

# Run the README's "Install into Horizon" block, exactly as written there, with
# the Horizon virtualenv first on PATH: the demo and the e2e tests deploy the
# plugin the way a deployer following the README does.
install_plugin_into_horizon() {
    say "Installing the plugin into Horizon (the README's deployment steps)"
    local block
    block=$("$HORIZON_VENV/bin/python" "$REPO_ROOT/tools/lib/readme_block.py" \
        "$REPO_ROOT/README.md" install-into-horizon) || die "README has no install-into-horizon block"
    (
        export PATH="$HORIZON_VENV/bin:$PATH"
        export EVENT_VIEWER_SRC="$REPO_ROOT"
        export DJANGO_SETTINGS_MODULE=openstack_dashboard.settings
        export EVENT_VIEWER_DEMO_STATE="$HORIZON_STATE"
        write_demo_local_settings
        cd "$HORIZON_STATE"
        set -e
        eval "$block"
    ) > "$DEVCLOUD_HOME/log/horizon-install.log" 2>&1 \
        || { tail -n 30 "$DEVCLOUD_HOME/log/horizon-install.log"; die "installing the plugin into Horizon failed"; }
}

# local_settings.py for the demo Horizon: the local Keystone, a writable
# STATIC_ROOT, an in-process cache (one process, no memcached needed).
write_demo_local_settings() {
    mkdir -p "$HORIZON_STATE" "$DEVCLOUD_HOME/log"
    local dashboard
    dashboard=$("$HORIZON_VENV/bin/python" -c \
        'import openstack_dashboard, os; print(os.path.dirname(openstack_dashboard.__file__))')
    sed "s|@STATE@|$HORIZON_STATE|g" "$REPO_ROOT/tools/horizon/local_settings.py" \
        > "$dashboard/local/local_settings.py"
}

HORIZON_PORT=${HORIZON_PORT:-8000}
HORIZON_URL="http://127.0.0.1:$HORIZON_PORT"

horizon_pidfile() { echo "$DEVCLOUD_HOME/run/horizon-$HORIZON_PORT.pid"; }

start_horizon() {
    mkdir -p "$DEVCLOUD_HOME/run" "$DEVCLOUD_HOME/log"
    stop_horizon
    say "Starting Horizon on $HORIZON_URL"
    (
        cd "$HORIZON_STATE"
        DJANGO_SETTINGS_MODULE=openstack_dashboard.settings exec setsid \
            "$HORIZON_VENV/bin/python" -m django runserver "127.0.0.1:$HORIZON_PORT" \
            --insecure --noreload
    ) >> "$DEVCLOUD_HOME/log/horizon-$HORIZON_PORT.log" 2>&1 &
    echo $! > "$(horizon_pidfile)"
    wait_for_http "$HORIZON_URL/auth/login/" 90 "Horizon" \
        "$DEVCLOUD_HOME/log/horizon-$HORIZON_PORT.log"
}

stop_horizon() { stop_process_group "$(horizon_pidfile)" 5; }

# stop_process_group PIDFILE SECONDS: TERM the process group started with setsid,
# KILL it if it is still there after SECONDS, forget the pidfile.
stop_process_group() {
    local pidfile=$1 seconds=$2 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq $((seconds * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

# wait_for_http URL SECONDS NAME LOG: until URL answers 200, or die naming NAME.
wait_for_http() {
    local url=$1 seconds=$2 name=$3 log=$4 deadline
    deadline=$((SECONDS + seconds))
    while [ $SECONDS -lt $deadline ]; do
        if curl -fsS -o /dev/null --max-time 10 "$url" 2>/dev/null; then return 0; fi
        sleep 1
    done
    [ -f "$log" ] && tail -n 30 "$log" >&2
    die "$name did not answer at $url within ${seconds}s (log: $log)"
}

# The collector (event-viewer-collector) of the demo and the e2e tests: listens
# on the dev cloud's broker and writes the demo Horizon's database, so it runs
# with Horizon's settings, from the Horizon virtualenv.
COLLECTOR_CONF=$HORIZON_STATE/collector.conf
collector_pidfile() { echo "$DEVCLOUD_HOME/run/collector.pid"; }

write_collector_conf() {
    mkdir -p "$HORIZON_STATE/reports"
    cat > "$COLLECTOR_CONF" <<EOT
[DEFAULT]
# The dev cloud's broker (tools/devcloud).
transport_url = rabbit://guest:guest@127.0.0.1:5672/

[collector]
# topics and exchanges: the defaults. The dev cloud's services keep their own
# exchanges, as in production: Keystone "keystone", Cinder and Trove "openstack".
batch_timeout = 0.5
reports_dir = $HORIZON_STATE/reports
message_reap_interval = 3600
# Reports show up in the Reports view within seconds of being written.
report_scan_interval = 2
EOT
}

start_collector() {
    mkdir -p "$DEVCLOUD_HOME/run" "$DEVCLOUD_HOME/log"
    stop_collector
    write_collector_conf
    say "Starting the Event Viewer collector"
    local log="$DEVCLOUD_HOME/log/collector.log" deadline
    : > "$log"
    (
        cd "$HORIZON_STATE"
        DJANGO_SETTINGS_MODULE=openstack_dashboard.settings exec setsid \
            "$HORIZON_VENV/bin/event-viewer-collector" --config-file "$COLLECTOR_CONF"
    ) >> "$log" 2>&1 &
    echo $! > "$(collector_pidfile)"
    deadline=$((SECONDS + 60))
    until grep -q "Collector listening" "$log"; do
        kill -0 "$(cat "$(collector_pidfile)")" 2>/dev/null \
            || { tail -n 30 "$log" >&2; die "the collector exited (log: $log)"; }
        [ $SECONDS -lt $deadline ] || { tail -n 30 "$log" >&2; die "the collector did not start in 60 s"; }
        sleep 0.5
    done
}

# TERM: the collector finishes and acknowledges the batches in hand first.
stop_collector() { stop_process_group "$(collector_pidfile)" 10; }
