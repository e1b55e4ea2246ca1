"""Peer for HierarchicalClustering: scipy.cluster.hierarchy.linkage(method="average") and leaves_list.

Usage: scipy_linkage.py MATRIX.csv METRIC (euclidean or correlation); clusters the rows of the matrix.
Prints JSON: the linkage matrix (a, b, height, size per row) and the leaf order.
"""
import json
import sys

import numpy as np
from scipy.cluster.hierarchy import leaves_list, linkage

x = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
z = linkage(x, method="average", metric=sys.argv[2])
print(json.dumps({"linkage": z.tolist(), "leaves": leaves_list(z).tolist()}))
