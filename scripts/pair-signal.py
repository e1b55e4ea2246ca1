#!/usr/bin/env python3
"""Where the imaging signal of a study goes (issue #8's diagnosis): reads a Derby data folder's database and stored pair
sets, and prints per cohort

1. each patient's ROI-weighted first-order lesion descriptors of the stored pairs (the same eight as
   Derby.Learning's PairDescriptors: PET mean of the lesion disc, its inner half and rim, PET spread, CT mean of disc,
   inner half and rim, ln area), and five of them against the lesion's surroundings (Derby.Imaging's
   SurroundingsReference: PET disc and inner half as ratios to the median SUV of the ring at 1.6-2.6 lesion radii, CT
   disc, inner half and rim as differences from its median HU), as AUCs against the observed response (CR/PR), and
2. what the rest of the DERBY chain keeps of them when they stand in for the network's features: z-scored on the
   training cohort's pairs, compressed to a diagonal Gaussian mixture's responsibilities (K = 8, as F_img), a random
   forest per pair (300 trees, min leaf 5) trained on the training cohort, and the ROI-area-weighted vote (TRS); and the
   same forest on the descriptors themselves; once on the absolute descriptors, once on those against the surroundings;
3. for every pair network with extracted features, what those 1024-d features carry: a logistic regression (L2, C 0.1,
   features z-scored on the training cohort's pairs) trained on the training cohort's pairs, its pair probabilities
   averaged with ROI-area weights per patient, AUC per cohort. Where the descriptors of part 1 reach 0.7 and this stays
   near 0.5, the network has not learnt the lesion phenotype that its pairs show. Under each network, how soft the F_img
   of each of its mixtures is (the mean largest responsibility over the pairs; 1 means one-hot, ADR 16).

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
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture

NAMES = ["pet_disc", "pet_inner", "pet_rim", "pet_sd", "ct_disc", "ct_inner", "ct_rim", "ln_area",
         "pet_d/ring", "pet_i/ring", "ct_d-ring", "ct_i-ring", "ct_r-ring"]
ABSOLUTE = list(range(8))
AGAINST_SURROUNDINGS = list(range(8, 13))
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
    radius = max(np.sqrt(max(area, 1) / np.pi), 0.75)
    distance = rho * radius
    ring_from = max(1.6 * radius, 2)
    ring = (distance >= ring_from) & (distance <= max(2.6 * radius, ring_from + 2))
    mid = ct[1]
    mean = lambda img, m: img[m].mean() if m.any() else img[disc].mean()
    pet_ring, ct_ring = max(np.median(pet[ring]), 0.5), np.median(mid[ring])
    return [pet[disc].mean(), mean(pet, inner), mean(pet, rim), pet[disc].std(),
            mid[disc].mean(), mean(mid, inner), mean(mid, rim), np.log(max(area, 1)),
            pet[disc].mean() / pet_ring, mean(pet, inner) / pet_ring,
            mid[disc].mean() - ct_ring, mean(mid, inner) - ct_ring, mean(mid, rim) - ct_ring]


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

    print("\n2. The chain on the descriptors (forest trained on the training cohort's pairs): patient AUC of the TRS")
    for columns, which in ((ABSOLUTE, "absolute"), (AGAINST_SURROUNDINGS, "against the surroundings")):
        chain(pairs, columns, which)


def chain(pairs, columns, which):
    train = [p for p in pairs if p[1] == "training"]
    x = lambda rows: np.array([[p[4][i] for i in columns] for p in rows])
    mu, sd = x(train).mean(0), x(train).std(0)
    z = lambda rows: (x(rows) - mu) / sd
    gmm = GaussianMixture(8, covariance_type="diag", random_state=1).fit(z(train))
    chains = {
        f"{which}: descriptors -> GMM responsibilities (K 8) -> forest -> vote": (lambda rows: gmm.predict_proba(z(rows))),
        f"{which}: descriptors -> forest -> vote": z,
    }
    for name, features in chains.items():
        forest = RandomForestClassifier(300, min_samples_leaf=5, random_state=1, n_jobs=2).fit(features(train), [p[2] for p in train])
        cells = []
        for cohort in ("internal-validation", "external-validation", "negative-validation"):  # histology overlaps training
            rows = [p for p in pairs if p[1] == cohort]
            votes = forest.predict_proba(features(rows))[:, 1]
            cells.append(f"{cohort} {vote_auc(rows, votes):.2f}")
        print(f"   {name}: " + ", ".join(cells))


def vote_auc(rows, votes):
    """Patient AUC of the pair votes averaged with ROI-area weights (the TRS); rows are (patient, cohort, responder, area, ...)."""
    patients = {}
    for p, v in zip(rows, votes):
        e = patients.setdefault(p[0], [p[2], 0.0, 0.0])
        e[1] += p[3] * v
        e[2] += p[3]
    return roc_auc_score([e[0] for e in patients.values()], [e[1] / e[2] for e in patients.values()])


def network_features(data):
    db = sqlite3.connect(os.path.join(data, "derby.db"))
    networks = db.execute("SELECT Id, Version FROM NetworkModels ORDER BY Version").fetchall()
    rows = [(n, v) for n, v in networks if db.execute("SELECT COUNT(*) FROM FeatureSets WHERE NetworkModelId = ?", (n,)).fetchone()[0]]
    if not rows:
        return
    print("\n3. The networks' features (logistic regression on the training cohort's pairs, ROI-weighted per patient): patient AUC")
    for network, version in rows:
        pairs = []
        for patient, cohort, responder, pair_sha, feature_sha in db.execute("""
                SELECT p.Pseudonym, c.Code, o.BestResponse IN ('CompleteResponse', 'PartialResponse'), s.Sha256, f.Sha256
                FROM FeatureSets f JOIN PairSets s ON s.Id = f.PairSetId JOIN Lesions l ON l.Id = s.LesionId
                JOIN Patients p ON p.Id = l.PatientId JOIN CohortMemberships m ON m.PatientId = p.Id
                JOIN Cohorts c ON c.Id = m.CohortId JOIN Outcomes o ON o.PatientId = p.Id
                WHERE f.NetworkModelId = ?""", (network,)):
            features = np.fromfile(os.path.join(data, "store", "features", feature_sha[:2], feature_sha[2:4], feature_sha), dtype="<f4").reshape(-1, 1024)
            for (area, _, _), f in zip(read_pairs(data, pair_sha), features):
                pairs.append((patient, cohort, bool(responder), area, f))
        train = [p for p in pairs if p[1] == "training"]
        x = lambda rows: np.array([p[4] for p in rows])
        mu, sd = x(train).mean(0), x(train).std(0) + 1e-6
        probe = LogisticRegression(C=0.1, max_iter=5000).fit((x(train) - mu) / sd, [p[2] for p in train])
        cells = []
        for cohort in COHORTS:
            rows = [p for p in pairs if p[1] == cohort]
            votes = probe.predict_proba((x(rows) - mu) / sd)[:, 1]
            cells.append(f"{cohort} {vote_auc(rows, votes):.2f}")
        print(f"   {version}: " + ", ".join(cells) + " (training: apparent)")
        for k, dimensions, mixture in db.execute(
                "SELECT K, Dimensions, Id FROM MixtureModels WHERE NetworkModelId = ? ORDER BY CreatedUtc", (network,)).fetchall():
            largest = [max(json.loads(r)) for (r,) in db.execute("SELECT ResponsibilitiesJson FROM PairImageFeatures WHERE MixtureModelId = ?", (mixture,))]
            on = f"{dimensions} principal components" if dimensions else "the features"
            print(f"      its mixture on {on} (K {k}): mean largest responsibility {np.mean(largest):.4f} over {len(largest)} pairs (1: one-hot F_img)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
    network_features(sys.argv[1])
