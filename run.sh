#!/usr/bin/env bash
# Derby demo: installs what is missing, builds, creates or migrates the embedded SQLite database, loads the demo
# study and its accounts, and serves the web app on 127.0.0.1. Ctrl+C stops it; data stays in ./data.
#   DERBY_PORT (default 5080)  Derby__DataDirectory (default ./data)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
# shellcheck source=scripts/prerequisites.sh
source scripts/prerequisites.sh
derby_prerequisites

port="${DERBY_PORT:-5080}"
export Derby__DataDirectory="${Derby__DataDirectory:-$root/data}"
# The demo is plain HTTP on loopback: browsers drop Secure and __Host- cookies there (ADR 23; production keeps them on).
export Derby__Security__HttpsCookies="${Derby__Security__HttpsCookies:-false}"

echo "Building the web app..."
dotnet publish src/Derby.Web/Derby.Web.csproj -c Release -o artifacts/web --nologo -v quiet "-clp:ErrorsOnly;NoSummary" >/dev/null \
  || { echo "Build failed: run 'dotnet publish src/Derby.Web' to see why." >&2; exit 1; }

./derby demo

echo
echo "Derby is starting at http://127.0.0.1:${port}  (data: ${Derby__DataDirectory}; Ctrl+C to stop)"
exec dotnet artifacts/web/Derby.Web.dll --contentRoot "$root/artifacts/web" --urls "http://127.0.0.1:${port}" \
  --environment "${ASPNETCORE_ENVIRONMENT:-Production}"
