#!/usr/bin/env python3
"""scikit-learn's StandardScaler + PCA as the peer of Derby.Learning.Mixtures.PrincipalComponents (PrincipalComponentsTests).

Reads one JSON object on standard input: x (n × p), dimensions. Standardises x (StandardScaler: population standard
deviation, 1 for constant features), fits PCA with the full SVD solver and prints JSON: explained_variance,
explained_variance_ratio (the kept components' total), components (dimensions × p) and scores (n × dimensions).
Needs Debian's python3-sklearn.
"""
import json
import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

job = json.load(sys.stdin)
x = np.array(job["x"], dtype=np.float64)
z = StandardScaler().fit_transform(x)
pca = PCA(n_components=job["dimensions"], svd_solver="full").fit(z)
print(json.dumps({
    "explained_variance": pca.explained_variance_.tolist(),
    "explained_variance_ratio": float(pca.explained_variance_ratio_.sum()),
    "components": pca.components_.tolist(),
    "scores": pca.transform(z).tolist(),
}))
