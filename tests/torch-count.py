#!/usr/bin/env python3
# torch-count.py: ResNet-50's parameters and multiply-adds counted the way
# torchinfo and ptflops users count them, with PyTorch forward hooks, for
# the benchmark to time as a whole process against `envelope-cli report`.
#
# The model is torchvision's resnet50 (v1.5) when torchvision is there,
# the same network written out here otherwise; a forward pass of one
# 224×224 image on the CPU runs a hook on every leaf module that adds its
# parameters and the multiply-adds of its convolution or matrix product.
# Exits 1 unless the count is the published one (25,557,032 parameters,
# 4,089,184,256 multiply-adds), so the comparison is like for like.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import sys

import torch
from torch import nn


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        width, out = planes, planes * 4
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        return self.relu(self.bn3(self.conv3(y)) + identity)


def resnet50():
    try:
        import torchvision
        return torchvision.models.resnet50()
    except ImportError:
        pass
    layers, inplanes = [], 64
    for planes, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for b in range(blocks):
            layers.append(Bottleneck(inplanes, planes, stride if b == 0 else 1))
            inplanes = planes * 4
    return nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                         nn.MaxPool2d(3, 2, 1), *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(2048, 1000))


def main():
    model = resnet50().eval()
    totals = {'params': 0, 'macs': 0}

    def hook(module, inputs, output):
        totals['params'] += sum(p.numel() for p in module.parameters(recurse=False) if p.requires_grad)
        if isinstance(module, nn.Conv2d):
            kernel = module.weight.shape[1] * module.weight.shape[2] * module.weight.shape[3]
            totals['macs'] += output[0].numel() * kernel
        elif isinstance(module, nn.Linear):
            totals['macs'] += module.in_features * module.out_features

    for module in model.modules():
        if not list(module.children()):
            module.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    print(f"ResNet-50: {totals['params']:,} parameters, {totals['macs']:,} multiply-adds")
    return 0 if (totals['params'], totals['macs']) == (25557032, 4089184256) else 1


if __name__ == '__main__':
    sys.exit(main())
