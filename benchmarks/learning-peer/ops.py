#!/usr/bin/python3
"""The PyTorch peer of `dotnet run -c Release --project benchmarks/Derby.Benchmarks -- learning-ops`: the same single
operations (EfficientNet-b3 and ResNet-34 shapes in DerbyPairNet at crop 64, batch 16), median milliseconds.
Usage: ops.py [--threads 1] [--reps 30]"""
import argparse
import statistics
import time

import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--reps", type=int, default=30)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
ops = []


def depthwise(name, c, size, k):
    conv = nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False).eval()
    x = torch.rand(16, c, size, size)
    ops.append((name, lambda: conv(x)))


def conv(name, n, cin, cout, size, k):
    m = nn.Conv2d(cin, cout, k, padding=k // 2, bias=False).eval()
    x = torch.rand(n, cin, size, size)
    ops.append((name, lambda: m(x)))


depthwise("dw3 16x40x32x32", 40, 32, 3)
depthwise("dw3 16x192x16x16", 192, 16, 3)
depthwise("dw5 16x288x8x8", 288, 8, 5)
depthwise("dw5 16x816x4x4", 816, 4, 5)
conv("pw 16x32x16x16->192", 16, 32, 192, 16, 1)
conv("pw 16x816x4x4->136", 16, 816, 136, 4, 1)
pw = nn.Conv2d(32, 192, 1, bias=False)
pw_x = torch.rand(16, 32, 16, 16)
pw_w = pw.weight.reshape(192, 32)
ops.append(("pw as matmul", lambda: torch.matmul(pw_w, pw_x.reshape(16, 32, 256)).reshape(16, 192, 16, 16)))
conv("conv3 48x64x16x16->64", 48, 64, 64, 16, 3)
conv("conv3 48x256x4x4->256", 48, 256, 256, 4, 3)
silu = nn.SiLU()
a_ = torch.rand(16, 192, 16, 16)
ops.append(("silu 16x192x16x16", lambda: silu(a_)))
bn = nn.BatchNorm2d(192).eval()
ops.append(("bn 16x192x16x16", lambda: bn(a_)))
b = torch.rand(16, 816, 4, 4)
reduce, expand = nn.Conv2d(816, 34, 1), nn.Conv2d(34, 816, 1)
ops.append(("se 16x816x4x4", lambda: b * torch.sigmoid(expand(nn.functional.silu(reduce(nn.functional.adaptive_avg_pool2d(b, 1)))))))
linear = nn.Linear(2048, 1024)
f = torch.rand(16, 2048)
ops.append(("linear 16x2048->1024", lambda: linear(f)))

with torch.no_grad():
    for name, body in ops:
        times = []
        for i in range(-3, a.reps):
            s = time.perf_counter()
            body().sum().item()
            if i >= 0:
                times.append((time.perf_counter() - s) * 1e3)
        print(f"{name:<24} {sorted(times)[len(times) // 2]:.3f} ms")
