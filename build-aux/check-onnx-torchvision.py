#!/usr/bin/python3
# check-onnx-torchvision.py: torchvision's models through ONNX, against PyTorch
#
# Development only (torch 1.13, torchvision 0.14, onnx 1.12): exports each
# model with trained-looking weights (no two tensors alike), opens it with
# envelope-cli and compares the trainable parameters with PyTorch's; the
# MACs are printed beside torchvision's published GFLOPS.  The table of
# docs/import-onnx.md comes from this.
#
#   build-aux/check-onnx-torchvision.py _build/src/cli/envelope-cli [MODEL…]
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import subprocess
import sys
import tempfile
import warnings

import torch
import torchvision

warnings.simplefilter("ignore")
M = torchvision.models

# name: (constructor, input shape, training export, torchvision's GFLOPS)
MODELS = {
    "resnet18": (lambda: M.resnet18(), (1, 3, 224, 224), True, 1.81),
    "convnext_tiny": (lambda: M.convnext_tiny(), (1, 3, 224, 224), False, 4.46),
    "vit_b_16": (lambda: M.vit_b_16(), (1, 3, 224, 224), False, 17.56),
    "densenet121": (lambda: M.densenet121(), (1, 3, 224, 224), True, 2.83),
    "mobilenet_v3_large": (lambda: M.mobilenet_v3_large(), (1, 3, 224, 224), True, 0.22),
    "inception_v3": (lambda: M.inception_v3(aux_logits=False, init_weights=False), (1, 3, 299, 299), True, 5.71),
    "regnet_y_400mf": (lambda: M.regnet_y_400mf(), (1, 3, 224, 224), True, 0.40),
    "shufflenet_v2_x1_0": (lambda: M.shufflenet_v2_x1_0(), (1, 3, 224, 224), True, 0.14),
    "mnasnet1_0": (lambda: M.mnasnet1_0(), (1, 3, 224, 224), True, 0.31),
    "googlenet": (lambda: M.googlenet(aux_logits=False, init_weights=False), (1, 3, 224, 224), True, 1.50),
    "r2plus1d_18": (lambda: M.video.r2plus1d_18(), (1, 3, 16, 112, 112), True, 40.52),
    "mc3_18": (lambda: M.video.mc3_18(), (1, 3, 16, 112, 112), True, 43.34),
    "swin_t": (lambda: M.swin_t(), (1, 3, 224, 224), False, 4.49),
    "resnext50_32x4d": (lambda: M.resnext50_32x4d(), (1, 3, 224, 224), True, 4.23),
    "mobilenet_v2": (lambda: M.mobilenet_v2(), (1, 3, 224, 224), True, 0.30),
    "vgg16_bn": (lambda: M.vgg16_bn(), (1, 3, 224, 224), True, 15.47),
    "alexnet": (lambda: M.alexnet(), (1, 3, 224, 224), True, 0.71),
    "mvit_v1_b": (lambda: M.video.mvit_v1_b(), (1, 3, 16, 224, 224), False, 70.60),
    "s3d": (lambda: M.video.s3d(), (1, 3, 16, 224, 224), True, 17.98),
}


def check(cli, name, directory):
    make, shape, training, gflops = MODELS[name]
    torch.manual_seed(0)
    model = make()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.01)
    if not training:
        model.eval()
    path = os.path.join(directory, name + ".onnx")
    mode = torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, torch.randn(*shape), path, opset_version=13, training=mode,
                      do_constant_folding=not training)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    run = subprocess.run([cli, "report", path, "--format", "json"], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"{name:20} envelope-cli failed: {run.stderr.strip()[:200]}")
        return False
    totals = json.loads(run.stdout)["totals"]
    unknown = totals.get("unknown_cost_layers", 0)
    same = totals["trainable_params"] == trainable and unknown == 0
    print(f"{name:20} {'eval' if not training else 'training':8} params {totals['trainable_params']:>12,} "
          f"(PyTorch {trainable:>12,}) MACs {totals['macs'] / 1e9:7.2f} G (torchvision {gflops:6.2f})"
          f"{'' if unknown == 0 else f'  {unknown} layers of unknown cost'}  {'same' if same else 'DIFFERENT'}")
    return same


def main():
    if len(sys.argv) < 2:
        print(__doc__ or "usage: check-onnx-torchvision.py ENVELOPE-CLI [MODEL…]", file=sys.stderr)
        return 2
    names = sys.argv[2:] or list(MODELS)
    with tempfile.TemporaryDirectory() as directory:
        results = [check(sys.argv[1], name, directory) for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
