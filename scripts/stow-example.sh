#!/usr/bin/env bash
# STOW-RS with curl: sends DICOM files to a running Derby as multipart/related; type="application/dicom".
# Not run by the tests (they build the same body in C#: tests/Derby.Web.FunctionalTests/DicomWebTests.cs).
#
#   ./derby tokens issue --site HWMU --name "our PACS"     # prints the secret once
#   DERBY_TOKEN=derby_... scripts/stow-example.sh sites/HWMU/dicom/HWMU-0004/*/*.dcm
#
# Env: DERBY_URL (default http://127.0.0.1:5080), DERBY_TOKEN (required).
# Answers 200 with a JSON summary when every file is stored; 409 with each file's reasons when any is refused
# (then nothing of that request's refused patients is stored). 401: no, unknown or revoked token.
set -euo pipefail

url="${DERBY_URL:-http://127.0.0.1:5080}"
: "${DERBY_TOKEN:?set DERBY_TOKEN to a site API token}"
[ "$#" -gt 0 ] || { echo "usage: DERBY_TOKEN=... $0 FILE.dcm..." >&2; exit 2; }

boundary="DerbyStowBoundary"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
for file in "$@"; do
  printf -- '--%s\r\nContent-Type: application/dicom\r\n\r\n' "$boundary" >>"$body"
  cat "$file" >>"$body"
  printf '\r\n' >>"$body"
done
printf -- '--%s--\r\n' "$boundary" >>"$body"

curl --silent --show-error --fail-with-body \
  -H "Authorization: Bearer ${DERBY_TOKEN}" \
  -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=${boundary}" \
  -H "Accept: application/json" \
  --data-binary "@${body}" \
  "${url}/dicomweb/studies"
echo
