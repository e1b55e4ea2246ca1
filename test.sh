#!/usr/bin/env bash
# Runs the whole Derby test suite: installs what is missing, builds everything with warnings as errors, runs every
# test project, and ends with one summary line "tests: N passed, N failed, N skipped".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
# shellcheck source=scripts/prerequisites.sh
source scripts/prerequisites.sh
derby_prerequisites --tests

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet build Derby.Web.sln -c Release --nologo -v quiet "-clp:ErrorsOnly;NoSummary"

status=0
dotnet test Derby.Web.sln -c Release --no-build --nologo --logger "trx" --results-directory "$results" "$@" || status=$?

# One summary line over all test projects, from their TRX reports.
python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error")) + int(c.get("timeout"))
    skipped += int(c.get("notExecuted"))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
