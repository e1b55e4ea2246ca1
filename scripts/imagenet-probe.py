#!/usr/bin/env python3
"""What frozen ImageNet features carry of a study's imaging signal (issue #8's diagnosis, ADR 16): runs the
ImageNet-trained ResNet-18 that NuGet serves as ONNX (package Microsoft.ML.DnnImageFeaturizer.ResNet18, MIT; restored
into the NuGet cache by `dotnet restore` of a project that references it) on every stored pair of a Derby data folder,
and prints per cohort the patient AUC (ROI-area weighted vote of the pair probabilities, as the TRS) of

- a logistic regression (L2) and a random forest on the z-scored 512 + 512 pooled features (CT's three slices as the
  three colour channels in a -160..240 HU window; PET grey at 0-10 SUV; or, with --against-surroundings, CT minus and
  PET over the median of the ring at 1.6-2.6 lesion radii, as Derby.Imaging's SurroundingsReference),
- the same forest on 8 principal components, and on a diagonal Gaussian mixture's responsibilities (K = 8, F_img as
  in the DERBY chain), with the mean largest responsibility (1.0 = one-hot).

Classifiers are trained on the training cohort's pairs. The ONNX graph (Conv, BatchNormalization, Relu, Add, MaxPool,
AveragePool) is evaluated with torch's functional ops; its last pooling is taken as global, so any input size works.
The model's own preprocessing (its ResNetPreprocess.onnx: RGB to BGR, minus a mean image near 115 in 0-255) is applied
as the per-channel mean. Needs python3-torch (with python3-torchvision), python3-onnx, python3-sklearn (Debian).
Usage: scripts/imagenet-probe.py DATA_FOLDER [--centre 32] [--size 128] [--against-surroundings] [--save FEATURES.npy]
"""
import argparse
import glob
import importlib.util
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("pair_signal", os.path.join(here, "pair-signal.py"))
ps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ps)


def package_folder():
    cache = os.environ.get("NUGET_PACKAGES", os.path.expanduser("~/.nuget/packages"))
    found = sorted(glob.glob(os.path.join(cache, "microsoft.ml.dnnimagefeaturizer.resnet18", "*", "tools", "DnnImageModels")))
    if not found:
        raise SystemExit("Microsoft.ML.DnnImageFeaturizer.ResNet18 is not in the NuGet cache: restore a project that references it")
    return found[-1]


class OnnxResNet:
    """The ONNX graph evaluated node by node with torch's functional ops (inference: batch norm with running stats)."""

    def __init__(self, folder):
        self.model = onnx.load(os.path.join(folder, "ResNet18Onnx", "ResNet18.onnx"))
        prep = onnx.load(os.path.join(folder, "ResNetPrepOnnx", "ResNetPreprocess.onnx"))
        self.mean = torch.tensor(numpy_helper.to_array(prep.graph.initializer[0]).reshape(3, -1).mean(1), dtype=torch.float32)
        self.weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in self.model.graph.initializer}

    def __call__(self, x):
        values = {self.model.graph.input[0].name: x}
        for node in self.model.graph.node:
            a = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
            i = [values[k] if k in values else self.weights[k] for k in node.input]
            op = node.op_type
            if op == "Conv":
                p = a.get("pads", [0, 0, 0, 0])
                y = F.conv2d(F.pad(i[0], (p[1], p[3], p[0], p[2])), i[1], i[2] if len(i) > 2 else None,
                             stride=a.get("strides", [1, 1]), groups=a.get("group", 1))
            elif op == "BatchNormalization":
                y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))
            elif op == "Relu":
                y = F.relu(i[0])
            elif op == "Add":
                y = i[0] + i[1]
            elif op == "MaxPool":
                p = a.get("pads", [0, 0, 0, 0])
                y = F.max_pool2d(F.pad(i[0], (p[1], p[3], p[0], p[2]), value=-1e30), a["kernel_shape"], a.get("strides", [1, 1]))
            elif op == "AveragePool":
                y = i[0].mean((2, 3), keepdim=True)
            else:
                raise RuntimeError(f"ONNX operator {op} is not handled")
            values[node.output[0]] = y
        return values[self.model.graph.output[0].name].flatten(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("--centre", type=int, default=32, help="centred pixels of the stored crop that are kept")
    parser.add_argument("--size", type=int, default=128, help="pixels the kept window is resampled to")
    parser.add_argument("--against-surroundings", action="store_true")
    parser.add_argument("--save", help="write the features (pairs in pair-signal.py's order) to this .npy file")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    net = OnnxResNet(package_folder())

    def image(a):  # (3, n, n) in 0..1 -> (3, size, size) BGR in 0..255 less the model's mean
        o = (a.shape[-1] - args.centre) // 2
        t = torch.from_numpy(np.ascontiguousarray(a[:, o:o + args.centre, o:o + args.centre])).float()[None]
        return F.interpolate(t, size=(args.size, args.size), mode="bilinear", align_corners=False)[0] * 255 - net.mean[:, None, None]

    rows, ct_images, pet_images = [], [], []
    for patient, cohort, responder, sha, site in ps.pair_sets(args.data):
        for area, pet, ct in ps.read_pairs(args.data, sha):
            rows.append((patient, cohort, bool(responder), area))
            if args.against_surroundings:
                n = pet.shape[0]
                yy, xx = np.mgrid[0:n, 0:n]
                radius = max(np.sqrt(max(area, 1) / np.pi), 0.75)
                d = np.hypot(xx - n // 2, yy - n // 2)
                start = max(1.6 * radius, 2)
                ring = (d >= start) & (d <= max(2.6 * radius, start + 2))
                ct_images.append(image(np.clip((ct - np.median(ct[1][ring]) + 100) / 200, 0, 1)))
                pet_images.append(image(np.repeat(np.clip(pet / max(np.median(pet[ring]), 0.5) / 10, 0, 1)[None], 3, 0)))
            else:
                ct_images.append(image(np.clip((ct + 160) / 400, 0, 1)))
                pet_images.append(image(np.repeat(np.clip(pet / 10, 0, 1)[None], 3, 0)))
    features = []
    with torch.no_grad():
        for b in range(0, len(rows), 128):
            features.append(torch.cat([net(torch.stack(ct_images[b:b + 128])), net(torch.stack(pet_images[b:b + 128]))], 1).numpy())
    features = np.concatenate(features).astype(float)
    if args.save:
        np.save(args.save, features)
    print(f"{len(rows)} pairs, {features.shape[1]} features (ImageNet ResNet-18, frozen)")

    pairs = [r + (f,) for r, f in zip(rows, features)]
    train = [p for p in pairs if p[1] == "training"]
    x = lambda rs: np.array([p[4] for p in rs])
    mu, sd = x(train).mean(0), x(train).std(0) + 1e-6
    z = lambda rs: (x(rs) - mu) / sd
    pca = PCA(8, random_state=1).fit(z(train))
    gmm = GaussianMixture(8, covariance_type="diag", random_state=1).fit(x(train))
    print(f"mixture (K 8, diagonal) on the features: mean largest responsibility on the training pairs {gmm.predict_proba(x(train)).max(1).mean():.4f}")
    forest = lambda: RandomForestClassifier(300, min_samples_leaf=5, random_state=1, n_jobs=-1)
    chains = [
        ("logistic regression (C 0.001)", z, LogisticRegression(C=0.001, max_iter=5000)),
        ("forest on the features", z, forest()),
        ("forest on 8 principal components", lambda rs: pca.transform(z(rs)), forest()),
        ("forest on mixture responsibilities", lambda rs: gmm.predict_proba(x(rs)), forest()),
    ]
    for name, transform, model in chains:
        model.fit(transform(train), [p[2] for p in train])
        cells = []
        for cohort in ("internal-validation", "external-validation", "negative-validation"):
            rs = [p for p in pairs if p[1] == cohort]
            cells.append(f"{cohort} {ps.vote_auc(rs, model.predict_proba(transform(rs))[:, 1]):.2f}")
        print(f"   {name:<38} " + ", ".join(cells))


if __name__ == "__main__":
    main()
