#!/usr/bin/env bash
# Builds Derby's container images from this checkout:
#   1. publishes the web app (both roles) and the command line self-contained for linux-x64 into deploy/.build;
#   2. docker build -t derby:TAG (deploy/Dockerfile), and with --gpu LIBTORCH_DIR also derby-gpu:TAG (deploy/Dockerfile.gpu)
#      with the CUDA LibTorch found in LIBTORCH_DIR (the folder holding lib/libtorch_cuda.so).
# Usage: deploy/build-image.sh [--tag TAG] [--gpu LIBTORCH_DIR] [--publish-only]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tag=latest
gpu=""
publish_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --gpu) gpu="$2"; shift 2 ;;
    --publish-only) publish_only=1; shift ;;
    *) echo "Unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done

build="$root/deploy/.build"
rm -rf "$build"
mkdir -p "$build"
for project in Derby.Web:app Derby.Cli:cli; do
  name="${project%%:*}"
  echo "Publishing $name (self-contained, linux-x64)..."
  dotnet publish "$root/src/$name/$name.csproj" -c Release -r linux-x64 --self-contained -o "$build/${project##*:}" \
    --nologo -v quiet "-clp:ErrorsOnly;NoSummary" -p:WarningLevel=0
done

if [ -n "$gpu" ]; then
  [ -f "$gpu/lib/libtorch_cuda.so" ] || { echo "$gpu/lib/libtorch_cuda.so not found: give the folder of a CUDA LibTorch 2.10 build" >&2; exit 2; }
  mkdir -p "$build/libtorch-cuda"
  cp -a "$gpu/lib" "$build/libtorch-cuda/lib"
fi

if [ "$publish_only" = 1 ]; then
  echo "Published into $build"
  exit 0
fi

docker build -f "$root/deploy/Dockerfile" -t "derby:$tag" "$root/deploy"
if [ -n "$gpu" ]; then
  docker build -f "$root/deploy/Dockerfile.gpu" -t "derby-gpu:$tag" "$root/deploy"
fi
