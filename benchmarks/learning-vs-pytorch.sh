#!/usr/bin/env bash
# DerbyPairNet inference (1024-d pair features) in Derby.Learning (TorchSharp) against the same network in Debian's
# PyTorch (benchmarks/learning-peer/derby_pair_net.py, built from torchvision's resnet34 and efficientnet_b3), in one
# run: both processes are started once per crop, build the network, check that the parameter counts are equal, warm up,
# and then time one batch each in turn (A B, B A, A B, ...), so the load of a shared machine falls on both alike.
# Prints a table of median pairs/s and the ratio Derby / PyTorch (of the medians, and the median of the per-round ratios).
#
# Usage: benchmarks/learning-vs-pytorch.sh [output-folder]
# Settings (environment): CROPS="64 128" BATCH=16 THREADS="2" (a list: every crop with every thread count) REPS=15 WARMUP=3 DEVICE=cpu GAP_S=0.2
#   PART=features|pet|ct (what is timed: the pair features, or one branch alone for the breakdown)
#   DEVICE=cuda needs a CUDA build on both sides (Debian's python3-torch has none; TorchSharp needs a CUDA LibTorch
#   package in place of libtorch-cpu-linux-x64), see docs/performance-learning.md.
# Installs python3-torch and python3-torchvision (Debian) when missing: a benchmark-only dependency.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/bench-learning}"
mkdir -p "$out"
export CROPS="${CROPS:-64 128}" BATCH="${BATCH:-16}" THREADS="${THREADS:-2}" REPS="${REPS:-15}" WARMUP="${WARMUP:-3}" \
  DEVICE="${DEVICE:-cpu}" GAP_S="${GAP_S:-0.2}" PART="${PART:-features}"

missing=()
for p in python3-torch python3-torchvision; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

echo "== building benchmarks/Derby.Benchmarks (Release)" >&2
(cd "$root" && dotnet build -c Release benchmarks/Derby.Benchmarks > "$out/build.log" 2>&1) || { tail -30 "$out/build.log" >&2; exit 1; }
dll="$root/benchmarks/Derby.Benchmarks/bin/Release/net10.0/Derby.Benchmarks.dll"

/usr/bin/python3 - "$out" "$dll" "$root/benchmarks/learning-peer/derby_pair_net.py" <<'PY'
import json, os, statistics, subprocess, sys, time
out, dll, peer = sys.argv[1:4]
crops = [int(c) for c in os.environ["CROPS"].split()]
batch, reps, warmup = (int(os.environ[k]) for k in ("BATCH", "REPS", "WARMUP"))
thread_counts = [int(t) for t in os.environ["THREADS"].split()]
device, gap, part = os.environ["DEVICE"], float(os.environ["GAP_S"]), os.environ["PART"]
loadavg = lambda: open("/proc/loadavg").read().split()[:3]


def start(name, command):
    p = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    line = p.stdout.readline()
    if not line.startswith("ready"):
        raise SystemExit(f"{name} did not start: {line!r}")
    info = dict(kv.split("=", 1) for kv in line.split()[1:])
    print(f"   {name}: {line.strip()}", file=sys.stderr)
    return p, info


def step(p):
    p.stdin.write("run\n")
    p.stdin.flush()
    answer = p.stdout.readline().split()
    return float(answer[1])


rows, load_start = [], loadavg()
for crop, threads in [(c, t) for t in thread_counts for c in crops]:
    args = ["--batch", str(batch), "--crop", str(crop), "--threads", str(threads), "--device", device,
            "--warmup", str(warmup), "--part", part, "--serve"]
    print(f"== crop {crop}, {threads} threads: starting both (warm-up {warmup} batches each)", file=sys.stderr)
    derby, d_info = start("derby", ["dotnet", dll, "learning-peer", *args])
    torch_p, t_info = start("pytorch", ["/usr/bin/python3", peer, *args])
    if d_info["params"] != t_info["params"]:
        raise SystemExit(f"parameter counts differ: Derby {d_info['params']}, PyTorch {t_info['params']}")
    times = {"derby": [], "pytorch": []}
    for r in range(reps):
        order = [("derby", derby), ("pytorch", torch_p)]
        for name, p in (order if r % 2 == 0 else order[::-1]):
            time.sleep(gap)
            times[name].append(step(p))
    for p in (derby, torch_p):
        p.stdin.write("quit\n")
        p.stdin.close()
        p.wait()
    d_med, t_med = statistics.median(times["derby"]), statistics.median(times["pytorch"])
    paired = statistics.median(t / d for d, t in zip(times["derby"], times["pytorch"]))
    rows.append(dict(part=part, crop=crop, batch=batch, threads=threads, device=device, reps=reps, params=int(d_info["params"]),
                     derby_versions=d_info["torch"], pytorch_versions=t_info["torch"],
                     derby_s=times["derby"], pytorch_s=times["pytorch"],
                     derby_pairs_per_s=batch / d_med, pytorch_pairs_per_s=batch / t_med,
                     ratio_of_medians=t_med / d_med, median_paired_ratio=paired,
                     derby_best_pairs_per_s=batch / min(times["derby"]), pytorch_best_pairs_per_s=batch / min(times["pytorch"])))
    print(f"   crop {crop}: Derby {batch / d_med:.2f} pairs/s, PyTorch {batch / t_med:.2f} pairs/s, ratio {t_med / d_med:.2f}",
          file=sys.stderr)

load_end = loadavg()
result = dict(cores=os.cpu_count(), load_start=load_start, load_end=load_end, rows=rows)
json.dump(result, open(os.path.join(out, f"learning-vs-pytorch-{part}.json"), "w"), indent=1)
print(f"machine: {os.cpu_count()} cores; load average (1/5/15 min) at start {' '.join(load_start)}, at end {' '.join(load_end)}")
print(f"Derby: {rows[0]['derby_versions']}; PyTorch: {rows[0]['pytorch_versions']}; parameters {rows[0]['params']:,} on both sides")
print(f"timed: {part}; device {device}, batch {batch} pairs, same thread count on both sides, {reps} interleaved batches each after {warmup} warm-up")
print()
print("| Crop | Threads | Derby pairs/s (median) | PyTorch pairs/s (median) | Ratio Derby / PyTorch | Median of per-round ratios | Best Derby / PyTorch pairs/s |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['crop']} | {r['threads']} | {r['derby_pairs_per_s']:.2f} | {r['pytorch_pairs_per_s']:.2f} | {r['ratio_of_medians']:.2f} | "
          f"{r['median_paired_ratio']:.2f} | {r['derby_best_pairs_per_s']:.2f} / {r['pytorch_best_pairs_per_s']:.2f} |")
PY
