#!/usr/bin/env bash
# CI for the senroute gRPC service, called from .ci/run:
#
#   bash crates/service/ci.sh            # buf lint + Python end-to-end client
#   bash crates/service/ci.sh lint       # buf lint only
#   bash crates/service/ci.sh python     # Python end-to-end client only
#
# The Rust side (unit and integration tests, clippy, fmt) runs with the rest
# of the workspace: cargo test -p senroute-service etc.
#
# Needs: node/npm (for buf, from the npm registry), python3 with venv (grpcio
# and grpcio-tools from PyPI), cargo. Uses CARGO_TARGET_DIR when set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d /tmp/senroute-service-ci.XXXXXX)"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

lint() {
    echo "== buf lint (proto/, STANDARD rules)"
    local bufdir=/tmp/buf
    if [[ ! -x "$bufdir/node_modules/.bin/buf" ]]; then
        npm install --silent --no-audit --no-fund --prefix "$bufdir" @bufbuild/buf
    fi
    (cd "$ROOT/proto" && "$bufdir/node_modules/.bin/buf" lint && "$bufdir/node_modules/.bin/buf" build -o /dev/null)
    echo "buf lint: 1 passed, 0 failed"
}

python_client() {
    echo "== Python client against a live server"
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check grpcio grpcio-tools grpcio-reflection
    mkdir -p "$WORK/stubs"
    "$WORK/venv/bin/python" -m grpc_tools.protoc -I "$ROOT/proto" \
        --python_out="$WORK/stubs" --grpc_python_out="$WORK/stubs" \
        "$ROOT"/proto/senroute/v1/*.proto

    (cd "$ROOT" && cargo build --quiet -p senroute-service --bin senroute-service)
    local bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/senroute-service"

    local key
    key="$("$bin" mint-key --keys-file "$WORK/keys.jsonl" --borough E09000007 --label ci)"
    # Port 0: the server picks a free port and prints it.
    : >"$WORK/server.log"
    "$bin" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" --keys-file "$WORK/keys.jsonl" \
        --roads "$ROOT/data/osm/london_camden_westminster_city_drive_mixed.osm.pbf" --workers 1 --solver-threads 1 \
        2>"$WORK/server.log" &
    SERVER_PID=$!
    local addr=""
    for _ in $(seq 1 600); do
        addr="$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$WORK/server.log" | head -1)"
        [[ -n "$addr" ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; return 1; }
        sleep 0.5
    done
    [[ -n "$addr" ]] || { echo "server did not start"; cat "$WORK/server.log"; return 1; }
    echo "server on $addr"

    local rc=0
    # Reflection and health from a non-Rust client: buf curl discovers the
    # schema through server reflection (no .proto files given).
    local buf=/tmp/buf/node_modules/.bin/buf
    [[ -x "$buf" ]] || npm install --silent --no-audit --no-fund --prefix /tmp/buf @bufbuild/buf
    # (Outputs are captured first: grep -q closing a pipe early would fail
    # the pipeline under pipefail.)
    local methods health
    methods="$("$buf" curl --protocol grpc --http2-prior-knowledge --list-methods "http://$addr" || true)"
    health="$("$buf" curl --protocol grpc --http2-prior-knowledge \
        -d '{"service":"senroute.v1.RoutingService"}' "http://$addr/grpc.health.v1.Health/Check" || true)"
    if grep -qx 'senroute.v1.RoutingService/SubmitJob' <<<"$methods" \
        && grep -q '"SERVING"' <<<"$health" \
        && "$buf" curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $key" \
            -d '{}' "http://$addr/senroute.v1.RoutingService/ListJobs" >/dev/null; then
        echo "buf curl (reflection, health, ListJobs): 1 passed, 0 failed"
    else
        echo "buf curl (reflection, health, ListJobs): 0 passed, 1 failed"
        rc=1
    fi
    "$WORK/venv/bin/python" "$ROOT/tests/service_client.py" --address "$addr" --key "$key" \
        --borough E09000007 --stubs "$WORK/stubs" || rc=$?

    # Graceful stop: SIGTERM drains and the server exits 0.
    kill -TERM "$SERVER_PID"
    local src=0
    wait "$SERVER_PID" || src=$?
    SERVER_PID=""
    if [[ $src -ne 0 ]]; then
        echo "server exited with $src"
        cat "$WORK/server.log"
        rc=1
    fi
    return $rc
}

case "${1:-all}" in
    lint) lint ;;
    python) python_client ;;
    all) lint; python_client ;;
    *) echo "usage: $0 [lint|python|all]" >&2; exit 2 ;;
esac
