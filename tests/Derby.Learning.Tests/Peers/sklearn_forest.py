"""Peer for the DERBY pair forest: scikit-learn's RandomForestClassifier on the same pair rows.

Usage: sklearn_forest.py TRAIN.csv TEST.csv TREES MAX_LEAF_NODES MIN_SAMPLES_LEAF MAX_FEATURES MAX_SAMPLES SEEDS
CSV columns: patient,pair,area,label,f0,f1,... (label 0/1; test labels are the truth for the AUC).
SEEDS: comma-separated random_state values, one forest each.
Prints JSON: per seed, the test rows' predict_proba of class 1 and the patient-level AUC of the area-weighted TRS.
"""
import json
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score


def read(path):
    rows = [line.rstrip("\n").split(",") for line in open(path)][1:]
    patients = [r[0] for r in rows]
    areas = np.array([float(r[2]) for r in rows])
    labels = np.array([int(r[3]) for r in rows])
    x = np.array([[float(v) for v in r[4:]] for r in rows], dtype=np.float32)
    return patients, areas, labels, x


train_path, test_path = sys.argv[1:3]
trees, leaves, min_leaf = (int(v) for v in sys.argv[3:6])
max_features, max_samples = float(sys.argv[6]), float(sys.argv[7])
seeds = [int(v) for v in sys.argv[8].split(",")]

_, _, y_train, x_train = read(train_path)
patients, areas, y_test, x_test = read(test_path)
runs = []
for seed in seeds:
    forest = RandomForestClassifier(n_estimators=trees, max_leaf_nodes=leaves, min_samples_leaf=min_leaf,
                                    max_features=max_features, bootstrap=True, max_samples=max_samples,
                                    random_state=seed, n_jobs=1)
    forest.fit(x_train, y_train)
    p = forest.predict_proba(x_test)[:, 1]
    weighted, total, label = {}, {}, {}
    for key, a, pr, y in zip(patients, areas, p, y_test):
        weighted[key] = weighted.get(key, 0.0) + a * pr
        total[key] = total.get(key, 0.0) + a
        label[key] = y
    keys = sorted(weighted)
    trs = [weighted[k] / total[k] for k in keys]
    auc = roc_auc_score([label[k] for k in keys], trs)
    runs.append({"probabilities": [float(v) for v in p], "patient_auc": float(auc)})
print(json.dumps({"runs": runs}))
