#!/usr/bin/env bash
# Casework pages under load: the case list, a case page and the inbox, against a static
# /healthz on the same server (the ceiling of the HTTP stack), with 100,000 demo cases, on
# SQLite and on PostgreSQL. Load tool: wrk (Debian), 64 connections on loopback.
#
#   bench/casework/run.sh [CASES] [SECONDS]
#
# KINBRIDGE_BIN=path/to/kinbridge measures that binary instead of this tree's release build
# (an older build side by side, say).
# Writes bench/out/casework.json and bench/out/casework.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
CASES="${1:-100000}"
SECONDS_PER_RUN="${2:-15}"
CONNECTIONS=64
PG_ADMIN="${KINBRIDGE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
OUT=bench/out
mkdir -p "$OUT"

command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "install wrk (Debian package wrk)" >&2; exit 1; }
BIN=${KINBRIDGE_BIN:-target/release/kinbridge}
[ -n "${KINBRIDGE_BIN:-}" ] || cargo build --release --locked -p kinbridge >/dev/null
RESULTS="$OUT/casework.raw"
: > "$RESULTS"

run_backend() {
  local backend=$1 url=$2 dir=$3 port=$4
  echo "== $backend: loading $CASES demo cases"
  local t0=$(date +%s)
  KINBRIDGE_LOG=warn "$BIN" --database-url "$url" --data-dir "$dir" demo --cases "$CASES" >/dev/null
  echo "   loaded in $(( $(date +%s) - t0 )) s"
  # The steady state a running network is in: the search index caught up with the change
  # feed (otherwise the server's first minutes go to indexing 100,000 cases, beside the load).
  KINBRIDGE_LOG=warn "$BIN" --database-url "$url" --data-dir "$dir" reindex >/dev/null
  KINBRIDGE_LOG=warn "$BIN" --database-url "$url" --data-dir "$dir" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  local pid=$!
  trap "kill $pid 2>/dev/null || true" RETURN
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  local token
  token=$(curl -sf -X POST -H 'content-type: application/json' \
    -d '{"email":"caseworker@ch.kinbridge.example","password":"kinbridge-demo"}' \
    "http://127.0.0.1:$port/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local case_id
  case_id=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/cases?per_page=1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  for page in "healthz /healthz" "case_list /cases" "case_page /cases/$case_id" "inbox /requests?box=inbox"; do
    set -- $page
    # Warm up, then measure.
    wrk -t2 -c"$CONNECTIONS" -d2s -H "Cookie: kb_session=$token" "http://127.0.0.1:$port$2" >/dev/null
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: kb_session=$token" "http://127.0.0.1:$port$2" > "$OUT/wrk-$backend-$1.txt"
    echo "$backend $1 $OUT/wrk-$backend-$1.txt" >> "$RESULTS"
    echo "   $1: $(grep 'Requests/sec' "$OUT/wrk-$backend-$1.txt")"
  done
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: kb_session=$token" "http://127.0.0.1:$port/cases/$case_id")
  [ "$status" = 200 ] || { echo "case page answered $status" >&2; exit 1; }
  "$BIN" --database-url "$url" --data-dir "$dir" audit verify
}

SQLITE_DIR=$(mktemp -d)
run_backend sqlite "sqlite://$SQLITE_DIR/kinbridge.db?mode=rwc" "$SQLITE_DIR" 18181
rm -rf "$SQLITE_DIR"

DB="kb_bench_$$"
psql "$PG_ADMIN" -qAtc "CREATE DATABASE $DB" >/dev/null
PG_DIR=$(mktemp -d)
run_backend postgres "${PG_ADMIN%/*}/$DB" "$PG_DIR" 18182
psql "$PG_ADMIN" -qAtc "DROP DATABASE $DB" >/dev/null
rm -rf "$PG_DIR"

python3 bench/casework/report.py "$RESULTS" "$CASES" "$CONNECTIONS" "$OUT/casework.json" "$OUT/casework.md"
cat "$OUT/casework.md"
