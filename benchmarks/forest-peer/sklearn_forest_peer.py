"""scikit-learn half of benchmarks/forest-vs-sklearn.sh (the .NET half: Derby.Benchmarks forest-peer, same protocol).

  sklearn_forest_peer.py --generate OUT_FOLDER [--patients 2500] [--features 24] [--seed 1]
      writes train.csv and test.csv (80 % / 20 % of the patients): patient,pair,area,label,features...
  sklearn_forest_peer.py --train train.csv --test test.csv --trees 300 --leaves 64 --min-leaf 5 --max-features F
                         --bagging 0.7 --threads T [--seed 1] [--serve]
      prints "ready ...", then per "run [seed]" line trains RandomForestClassifier(n_estimators=trees, max_leaf_nodes=leaves,
      min_samples_leaf, max_features=F (a fraction: int(F * features) per split), bootstrap, max_samples=bagging,
      n_jobs=threads), predicts the test rows and prints "train_s T predict_s P auc A patient_auc B".
"""
import argparse
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score


def generate(out, patients, features, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    # A patient has a latent vector; responder with probability logistic(linear + one interaction + one step) over
    # 6 of the features; each pair is the latent vector plus noise; ROI areas 20-800 voxels. ~8 pairs per patient.
    z = rng.standard_normal((patients, features))
    eta = 1.6 * z[:, 0] - 1.2 * z[:, 1] + 0.9 * z[:, 2] + 0.8 * z[:, 3] * z[:, 4] + 1.0 * (z[:, 5] > 0.5) - 0.3
    responder = rng.random(patients) < 1 / (1 + np.exp(-eta))
    split = int(patients * 0.8)
    for name, part in (("train.csv", range(0, split)), ("test.csv", range(split, patients))):
        with open(os.path.join(out, name), "w") as f:
            f.write("patient,pair,area,label," + ",".join(f"f{j}" for j in range(features)) + "\n")
            for p in part:
                for q in range(rng.integers(4, 13)):
                    x = (z[p] + 0.6 * rng.standard_normal(features)).astype(np.float32)
                    f.write(f"P{p:05d},P{p:05d}-{q},{rng.integers(20, 801)},{int(responder[p])},"
                            + ",".join(repr(float(v)) for v in x) + "\n")


def read(path):
    rows = [line.rstrip("\n").split(",") for line in open(path)][1:]
    patients = np.array([r[0] for r in rows])
    areas = np.array([float(r[2]) for r in rows])
    labels = np.array([int(r[3]) for r in rows])
    x = np.array([[float(v) for v in r[4:]] for r in rows], dtype=np.float32)
    return patients, areas, labels, x


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--generate")
    a.add_argument("--patients", type=int, default=2500)
    a.add_argument("--features", type=int, default=24)
    a.add_argument("--train")
    a.add_argument("--test")
    a.add_argument("--trees", type=int, default=300)
    a.add_argument("--leaves", type=int, default=64)
    a.add_argument("--min-leaf", type=int, default=5)
    a.add_argument("--max-features", type=float, default=0.2041)
    a.add_argument("--bagging", type=float, default=0.7)
    a.add_argument("--threads", type=int, default=1)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--serve", action="store_true")
    args = a.parse_args()
    if args.generate:
        generate(args.generate, args.patients, args.features, args.seed)
        return

    _, _, y_train, x_train = read(args.train)
    patients, areas, y_test, x_test = read(args.test)
    keys, inverse = np.unique(patients, return_inverse=True)
    patient_label = np.zeros(len(keys))
    patient_label[inverse] = y_test

    def step(seed):
        forest = RandomForestClassifier(n_estimators=args.trees, max_leaf_nodes=args.leaves,
                                        min_samples_leaf=args.min_leaf, max_features=args.max_features,
                                        bootstrap=True, max_samples=args.bagging, random_state=seed,
                                        n_jobs=args.threads)
        start = time.perf_counter()
        forest.fit(x_train, y_train)
        train_s = time.perf_counter() - start
        start = time.perf_counter()
        p = forest.predict_proba(x_test)[:, 1]
        predict_s = time.perf_counter() - start
        trs = np.bincount(inverse, weights=areas * p) / np.bincount(inverse, weights=areas)
        return (f"train_s {train_s:.6f} predict_s {predict_s:.6f} auc {roc_auc_score(y_test, p):.6f} "
                f"patient_auc {roc_auc_score(patient_label, trs):.6f}")

    print(f"ready impl=sklearn train_rows={len(y_train)} test_rows={len(y_test)} features={x_train.shape[1]} "
          f"threads={args.threads} version=scikit-learn-{sklearn.__version__}", flush=True)
    if not args.serve:
        print(step(args.seed), flush=True)
        return
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        print(step(int(words[1]) if len(words) > 1 else args.seed), flush=True)


main()
