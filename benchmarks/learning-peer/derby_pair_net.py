#!/usr/bin/python3
"""DerbyPairNet rebuilt in PyTorch from torchvision's resnet34 and efficientnet_b3: the peer of
`dotnet run -c Release --project benchmarks/Derby.Benchmarks -- learning-peer` for benchmarks/learning-vs-pytorch.sh.

The same network as src/Derby.Learning/Networks/DerbyPairNet.cs:
  * PET: torchvision efficientnet_b3 features with a 1-channel stem (features[0][0] = Conv2d(1, 40, 3, 2, 1)), average
    pooled -> 1536;
  * CT: one torchvision resnet34 with a 1-channel stem (conv1 = Conv2d(1, 64, 7, 2, 3)), no avgpool/fc, shared by the 3
    slices (run as 3N one-channel images), the three 512-channel maps concatenated (slice-major) and fused by a 1x1
    Conv2dNormActivation (conv without bias, BN, ReLU) to 512, average pooled -> 512;
  * concat (2048) -> Linear to 1024 (the pair feature) -> ReLU, Dropout 0.3, Linear 1024 -> 2 (training head).
Inference times `features` (what Derby.Learning's DerbyPairNet.Features computes) in eval mode under no_grad.

Usage: derby_pair_net.py [--batch 16] [--crop 64] [--threads 2] [--device cpu|cuda] [--warmup 3] [--reps 10] [--part features|pet|ct] [--serve]
       derby_pair_net.py --params   (prints the parameter count and exits)
Protocol (shared with the .NET side): "ready ..." after the warm-up; then, without --serve, one "seconds S pairs_per_s P"
line per timed batch and a "median ..." line; with --serve, one timed batch per "run" line on standard input until
"quit" or end of input. Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
import statistics
import sys
import time

import torch
import torchvision
from torch import nn
from torchvision.models import efficientnet_b3, resnet34
from torchvision.ops.misc import Conv2dNormActivation

CT_SLICES = 3
FEATURE_SIZE = 1024


class DerbyPairNet(nn.Module):
    def __init__(self):
        super().__init__()
        pet = efficientnet_b3()
        stem = pet.features[0][0]
        pet.features[0][0] = nn.Conv2d(1, stem.out_channels, stem.kernel_size, stem.stride, stem.padding, bias=False)
        self.pet = pet.features  # stem, 7 stages, 1x1 head to 1536
        ct = resnet34()
        ct.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
        self.ct = nn.Sequential(ct.conv1, ct.bn1, ct.relu, ct.maxpool, ct.layer1, ct.layer2, ct.layer3, ct.layer4)
        self.ct_fusion = Conv2dNormActivation(CT_SLICES * 512, 512, 1, activation_layer=nn.ReLU)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.projection = nn.Linear(1536 + 512, FEATURE_SIZE)
        self.head = nn.Sequential(nn.ReLU(), nn.Dropout(0.3), nn.Linear(FEATURE_SIZE, 2))

    def pet_branch(self, pet):
        return self.avgpool(self.pet(pet)).flatten(1)

    def ct_branch(self, ct):
        n, _, h, w = ct.shape
        maps = self.ct(ct.reshape(n * CT_SLICES, 1, h, w))
        fused = self.ct_fusion(maps.reshape(n, CT_SLICES * maps.shape[1], maps.shape[2], maps.shape[3]))
        return self.avgpool(fused).flatten(1)

    def features(self, pet, ct):
        return self.projection(torch.cat([self.pet_branch(pet), self.ct_branch(ct)], 1))

    def forward(self, pet, ct):
        return self.head(self.features(pet, ct))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--part", choices=["features", "pet", "ct"], default="features")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--params", action="store_true")
    a = parser.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = DerbyPairNet()
    params = sum(p.numel() for p in net.parameters())
    if a.params:
        print(params)
        return
    device = torch.device(a.device)
    net.eval().to(device)
    torch.manual_seed(1)
    pet = torch.rand(a.batch, 1, a.crop, a.crop).to(device)
    ct = torch.rand(a.batch, CT_SLICES, a.crop, a.crop).to(device)

    def step():
        start = time.perf_counter()
        with torch.no_grad():
            features = {"pet": lambda: net.pet_branch(pet), "ct": lambda: net.ct_branch(ct)}.get(a.part, lambda: net.features(pet, ct))()
            float(features[0, 0].cpu())  # forces the result (CUDA synchronises), as the .NET side
        return time.perf_counter() - start

    for _ in range(a.warmup):
        step()
    print(f"ready impl=pytorch params={params} threads={torch.get_num_threads()} device={device} batch={a.batch} "
          f"crop={a.crop} part={a.part} torch=pytorch-{torch.__version__}/torchvision-{torchvision.__version__}", flush=True)
    if a.serve:
        for line in sys.stdin:
            if line.strip() == "quit":
                break
            s = step()
            print(f"seconds {s:.6f} pairs_per_s {a.batch / s:.3f}", flush=True)
        return
    times = []
    for _ in range(a.reps):
        s = step()
        times.append(s)
        print(f"seconds {s:.6f} pairs_per_s {a.batch / s:.3f}", flush=True)
    median = statistics.median(times)
    print(f"median seconds {median:.6f} pairs_per_s {a.batch / median:.3f}")


if __name__ == "__main__":
    main()
