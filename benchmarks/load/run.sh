#!/usr/bin/env bash
# Load on loopback (issue #10): the published app (artifacts/web) on the demo study, 50 concurrent STOW-RS clients each
# sending whole synthetic PET/CT studies (57 instances, 0.7 MB) of distinct patients with a site token, and 20 signed-in
# dashboard users (GET /dashboard, /api/dashboard, /api/dashboard/performance.csv in turn), for SECONDS seconds. Every
# instance the server answered as stored is then looked up in the database and the store. Prints the report (uploads
# accepted, failed, lost; instances/s, MB/s, dashboard requests/s; p50/p95/p99 latency per kind of request) and writes it
# to OUT (default artifacts/load/report.md).
#
# It is the end-to-end test LoadTests (tests/Derby.Web.EndToEndTests/StowLoad.cs) run for longer: the test runs it for
# 10 s and asserts only that nothing failed or was lost.
# Usage: benchmarks/load/run.sh        Settings (environment): SECONDS_TO_RUN=60 OUT=artifacts/load/report.md
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${SECONDS_TO_RUN:-60}"
out="${OUT:-$root/artifacts/load/report.md}"
mkdir -p "$(dirname "$out")"
cd "$root"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
DERBY_LOAD_SECONDS="$seconds" DERBY_LOAD_REPORT="$out" dotnet test tests/Derby.Web.EndToEndTests -c Release --nologo \
  --filter "FullyQualifiedName~LoadTests" --logger "console;verbosity=normal" >&2
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cat "$out"
