#!/usr/bin/env python3
"""scikit-learn's GaussianMixture as the peer of Derby.Learning.Mixtures.GaussianMixture (GaussianMixtureTests).

Reads one JSON object on standard input: x (n × d), k, covariance ("full" or "diag"), the starting point weights,
means and precisions (K × d × d for full, K × d for diag; Derby's GaussianMixture.Initialize), reg_covar, tol,
max_iter. Fits sklearn.mixture.GaussianMixture from that starting point and prints JSON: lower_bound, n_iter,
converged, score, bic, n_parameters, weights, means, responsibilities. Needs Debian's python3-sklearn.
"""
import json
import sys

import numpy as np
from sklearn.mixture import GaussianMixture

job = json.load(sys.stdin)
x = np.array(job["x"], dtype=np.float64)
gm = GaussianMixture(
    n_components=job["k"],
    covariance_type=job["covariance"],
    weights_init=np.array(job["weights"]),
    means_init=np.array(job["means"]),
    precisions_init=np.array(job["precisions"]),
    reg_covar=job["reg_covar"],
    tol=job["tol"],
    max_iter=job["max_iter"],
    n_init=1,
    random_state=0,
)
gm.fit(x)
print(json.dumps({
    "lower_bound": gm.lower_bound_,
    "n_iter": int(gm.n_iter_),
    "converged": bool(gm.converged_),
    "score": gm.score(x),
    "bic": gm.bic(x),
    "n_parameters": int(gm._n_parameters()),
    "weights": gm.weights_.tolist(),
    "means": gm.means_.tolist(),
    "responsibilities": gm.predict_proba(x).tolist(),
}))
