#!/usr/bin/env bash
# ADR 22's experiment: do processes sharing Hangfire.Storage.SQLite run a job twice? Starts the published web role
# (no job server) and two workers on one fresh data folder, queues probe jobs through ./derby jobs probe, waits, and
# counts the probes that ran more than once (probes/<id>.again.*) and the second fetches the guard dropped.
#   usage: scripts/sqlite-job-storage-experiment.sh [guard: true|false] [probes] [workers per process] [probe duration ms]
# Needs artifacts/web (./run.sh or: dotnet publish src/Derby.Web -c Release -o artifacts/web).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
guard="${1:-true}"; probes="${2:-200}"; workers="${3:-4}"; duration="${4:-0}"
data="$(mktemp -d /tmp/derby-sqlite-experiment.XXXXXX)"
export Derby__DataDirectory="$data" Derby__Jobs__SqliteSingleExecution="$guard"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
ready() { for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return 0; sleep 0.5; done; echo "port $1 not ready" >&2; exit 1; }
cd "$root/artifacts/web"
Derby__Jobs__InProcessServer=false dotnet Derby.Web.dll --role web --urls http://127.0.0.1:5481 >"$data/web.log" 2>&1 & pids+=($!)
ready 5481
for i in 1 2; do
  Derby__Jobs__WorkerCount="$workers" dotnet Derby.Web.dll --role worker --queues default --urls "http://127.0.0.1:549$i" >"$data/worker$i.log" 2>&1 & pids+=($!)
done
ready 5491; ready 5492
cd "$root"
mkdir -p "$data/probes"
./derby jobs probe --count "$probes" --queue default --duration-ms "$duration" >/dev/null
for _ in $(seq 1 240); do
  done_count=$(find "$data/probes" -maxdepth 1 -type f ! -name '*.again.*' 2>/dev/null | wc -l)
  [ "$done_count" -ge "$probes" ] && break; sleep 0.5
done
sleep 3
again=$(find "$data/probes" -maxdepth 1 -name '*.again.*' | wc -l)
dropped=$(cat "$data"/worker*.log | grep -c "this second fetch is dropped" || true)
echo "guard=$guard probes=$probes ran=$done_count ran-again=$again dropped-second-fetches=$dropped stats=$(./derby jobs stats | tr -d '\n' | cut -c1-160)"
