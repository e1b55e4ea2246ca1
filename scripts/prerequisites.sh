#!/usr/bin/env bash
# Installs what Derby needs on a fresh Debian or Ubuntu machine, and nothing that is already there.
# Sourced by run.sh and test.sh. Apt packages are installed only as root or with sudo; otherwise the missing ones are named.
set -euo pipefail

derby_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the app needs at run time (later features add to this list: GDCM, dcmtk, ...).
# libgdcm-cil: GDCM's .NET binding, the project's DICOM layer. python3, patchelf, g++: the build patches TorchSharp's
# libLibTorchSharp.so for libstdc++ older than GCC 13 (Debian 12; src/Derby.Learning/build, ADR 0014).
DERBY_APT_RUNTIME=(ca-certificates libgdcm-cil python3 patchelf g++)
# Debian packages the tests need in addition.
# Test-only: Debian's chromium for the browser tests (Playwright drives it; no browser is downloaded); dcmtk and
# pydicom (with numpy) as independent DICOM readers of what the project writes; torchvision (about 100 MB download,
# 500 MB installed) for the reference parameter counts of efficientnet_b3 and resnet34; scikit-learn as the GMM and random-forest peer; scipy as the hierarchical-clustering peer;
# poppler-utils (pdftotext) reads back the PDF that `derby report` prints with chromium.
DERBY_APT_TEST=(chromium dcmtk python3-pydicom python3-numpy python3-torchvision python3-sklearn python3-scipy poppler-utils)

# Debian's Compose 1.29 validates deploy/compose.yaml (no Docker engine needed); python3-yaml reads what it prints.
DERBY_APT_TEST+=(docker-compose python3-yaml)

derby_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

derby_apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing packages (install them with your package manager): ${missing[*]}" >&2
    return 1
  fi
  echo "Installing: ${missing[*]}" >&2
  if ! derby_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; then
    derby_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || true
    derby_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null || {
      echo "Could not install ${missing[*]}: run as root or with sudo, or install them yourself." >&2
      return 1
    }
  fi
}

derby_require_dotnet() {
  local wanted="10.0"
  if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q "^${wanted}\."; then
    return 0
  fi
  # Ubuntu (24.04 and later) packages the .NET SDK itself; Debian needs Microsoft's package feed.
  if apt-cache show "dotnet-sdk-${wanted}" >/dev/null 2>&1; then
    derby_apt_install "dotnet-sdk-${wanted}" && return 0
  fi
  cat >&2 <<MSG
The .NET ${wanted} SDK is required and could not be installed from this machine's package sources.
Install it (https://learn.microsoft.com/dotnet/core/install/linux), then run this command again.
MSG
  return 1
}

derby_prerequisites() {
  local with_tests="${1:-}"
  derby_require_dotnet
  derby_apt_install "${DERBY_APT_RUNTIME[@]}"
  # Node.js with npm builds the PET/CT viewer's bundle (wwwroot-assets, part of every build of the web app) and runs the
  # SUV peer in the tests (@cornerstonejs/calculate-suv); any installed Node (18 or later) with npm will do.
  command -v npm >/dev/null 2>&1 || derby_apt_install nodejs npm
  if [ "$with_tests" = "--tests" ] && [ ${#DERBY_APT_TEST[@]} -gt 0 ]; then
    derby_apt_install "${DERBY_APT_TEST[@]}"
  fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  (cd "$derby_root" && dotnet tool restore >/dev/null)
}
