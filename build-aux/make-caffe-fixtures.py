#!/usr/bin/env python3
# make-caffe-fixtures.py: writes the two full Caffe networks of
# tests/data/import/caffe/ (development only; the files are committed).
#
# BVLC AlexNet and BVLC GoogLeNet as their deploy.prototxt files define
# them (Input layers of 10×3×227×227 and 10×3×224×224, lr_mult blocks and
# fillers included, as the published files have them), and Kaiming He's
# ResNet-50 (input_dim lines, BatchNorm and Scale after each convolution),
# written out here rather than downloaded.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data", "import", "caffe")

PARAMS = """  param {
    lr_mult: 1
    decay_mult: 1
  }
  param {
    lr_mult: 2
    decay_mult: 0
  }
"""


def conv(name, bottom, top, n, k, stride=1, pad=0, group=1, filler=""):
    s = f'layer {{\n  name: "{name}"\n  type: "Convolution"\n  bottom: "{bottom}"\n  top: "{top}"\n' + PARAMS
    s += f"  convolution_param {{\n    num_output: {n}\n"
    if pad:
        s += f"    pad: {pad}\n"
    s += f"    kernel_size: {k}\n"
    if stride != 1:
        s += f"    stride: {stride}\n"
    if group != 1:
        s += f"    group: {group}\n"
    s += filler
    s += "  }\n}\n"
    return s


def relu(name, blob):
    return f'layer {{\n  name: "{name}"\n  type: "ReLU"\n  bottom: "{blob}"\n  top: "{blob}"\n}}\n'


def pool(name, bottom, top, kind, k, stride, pad=0):
    s = f'layer {{\n  name: "{name}"\n  type: "Pooling"\n  bottom: "{bottom}"\n  top: "{top}"\n  pooling_param {{\n    pool: {kind}\n    kernel_size: {k}\n    stride: {stride}\n'
    if pad:
        s += f"    pad: {pad}\n"
    return s + "  }\n}\n"


def lrn(name, bottom, top):
    return (f'layer {{\n  name: "{name}"\n  type: "LRN"\n  bottom: "{bottom}"\n  top: "{top}"\n'
            "  lrn_param {\n    local_size: 5\n    alpha: 0.0001\n    beta: 0.75\n  }\n}\n")


def fc(name, bottom, top, n):
    return (f'layer {{\n  name: "{name}"\n  type: "InnerProduct"\n  bottom: "{bottom}"\n  top: "{top}"\n' + PARAMS +
            f"  inner_product_param {{\n    num_output: {n}\n  }}\n}}\n")


def dropout(name, blob, ratio):
    return (f'layer {{\n  name: "{name}"\n  type: "Dropout"\n  bottom: "{blob}"\n  top: "{blob}"\n'
            f"  dropout_param {{\n    dropout_ratio: {ratio}\n  }}\n}}\n")


def alexnet():
    s = 'name: "AlexNet"\nlayer {\n  name: "data"\n  type: "Input"\n  top: "data"\n  input_param { shape: { dim: 10 dim: 3 dim: 227 dim: 227 } }\n}\n'
    s += conv("conv1", "data", "conv1", 96, 11, stride=4)
    s += relu("relu1", "conv1")
    s += lrn("norm1", "conv1", "norm1")
    s += pool("pool1", "norm1", "pool1", "MAX", 3, 2)
    s += conv("conv2", "pool1", "conv2", 256, 5, pad=2, group=2)
    s += relu("relu2", "conv2")
    s += lrn("norm2", "conv2", "norm2")
    s += pool("pool2", "norm2", "pool2", "MAX", 3, 2)
    s += conv("conv3", "pool2", "conv3", 384, 3, pad=1)
    s += relu("relu3", "conv3")
    s += conv("conv4", "conv3", "conv4", 384, 3, pad=1, group=2)
    s += relu("relu4", "conv4")
    s += conv("conv5", "conv4", "conv5", 256, 3, pad=1, group=2)
    s += relu("relu5", "conv5")
    s += pool("pool5", "conv5", "pool5", "MAX", 3, 2)
    s += fc("fc6", "pool5", "fc6", 4096)
    s += relu("relu6", "fc6")
    s += dropout("drop6", "fc6", 0.5)
    s += fc("fc7", "fc6", "fc7", 4096)
    s += relu("relu7", "fc7")
    s += dropout("drop7", "fc7", 0.5)
    s += fc("fc8", "fc7", "fc8", 1000)
    s += 'layer {\n  name: "prob"\n  type: "Softmax"\n  bottom: "fc8"\n  top: "prob"\n}\n'
    return s


XAVIER = """    weight_filler {
      type: "xavier"
      std: 0.03
    }
    bias_filler {
      type: "constant"
      value: 0.2
    }
"""


def inception(name, bottom, a, b_r, b, c_r, c, d):
    p = f"inception_{name}"
    s = conv(f"{p}/1x1", bottom, f"{p}/1x1", a, 1, filler=XAVIER) + relu(f"{p}/relu_1x1", f"{p}/1x1")
    s += conv(f"{p}/3x3_reduce", bottom, f"{p}/3x3_reduce", b_r, 1, filler=XAVIER)
    s += relu(f"{p}/relu_3x3_reduce", f"{p}/3x3_reduce")
    s += conv(f"{p}/3x3", f"{p}/3x3_reduce", f"{p}/3x3", b, 3, pad=1, filler=XAVIER) + relu(f"{p}/relu_3x3", f"{p}/3x3")
    s += conv(f"{p}/5x5_reduce", bottom, f"{p}/5x5_reduce", c_r, 1, filler=XAVIER)
    s += relu(f"{p}/relu_5x5_reduce", f"{p}/5x5_reduce")
    s += conv(f"{p}/5x5", f"{p}/5x5_reduce", f"{p}/5x5", c, 5, pad=2, filler=XAVIER) + relu(f"{p}/relu_5x5", f"{p}/5x5")
    s += pool(f"{p}/pool", bottom, f"{p}/pool", "MAX", 3, 1, pad=1)
    s += conv(f"{p}/pool_proj", f"{p}/pool", f"{p}/pool_proj", d, 1, filler=XAVIER)
    s += relu(f"{p}/relu_pool_proj", f"{p}/pool_proj")
    s += (f'layer {{\n  name: "{p}/output"\n  type: "Concat"\n  bottom: "{p}/1x1"\n  bottom: "{p}/3x3"\n'
          f'  bottom: "{p}/5x5"\n  bottom: "{p}/pool_proj"\n  top: "{p}/output"\n}}\n')
    return s, f"{p}/output"


def googlenet():
    s = 'name: "GoogleNet"\nlayer {\n  name: "data"\n  type: "Input"\n  top: "data"\n  input_param { shape: { dim: 10 dim: 3 dim: 224 dim: 224 } }\n}\n'
    s += conv("conv1/7x7_s2", "data", "conv1/7x7_s2", 64, 7, stride=2, pad=3, filler=XAVIER)
    s += relu("conv1/relu_7x7", "conv1/7x7_s2")
    s += pool("pool1/3x3_s2", "conv1/7x7_s2", "pool1/3x3_s2", "MAX", 3, 2)
    s += lrn("pool1/norm1", "pool1/3x3_s2", "pool1/norm1")
    s += conv("conv2/3x3_reduce", "pool1/norm1", "conv2/3x3_reduce", 64, 1, filler=XAVIER)
    s += relu("conv2/relu_3x3_reduce", "conv2/3x3_reduce")
    s += conv("conv2/3x3", "conv2/3x3_reduce", "conv2/3x3", 192, 3, pad=1, filler=XAVIER)
    s += relu("conv2/relu_3x3", "conv2/3x3")
    s += lrn("conv2/norm2", "conv2/3x3", "conv2/norm2")
    s += pool("pool2/3x3_s2", "conv2/norm2", "pool2/3x3_s2", "MAX", 3, 2)
    blob = "pool2/3x3_s2"
    for name, cfg in (("3a", (64, 96, 128, 16, 32, 32)), ("3b", (128, 128, 192, 32, 96, 64))):
        t, blob = inception(name, blob, *cfg)
        s += t
    s += pool("pool3/3x3_s2", blob, "pool3/3x3_s2", "MAX", 3, 2)
    blob = "pool3/3x3_s2"
    for name, cfg in (("4a", (192, 96, 208, 16, 48, 64)), ("4b", (160, 112, 224, 24, 64, 64)),
                      ("4c", (128, 128, 256, 24, 64, 64)), ("4d", (112, 144, 288, 32, 64, 64)),
                      ("4e", (256, 160, 320, 32, 128, 128))):
        t, blob = inception(name, blob, *cfg)
        s += t
    s += pool("pool4/3x3_s2", blob, "pool4/3x3_s2", "MAX", 3, 2)
    blob = "pool4/3x3_s2"
    for name, cfg in (("5a", (256, 160, 320, 32, 128, 128)), ("5b", (384, 192, 384, 48, 128, 128))):
        t, blob = inception(name, blob, *cfg)
        s += t
    s += pool("pool5/7x7_s1", blob, "pool5/7x7_s1", "AVE", 7, 1)
    s += dropout("pool5/drop_7x7_s1", "pool5/7x7_s1", 0.4)
    s += fc("loss3/classifier", "pool5/7x7_s1", "loss3/classifier", 1000)
    s += 'layer {\n  name: "prob"\n  type: "Softmax"\n  bottom: "loss3/classifier"\n  top: "prob"\n}\n'
    return s


def bn_scale(suffix, blob):
    return (f'layer {{\n  bottom: "{blob}"\n  top: "{blob}"\n  name: "bn{suffix}"\n  type: "BatchNorm"\n'
            "  batch_norm_param {\n    use_global_stats: true\n  }\n}\n"
            f'layer {{\n  bottom: "{blob}"\n  top: "{blob}"\n  name: "scale{suffix}"\n  type: "Scale"\n'
            "  scale_param {\n    bias_term: true\n  }\n}\n")


def res_conv(name, bottom, n, k, stride=1, pad=0):
    s = (f'layer {{\n  bottom: "{bottom}"\n  top: "{name}"\n  name: "{name}"\n  type: "Convolution"\n'
         f"  convolution_param {{\n    num_output: {n}\n    kernel_size: {k}\n    pad: {pad}\n    stride: {stride}\n"
         "    bias_term: false\n  }\n}\n")
    return s


def resnet50():
    """Kaiming He's ResNet-50 deploy.prototxt: BatchNorm and Scale after
    every convolution, the stride on the first 1×1 of a stage."""
    s = 'name: "ResNet-50"\ninput: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 224\ninput_dim: 224\n'
    s += (res_conv("conv1", "data", 64, 7, stride=2, pad=3).replace("bias_term: false", "bias_term: true")
          + bn_scale("_conv1", "conv1") + relu("conv1_relu", "conv1"))
    s += pool("pool1", "conv1", "pool1", "MAX", 3, 2)
    blob = "pool1"
    for stage, (blocks, width) in zip((2, 3, 4, 5), ((3, 64), (4, 128), (6, 256), (3, 512))):
        for b in range(blocks):
            tag = f"{stage}{chr(ord('a') + b)}"
            stride = 2 if b == 0 and stage > 2 else 1
            if b == 0:
                s += res_conv(f"res{tag}_branch1", blob, width * 4, 1, stride=stride) + bn_scale(f"{tag}_branch1", f"res{tag}_branch1")
                shortcut = f"res{tag}_branch1"
            else:
                shortcut = blob
            s += res_conv(f"res{tag}_branch2a", blob, width, 1, stride=stride) + bn_scale(f"{tag}_branch2a", f"res{tag}_branch2a")
            s += relu(f"res{tag}_branch2a_relu", f"res{tag}_branch2a")
            s += res_conv(f"res{tag}_branch2b", f"res{tag}_branch2a", width, 3, pad=1) + bn_scale(f"{tag}_branch2b", f"res{tag}_branch2b")
            s += relu(f"res{tag}_branch2b_relu", f"res{tag}_branch2b")
            s += res_conv(f"res{tag}_branch2c", f"res{tag}_branch2b", width * 4, 1) + bn_scale(f"{tag}_branch2c", f"res{tag}_branch2c")
            s += (f'layer {{\n  bottom: "{shortcut}"\n  bottom: "res{tag}_branch2c"\n  top: "res{tag}"\n'
                  f'  name: "res{tag}"\n  type: "Eltwise"\n}}\n')
            s += relu(f"res{tag}_relu", f"res{tag}")
            blob = f"res{tag}"
    s += pool("pool5", blob, "pool5", "AVE", 7, 1)
    s += ('layer {\n  bottom: "pool5"\n  top: "fc1000"\n  name: "fc1000"\n  type: "InnerProduct"\n'
          "  inner_product_param {\n    num_output: 1000\n  }\n}\n")
    s += 'layer {\n  bottom: "fc1000"\n  top: "prob"\n  name: "prob"\n  type: "Softmax"\n}\n'
    return s


for name, text in (("bvlc_alexnet.prototxt", alexnet()), ("bvlc_googlenet.prototxt", googlenet()),
                   ("resnet50.prototxt", resnet50())):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)
