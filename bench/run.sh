#!/usr/bin/env bash
# Load benchmark of a release build on SQLite with 10,000 enterprises and 20,000
# applications: the public verification page and the filtered back-office application list.
# Needs wrk (apt-get install wrk). Traffic goes only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${BENCH_PORT:-18080}
duration=${BENCH_DURATION:-20s}
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://bench/etown.db"
export ETOWN_DATA_DIR="bench"
export RUST_LOG=warn

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

echo "==> building release binaries"
cargo build --release --quiet --bin etown --example bench_seed

echo "==> generating data"
rm -f bench/etown.db bench/etown.db-wal bench/etown.db-shm
./target/release/examples/bench_seed

echo "==> starting etown on $base"
./target/release/etown serve --listen "127.0.0.1:$port" > bench/server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null

echo "==> logging in as bench_center"
jar=$(mktemp)
token=$(curl -fsS -c "$jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -fsS -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$token&username=bench_center&password=Bench2026load&next=/" "$base/login"
session=$(awk '$6 == "etown_session" { print $7 }' "$jar")
export ETOWN_COOKIE="etown_session=$session"

echo "==> checking that both pages answer with real content"
code=$(head -n 1 bench/codes.txt)
curl -fsS "$base/portal/verify/$code" | grep -q 'verify-result' || { echo "verification page did not render a result" >&2; exit 1; }
curl -fsS -H "Cookie: $ETOWN_COOKIE" "$base/applications?state=submitted&brand_id=2" | grep -q '申请编号' \
    || { echo "application list did not render for the logged-in user" >&2; exit 1; }

echo "==> public verification page, 64 connections, $duration"
wrk -t2 -c64 -d"$duration" --latency -s bench/verify.lua "$base"

echo "==> application list with a filter, 64 connections, $duration"
wrk -t2 -c64 -d"$duration" --latency -s bench/list.lua "$base"

echo "==> memory of the server process"
grep -E 'VmHWM|VmRSS' "/proc/$server/status"
