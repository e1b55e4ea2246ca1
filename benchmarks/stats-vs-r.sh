#!/usr/bin/env bash
# Times Derby.Statistics against R on the same input files, in one run, and prints the ratios.
#   1. R writes the inputs (set.seed): roc_1e6.csv (score, label; n = 10^6) and cox_1e5.csv (time, event, x1..x3; n = 10^5).
#   2. R times pROC (roc + ci.auc DeLong) and coxph (Efron; it also computes the concordance) on them, median of repeats,
#      file reading excluded.
#   3. BenchmarkDotNet times RocAnalysis.DeLong and CoxRegression.Fit on the same files (reading excluded).
#   4. End to end as a user runs them: Rscript (read.csv + fit) against ./derby stats (process start + CSV + fit).
# Needs r-base-core, r-cran-proc, r-cran-survival. Usage: benchmarks/stats-vs-r.sh [output-folder]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/bench}"
mkdir -p "$out"
export DERBY_BENCH_DIR="$out"

echo "== generating inputs in $out" >&2
Rscript - "$out" <<'R'
out <- commandArgs(TRUE)[1]
set.seed(2024)
n <- 1e6; label <- rbinom(n, 1, 0.3)
write.csv(data.frame(score = signif(label * 0.7 + rnorm(n), 6), label = label), file.path(out, "roc_1e6.csv"), row.names = FALSE)
n <- 1e5; x1 <- signif(rnorm(n), 6); x2 <- rbinom(n, 1, 0.4); x3 <- signif(rnorm(n, 0, 2), 6)
t <- rexp(n, 0.1 * exp(0.3 * x1 - 0.5 * x2 + 0.1 * x3)); cens <- rexp(n, 0.05)
write.csv(data.frame(time = round(pmin(t, cens), 2), event = as.integer(t <= cens), x1 = x1, x2 = x2, x3 = x3),
          file.path(out, "cox_1e5.csv"), row.names = FALSE)
R

echo "== timing R (fit only, median of repeats)" >&2
Rscript - "$out" > "$out/r-times.txt" <<'R'
suppressPackageStartupMessages({ library(pROC); library(survival) })
out <- commandArgs(TRUE)[1]
roc_df <- read.csv(file.path(out, "roc_1e6.csv")); cox_df <- read.csv(file.path(out, "cox_1e5.csv"))
med <- function(reps, f) median(sapply(seq_len(reps), function(i) system.time(f())[["elapsed"]]))
t_roc <- med(3, function() { r <- roc(roc_df$label, roc_df$score, levels = c(0, 1), direction = "<", quiet = TRUE); ci.auc(r, method = "delong") })
t_cox <- med(5, function() coxph(Surv(time, event) ~ x1 + x2 + x3, data = cox_df))
r <- roc(roc_df$label, roc_df$score, levels = c(0, 1), direction = "<", quiet = TRUE)
cat(sprintf("r_roc_s %.4f\nr_cox_s %.4f\nr_auc %.10f\nr_cox_coef1 %.10f\n", t_roc, t_cox, as.numeric(auc(r)),
            coef(coxph(Surv(time, event) ~ x1 + x2 + x3, data = cox_df))[1]))
R
cat "$out/r-times.txt" >&2

echo "== timing Derby (BenchmarkDotNet)" >&2
(cd "$root" && dotnet run -c Release --project benchmarks/Derby.Benchmarks -- --filter '*StatisticsBenchmarks*' \
  --job short --exporters json --artifacts "$out/bdn" > "$out/bdn.log" 2>&1) || { tail -30 "$out/bdn.log" >&2; exit 1; }
grep -E "^\|" "$out/bdn.log" >&2 || true

echo "== end to end (process start, CSV read, fit)" >&2
# The first runs build the CLI if needed, and keep Derby's answers to set beside R's.
"$root/derby" stats roc --input "$out/roc_1e6.csv" --score score --label label > "$out/derby-roc.json"
"$root/derby" stats cox --input "$out/cox_1e5.csv" --time time --event event --covariates x1,x2,x3 > "$out/derby-cox.json"
e2e() { python3 -c 'import subprocess, sys, time; s = time.perf_counter(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); print(time.perf_counter() - s)' "$@"; }
d_roc_e2e=$(e2e "$root/derby" stats roc --input "$out/roc_1e6.csv" --score score --label label)
d_cox_e2e=$(e2e "$root/derby" stats cox --input "$out/cox_1e5.csv" --time time --event event --covariates x1,x2,x3)
r_roc_e2e=$(e2e Rscript -e "suppressPackageStartupMessages(library(pROC)); d <- read.csv('$out/roc_1e6.csv'); ci.auc(roc(d\$label, d\$score, levels = c(0, 1), direction = '<', quiet = TRUE))")
r_cox_e2e=$(e2e Rscript -e "suppressPackageStartupMessages(library(survival)); d <- read.csv('$out/cox_1e5.csv'); coxph(Surv(time, event) ~ x1 + x2 + x3, data = d)")

python3 - "$out" "$d_roc_e2e" "$d_cox_e2e" "$r_roc_e2e" "$r_cox_e2e" <<'PY'
import glob, json, sys, os
out, d_roc_e2e, d_cox_e2e, r_roc_e2e, r_cox_e2e = sys.argv[1], *map(float, sys.argv[2:])
r = dict(line.split() for line in open(os.path.join(out, "r-times.txt")))
report = json.load(open(glob.glob(os.path.join(out, "bdn", "results", "*StatisticsBenchmarks*.json"))[0]))
mean = {b["Method"]: b["Statistics"]["Median"] / 1e9 for b in report["Benchmarks"]}
d_roc, d_cox = mean["AucDeLong"], mean["CoxFit"]
r_roc, r_cox = float(r["r_roc_s"]), float(r["r_cox_s"])
d_auc = json.load(open(os.path.join(out, "derby-roc.json")))["auc"]
d_coef = json.load(open(os.path.join(out, "derby-cox.json")))["coefficients"][0]["coef"]
print(f"machine: {os.cpu_count()} cores")
print(f"same answers: AUC R {float(r['r_auc']):.10f} / Derby {d_auc:.10f}; Cox x1 coef R {float(r['r_cox_coef1']):.10f} / Derby {d_coef:.10f}")
print(f"AUC + DeLong CI, n=1e6 : R pROC {r_roc:.3f} s, Derby {d_roc:.3f} s -> Derby {r_roc / d_roc:.1f}x faster (fit only)")
print(f"Cox PH Efron,   n=1e5 : R coxph {r_cox:.3f} s, Derby {d_cox:.3f} s -> Derby {r_cox / d_cox:.1f}x faster (fit only)")
print(f"end to end, roc : Rscript {r_roc_e2e:.2f} s, ./derby {d_roc_e2e:.2f} s -> {r_roc_e2e / d_roc_e2e:.1f}x")
print(f"end to end, cox : Rscript {r_cox_e2e:.2f} s, ./derby {d_cox_e2e:.2f} s -> {r_cox_e2e / d_cox_e2e:.1f}x")
PY
