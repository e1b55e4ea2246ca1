#!/usr/bin/env bash
# Issue #8's check on a paper-scale synthetic study, in its own data folder (default artifacts/paper-study; about 12 GB):
# the demo study at paper scale (307 patients imaged, every true lesion of 1.5 cm or more segmented by the synthetic
# physician), the pair network, its features and mixture, DERBY and DERBY+, every cohort scored, and Table 2 of both
# models next to the generator's ideal AUCs (ground-truth/truth.json). Each step is idempotent: rerunning resumes.
# Environment: EPOCHS (default 12), CROP (64), SEED (20261127), DEVICE (auto), MODEL_SEED (1), NETWORK_ARGS (more options
# of `derby network train`, e.g. "--field 16 --against-surroundings --patience 8"), MIXTURE_ARGS (of `derby network gmm`,
# e.g. "--dimensions 0"). The README's run 3: EPOCHS=30 CROP=32 MODEL_SEED=42 NETWORK_ARGS="--field 16 --against-surroundings --patience 8".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export Derby__DataDirectory="${1:-${Derby__DataDirectory:-$root/artifacts/paper-study}}"
seed="${SEED:-20261127}"
derby() { "$root/derby" "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

derby demo --scale paper --seed "$seed" >/dev/null
network=$(derby network list | python3 -c "import json,sys; m=[x for x in json.load(sys.stdin) if x['status']=='trained' and x['mixture']]; print(m[0]['version'] if m else '')")
if [ -z "$network" ]; then
  # shellcheck disable=SC2086 # NETWORK_ARGS and MIXTURE_ARGS are word lists
  network=$(derby network train --cohort training --epochs "${EPOCHS:-12}" --crop "${CROP:-64}" --device "${DEVICE:-auto}" ${NETWORK_ARGS:-} | field "['version']")
  derby network extract --version "$network" >/dev/null
  # shellcheck disable=SC2086
  derby network gmm --version "$network" ${MIXTURE_ARGS:-} >/dev/null
fi
echo "network: $network" >&2
for kind in derby derby-plus; do
  if ! derby model list | python3 -c "import json,sys; sys.exit(0 if any(m['kind']=='$kind' and m['is_active'] for m in json.load(sys.stdin)) else 1)"; then
    derby train --model "$kind" --network "$network" --seed "${MODEL_SEED:-1}" >/dev/null
  fi
  for cohort in training internal-validation histology external-validation negative-validation; do
    derby score --cohort "$cohort" --model "$kind" >/dev/null
  done
done
derby evaluate --model derby
derby evaluate --model derby-plus
python3 - "$Derby__DataDirectory/synthetic/paper-seed-$seed/ground-truth/truth.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
print("Generator's ideal AUC per cohort (true response probability against the outcomes drawn), and each modality's part alone:")
for c in truth["cohorts"]:
    print(f"  {c['code']:<20} n={c['n']:<4} ideal {c['ideal_auc']:.3f}  imaging {c['imaging_auc']:.3f}  clinical {c['clinical_auc']:.3f}  histology {c['histology_auc']:.3f}")
PY
