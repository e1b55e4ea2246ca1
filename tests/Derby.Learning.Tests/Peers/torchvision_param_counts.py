#!/usr/bin/env python3
"""Parameter counts of torchvision's reference networks (3 input channels, 1000 classes), for NetworkTests.

Needs Debian's python3-torchvision (0.14 on Debian 12). Prints one JSON object: {"efficientnet_b3": n, ...}.
"""
import json

from torchvision.models import efficientnet_b0, efficientnet_b3, resnet34

counts = {name: sum(p.numel() for p in make().parameters())
          for name, make in [("efficientnet_b0", efficientnet_b0), ("efficientnet_b3", efficientnet_b3), ("resnet34", resnet34)]}
print(json.dumps(counts))
