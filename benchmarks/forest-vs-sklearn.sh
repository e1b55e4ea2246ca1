#!/usr/bin/env bash
# The DERBY pair forest (Derby.Learning.Forest: ML.NET FastForest) against scikit-learn's RandomForestClassifier, in one
# run: one synthetic pair table (PATIENTS patients, ~8 pairs each, FEATURES features; 80 % of the patients to train,
# 20 % held out) is generated once to CSV and both processes read it; each process is started once per thread count
# and then, run by run and in turn (A B, B A, A B, ...), trains a forest with the same settings and the same seed
# (seed = run number: each run is another forest on both sides), predicts the held-out pairs and reports train and
# predict seconds, the pair-level AUC and the patient-level AUC of the area-weighted TRS. The load of a shared machine
# falls on both alike; medians are reported.
#
# Usage: benchmarks/forest-vs-sklearn.sh [output-folder]
# Settings (environment): PATIENTS=2500 FEATURES=24 TREES=300 LEAVES=64 MIN_LEAF=5 BAGGING=0.7 THREADS="1 2" REPS=5 GAP_S=0.5
#   PER_SPLIT=sqrt (default) or a count: features per split, round(sqrt(FEATURES)) or that count, on both sides (scikit-learn: max_features as that fraction; Derby:
#   FeatureFractionPerSplit, each feature kept with that probability).
# Needs python3-sklearn (Debian; scripts/prerequisites.sh --tests installs it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/bench-forest}"
mkdir -p "$out"
export PATIENTS="${PATIENTS:-2500}" FEATURES="${FEATURES:-24}" TREES="${TREES:-300}" LEAVES="${LEAVES:-64}" MIN_LEAF="${MIN_LEAF:-5}" \
  BAGGING="${BAGGING:-0.7}" THREADS="${THREADS:-1 2}" REPS="${REPS:-5}" GAP_S="${GAP_S:-0.5}"
peer="$root/benchmarks/forest-peer/sklearn_forest_peer.py"

echo "== building benchmarks/Derby.Benchmarks (Release)" >&2
(cd "$root" && dotnet build -c Release benchmarks/Derby.Benchmarks > "$out/build.log" 2>&1) || { tail -30 "$out/build.log" >&2; exit 1; }
dll="$root/benchmarks/Derby.Benchmarks/bin/Release/net10.0/Derby.Benchmarks.dll"

echo "== generating $PATIENTS patients x $FEATURES features" >&2
/usr/bin/python3 "$peer" --generate "$out" --patients "$PATIENTS" --features "$FEATURES"

/usr/bin/python3 - "$out" "$dll" "$peer" <<'PY'
import json, math, os, statistics, subprocess, sys, time
out, dll, peer = sys.argv[1:4]
env = os.environ
features, reps, gap = int(env["FEATURES"]), int(env["REPS"]), float(env["GAP_S"])
per_split = round(math.sqrt(features)) if env.get("PER_SPLIT", "sqrt") == "sqrt" else int(env["PER_SPLIT"])
fraction = per_split / features + 1e-4  # scikit-learn takes int(fraction * features) = per_split
loadavg = lambda: open("/proc/loadavg").read().split()[:3]
common = ["--train", os.path.join(out, "train.csv"), "--test", os.path.join(out, "test.csv"), "--trees", env["TREES"],
          "--leaves", env["LEAVES"], "--min-leaf", env["MIN_LEAF"], "--max-features", repr(fraction), "--bagging", env["BAGGING"]]


def start(name, command):
    p = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    line = p.stdout.readline()
    if not line.startswith("ready"):
        raise SystemExit(f"{name} did not start: {line!r}")
    print(f"   {name}: {line.strip()}", file=sys.stderr)
    return p, dict(kv.split("=", 1) for kv in line.split()[1:])


def step(p, seed):
    p.stdin.write(f"run {seed}\n")
    p.stdin.flush()
    words = p.stdout.readline().split()
    return {words[i]: float(words[i + 1]) for i in range(0, len(words), 2)}


rows, load_start = [], loadavg()
for threads in [int(t) for t in env["THREADS"].split()]:
    print(f"== {threads} thread(s): starting both", file=sys.stderr)
    args = common + ["--threads", str(threads), "--serve"]
    sides = {"derby": start("derby", ["dotnet", dll, "forest-peer", *args]),
             "sklearn": start("sklearn", ["/usr/bin/python3", peer, *args])}
    runs = {"derby": [], "sklearn": []}
    for r in range(reps):
        order = ["derby", "sklearn"] if r % 2 == 0 else ["sklearn", "derby"]
        for name in order:
            time.sleep(gap)
            runs[name].append(step(sides[name][0], r + 1))
        print(f"   run {r + 1}: " + ", ".join(f"{n} train {runs[n][-1]['train_s']:.2f} s patient AUC {runs[n][-1]['patient_auc']:.4f}"
                                           for n in ("derby", "sklearn")), file=sys.stderr)
    for p, _ in sides.values():
        p.stdin.write("quit\n")
        p.stdin.close()
        p.wait()
    med = lambda n, k: statistics.median(x[k] for x in runs[n])
    row = dict(threads=threads, reps=reps, runs=runs, train_rows=int(sides["derby"][1]["train_rows"]),
               test_rows=int(sides["derby"][1]["test_rows"]), derby_version=sides["derby"][1]["version"],
               sklearn_version=sides["sklearn"][1]["version"])
    for k in ("train_s", "predict_s", "auc", "patient_auc"):
        row[f"derby_{k}"], row[f"sklearn_{k}"] = med("derby", k), med("sklearn", k)
    row["train_ratio"] = row["derby_train_s"] / row["sklearn_train_s"]
    row["predict_ratio"] = row["derby_predict_s"] / row["sklearn_predict_s"]
    row["auc_diff"] = statistics.mean(d["auc"] - s["auc"] for d, s in zip(runs["derby"], runs["sklearn"]))
    row["patient_auc_diff"] = statistics.mean(d["patient_auc"] - s["patient_auc"] for d, s in zip(runs["derby"], runs["sklearn"]))
    rows.append(row)

load_end = loadavg()
name = f"forest-vs-sklearn-{per_split}of{features}.json"
json.dump(dict(cores=os.cpu_count(), load_start=load_start, load_end=load_end, per_split=per_split, settings={k: env[k] for k in (
    "PATIENTS", "FEATURES", "TREES", "LEAVES", "MIN_LEAF", "BAGGING")}, rows=rows), open(os.path.join(out, name), "w"), indent=1)
r0 = rows[0]
print(f"machine: {os.cpu_count()} cores; load average (1/5/15 min) at start {' '.join(load_start)}, at end {' '.join(load_end)}")
print(f"Derby: {r0['derby_version']}; scikit-learn: {r0['sklearn_version']}; {r0['train_rows']} training pairs, {r0['test_rows']} held-out pairs, "
      f"{features} features; trees {env['TREES']}, leaves {env['LEAVES']}, min leaf {env['MIN_LEAF']}, {per_split} features per split, "
      f"bagging {env['BAGGING']}; {reps} interleaved runs per side (seeds 1..{reps}), medians")
print()
print("| Threads | Train s Derby | Train s sklearn | Train ratio Derby/sklearn | Predict s Derby | Predict s sklearn | Predict ratio | "
      "Pair AUC Derby / sklearn | Patient AUC Derby / sklearn | Mean AUC difference pair / patient |")
print("|---:|---:|---:|---:|---:|---:|---:|---|---|---|")
for r in rows:
    print(f"| {r['threads']} | {r['derby_train_s']:.2f} | {r['sklearn_train_s']:.2f} | {r['train_ratio']:.2f} | {r['derby_predict_s']:.3f} | "
          f"{r['sklearn_predict_s']:.3f} | {r['predict_ratio']:.2f} | {r['derby_auc']:.4f} / {r['sklearn_auc']:.4f} | "
          f"{r['derby_patient_auc']:.4f} / {r['sklearn_patient_auc']:.4f} | {r['auc_diff']:+.4f} / {r['patient_auc_diff']:+.4f} |")
PY
