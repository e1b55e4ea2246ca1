#!/usr/bin/env python3
"""Where the imaging signal of a study goes (issue #8's diagnosis): reads a Derby data folder's database and stored pair
sets, and prints per cohort

1. each patient's ROI-weighted first-order lesion descriptors of the stored pairs (the same eight as
   Derby.Learning's PairDescriptors: PET mean of the lesion disc, its inner half and rim, PET spread, CT mean of disc,
   inner half and rim, ln area) as AUCs against the observed response (CR/PR), and
2. what the rest of the DERBY chain keeps of them when they stand in for the network's features: z-scored on the
   training cohort's pairs, compressed to a diagonal Gaussian mixture's responsibilities (K = 8, as F_img), a random
   forest per pair (300 trees, min leaf 5) trained on the training cohort, and the ROI-area-weighted vote (TRS); and the
   same forest on the descriptors themselves.

No labels or ground truth enter the descriptors; they are computed from the pairs alone. Needs python3-numpy and
python3-sklearn (Debian). Usage: scripts/pair-signal.py DATA_FOLDER
"""
import json
import os
import sqlite3
import struct
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture

NAMES = ["pet_disc", "pet_inner", "pet_rim", "pet_sd", "ct_disc", "ct_inner", "ct_rim", "ln_area"]
COHORTS = ["training", "internal-validation", "histology", "external-validation", "negative-validation"]


def pair_sets(data):
    db = sqlite3.connect(os.path.join(data, "derby.db"))
    return db.execute("""
        SELECT p.Pseudonym, c.Code, o.BestResponse IN ('CompleteResponse', 'PartialResponse'), s.Sha256, t.Code
        FROM PairSets s JOIN Lesions l ON l.Id = s.LesionId JOIN Patients p ON p.Id = l.PatientId JOIN Sites t ON t.Id = p.SiteId
        JOIN CohortMemberships m ON m.PatientId = p.Id JOIN Cohorts c ON c.Id = m.CohortId
        JOIN Outcomes o ON o.PatientId = p.Id""").fetchall()


def read_pairs(data, sha):
    """The stored pair set (PairSetFile version 1): (ROI area, PET crop in SUV, CT crops in HU) per pair."""
    blob = open(os.path.join(data, "store", "pairs", sha[:2], sha[2:4], sha), "rb").read()
    assert blob[:8] == b"DRBYPAIR" and struct.unpack("<I", blob[8:12])[0] == 1, sha
    length = struct.unpack("<I", blob[12:16])[0]
    header = json.loads(blob[16:16 + length])
    st = header["settings"]
    n = st["cropSize"]
    offset = 16 + length
    for _ in range(header["pairs"]):
        area = struct.unpack("<7i", blob[offset:offset + 28])[4]
        offset += 28
        pet = np.frombuffer(blob, "<f4", n * n, offset).reshape(n, n)
        offset += 4 * n * n
        ct = np.frombuffer(blob, "<f4", 3 * n * n, offset).reshape(3, n, n)
        offset += 12 * n * n
        yield area, st["suvMin"] + pet * (st["suvMax"] - st["suvMin"]), st["huMin"] + ct * (st["huMax"] - st["huMin"])


def descriptors(area, pet, ct):
    n = pet.shape[0]
    yy, xx = np.mgrid[0:n, 0:n]
    rho = np.hypot(xx - n // 2, yy - n // 2) / max(np.sqrt(max(area, 1) / np.pi), 0.75)
    disc, inner = rho <= 1, rho <= 0.5
    rim = disc & ~inner
    mid = ct[1]
    mean = lambda img, m: img[m].mean() if m.any() else img[disc].mean()
    return [pet[disc].mean(), mean(pet, inner), mean(pet, rim), pet[disc].std(),
            mid[disc].mean(), mean(mid, inner), mean(mid, rim), np.log(max(area, 1))]


def main(data):
    pairs = []  # (patient, cohort, responder, area, descriptors, site)
    for patient, cohort, responder, sha, site in pair_sets(data):
        for area, pet, ct in read_pairs(data, sha):
            pairs.append((patient, cohort, bool(responder), area, descriptors(area, pet, ct), site))

    print("1. Per patient, ROI-weighted descriptor AUC against the observed response (>0.5: higher in responders)")
    print(f"   {'cohort':<20} {'n':>4}  " + "  ".join(f"{x:>9}" for x in NAMES))
    groups = [(c, c, None) for c in COHORTS]
    groups += [(f"  {s} ({c.split('-')[0]})", c, s) for c in COHORTS for s in sorted({p[5] for p in pairs if p[1] == c}) if c.startswith("external")]
    for label, cohort, site in groups:
        patients = {}
        for patient, c, responder, area, d, s in pairs:
            if c == cohort and site in (None, s):
                e = patients.setdefault(patient, [responder, [], []])
                e[1].append(area)
                e[2].append(d)
        y = [e[0] for e in patients.values()]
        x = np.array([np.average(np.array(e[2]), axis=0, weights=np.array(e[1], float)) for e in patients.values()])
        print(f"   {label:<20} {len(y):>4}  " + "  ".join(f"{roc_auc_score(y, x[:, i]):>9.2f}" for i in range(len(NAMES))))

    train = [p for p in pairs if p[1] == "training"]
    x_train = np.array([p[4] for p in train])
    mu, sd = x_train.mean(0), x_train.std(0)
    z = lambda rows: (np.array([p[4] for p in rows]) - mu) / sd
    gmm = GaussianMixture(8, covariance_type="diag", random_state=1).fit(z(train))
    chains = {
        "descriptors -> GMM responsibilities (K 8) -> forest -> vote": (lambda rows: gmm.predict_proba(z(rows))),
        "descriptors -> forest -> vote": z,
    }
    print("\n2. The chain on the descriptors (forest trained on the training cohort's pairs): patient AUC of the TRS")
    for name, features in chains.items():
        forest = RandomForestClassifier(300, min_samples_leaf=5, random_state=1, n_jobs=2).fit(features(train), [p[2] for p in train])
        cells = []
        for cohort in ("internal-validation", "external-validation", "negative-validation"):  # histology overlaps training
            rows = [p for p in pairs if p[1] == cohort]
            votes = forest.predict_proba(features(rows))[:, 1]
            patients = {}
            for p, v in zip(rows, votes):
                e = patients.setdefault(p[0], [p[2], 0.0, 0.0])
                e[1] += p[3] * v
                e[2] += p[3]
            cells.append(f"{cohort} {roc_auc_score([e[0] for e in patients.values()], [e[1] / e[2] for e in patients.values()]):.2f}")
        print(f"   {name}: " + ", ".join(cells))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
