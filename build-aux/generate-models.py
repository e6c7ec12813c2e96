#!/usr/bin/env python3
# Writes the example networks in data/models/.
#
# The big networks (ResNets, GoogLeNet, the MobileNets, EfficientNet,
# ConvNeXt, the transformers, U-Net) are far too long to keep correct by hand,
# so they are built here from the same block definitions the reference
# implementations use, and written one layer per line so that the files stay
# readable and diff well.  build-aux/torch-reference.py (a development tool
# that needs PyTorch) checks their figures against PyTorch's.
#
# Usage: build-aux/generate-models.py [OUTPUT_DIR]
# (default: data/models/ next to this script's parent directory)

import json
import os
import sys

FORMAT = "envelope-network"
VERSION = 1

# Key order used when writing a layer; anything else follows in insertion order.
LAYER_KEY_ORDER = [
    "name", "type", "group", "inputs", "shape", "layout", "filters", "units",
    "vocabulary", "dimension", "encoding", "mode", "positions", "tokens", "heads",
    "kv_heads", "head_dim", "window", "shift", "causal", "kernel", "stride",
    "padding", "dilation", "groups", "output_padding", "rounding", "axis",
    "start", "end", "step", "order", "block", "output_size", "factor",
    "learned", "bias", "size", "rate", "shares",
]


class Network:
    """Collects layers; `add` returns the layer name so branches can refer to it."""

    def __init__(self, name, description, training):
        self.name = name
        self.description = description
        self.training = training
        self.layers = []
        self.names = set()
        self.group = None

    def add(self, name, type_, inputs=None, **fields):
        if name in self.names:
            raise ValueError("duplicate layer name %r in %s" % (name, self.name))
        layer = {"name": name, "type": type_}
        if self.group is not None:
            layer["group"] = self.group
        # "inputs" is written only where it is needed: merges, and layers that do
        # not read the layer written just before them.
        if inputs is not None:
            if isinstance(inputs, str):
                inputs = [inputs]
            previous = self.layers[-1]["name"] if self.layers else None
            if len(inputs) != 1 or inputs[0] != previous:
                layer["inputs"] = list(inputs)
        layer.update(fields)
        self.layers.append(layer)
        self.names.add(name)
        return name

    @property
    def last(self):
        return self.layers[-1]["name"]

    def to_json(self):
        def dump(value):
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

        def ordered(layer):
            keys = [k for k in LAYER_KEY_ORDER if k in layer]
            keys += [k for k in layer if k not in keys]
            return keys

        # Pad after the name so the "type" column lines up; cap the padding so a
        # few long names do not push every line far to the right.
        width = min(max(len(dump(l["name"])) for l in self.layers), 28)
        lines = []
        for layer in self.layers:
            parts = ["%s: %s" % (dump(key), dump(layer[key])) for key in ordered(layer)]
            # parts[0] is the name: pad it so that the next field starts in one column
            parts[0] += "," + " " * max(width - len(dump(layer["name"])) + 1, 1)
            lines.append("    {" + parts[0] + ", ".join(parts[1:]) + "}")

        out = ["{"]
        out.append('  "format": %s,' % dump(FORMAT))
        out.append('  "version": %d,' % VERSION)
        out.append('  "name": %s,' % dump(self.name))
        out.append('  "description": %s,' % dump(self.description))
        out.append('  "layers": [')
        out.append(",\n".join(lines))
        out.append("  ],")
        out.append('  "training": %s' % dump(self.training))
        out.append("}")
        return "\n".join(out) + "\n"


def training(batch, device, dtype="fp32", optimizer="sgd_momentum",
             mixed_precision=False):
    settings = {"batch": batch, "dtype": dtype}
    if mixed_precision:
        settings["mixed_precision"] = True
    settings["optimizer"] = optimizer
    settings["device"] = device
    return settings


# --- The lecture's networks -------------------------------------------------

def mnist():
    n = Network(
        "MNIST convnet",
        "The lecture's MNIST network: two 3×3 convolutions with 32 filters and "
        "padding 1, one 2×2 max pool, a 128-unit hidden layer and 10 outputs. "
        "The lecture's figures: weights 288, 9,216, 802,816 and 1,280; biases "
        "32, 32, 128 and 10; 813,802 parameters in total (3.1 MiB in fp32); "
        "blobs of 25,088 (32×28×28) and 6,272 (32×14×14) values.",
        training(64, "GTX Titan X"))
    n.add("data", "input", shape=[1, 28, 28])
    n.add("conv1", "conv", filters=32, kernel=3, padding=1)
    n.add("relu1", "relu")
    n.add("conv2", "conv", filters=32, kernel=3, padding=1)
    n.add("relu2", "relu")
    n.add("pool1", "max_pool", kernel=2)
    n.add("fc1", "dense", units=128)
    n.add("relu3", "relu")
    n.add("fc2", "dense", units=10)
    n.add("prob", "softmax")
    return n


VGG16_STAGES = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]


def vgg16_lecture():
    n = Network(
        "VGG-16 (lecture table)",
        "VGG-16 configuration D (Simonyan & Zisserman 2014) as in the lecture's "
        "cost table: thirteen 3×3 convolutions with padding 1, max pools after "
        "stages 1 to 4 but no pool5, so conv5_3's 512×14×14 output is flattened "
        "straight into fc6 (4096), fc7 (4096) and fc8 (100 classes). The "
        "lecture's multiply-adds per stage: conv1 1.94E+09, conv2 2.77E+09, "
        "conv3 4.62E+09, conv4 4.62E+09, conv5 1.39E+09, fc6 4.11E+08, fc7 "
        "1.68E+07, fc8 4.10E+05; 1.58E+10 in total. The missing pool5 makes fc6 "
        "four times larger than in the published VGG-16 (see vgg16.json).",
        training(64, "GTX Titan X"))
    n.add("data", "input", shape=[3, 224, 224])
    for stage, (filters, convs) in enumerate(VGG16_STAGES, start=1):
        n.group = "conv%d" % stage
        for i in range(1, convs + 1):
            n.add("conv%d_%d" % (stage, i), "conv", filters=filters, kernel=3, padding=1)
            n.add("relu%d_%d" % (stage, i), "relu")
        if stage < 5:
            n.add("pool%d" % stage, "max_pool", kernel=2)
    for fc, units in (("fc6", 4096), ("fc7", 4096), ("fc8", 100)):
        n.group = fc
        n.add(fc, "dense", units=units)
        if fc != "fc8":
            n.add("relu" + fc[2:], "relu")
            n.add("drop" + fc[2:], "dropout")
    n.group = None
    return n


def lenet5():
    n = Network(
        "LeNet-5",
        "LeNet-5 in the layout of LeCun, Bottou, Bengio & Haffner, \"Gradient-"
        "based learning applied to document recognition\" (1998): 32×32 input, "
        "C1 6 5×5 convolutions, S2 2×2 average pooling, C3 16 5×5 convolutions, "
        "S4 2×2 average pooling, C5 120 5×5 convolutions, F6 84 units and 10 "
        "outputs, with tanh activations. 61,706 parameters, the figure usually "
        "quoted for this layout. Simplified as in most reimplementations: C3 is "
        "fully connected to S2 (the paper's sparse connection table gives C3 "
        "1,516 parameters instead of 2,416), S2 and S4 are plain averages "
        "without the paper's trainable coefficient and bias, and the output "
        "is a dense layer instead of the paper's Euclidean RBF units.",
        training(64, "GTX 980"))
    n.add("data", "input", shape=[1, 32, 32])
    n.add("c1", "conv", filters=6, kernel=5)
    n.add("tanh1", "tanh")
    n.add("s2", "avg_pool", kernel=2)
    n.add("c3", "conv", filters=16, kernel=5)
    n.add("tanh3", "tanh")
    n.add("s4", "avg_pool", kernel=2)
    n.add("c5", "conv", filters=120, kernel=5)
    n.add("tanh5", "tanh")
    n.add("f6", "dense", units=84)
    n.add("tanh6", "tanh")
    n.add("output", "dense", units=10)
    return n


# --- torchvision's networks -------------------------------------------------

def alexnet():
    n = Network(
        "AlexNet (torchvision)",
        "torchvision.models.alexnet, the single-tower variant of \"One weird "
        "trick for parallelizing convolutional neural networks\" (Krizhevsky "
        "2014) with 64, 192, 384, 256 and 256 filters, at 224×224 with 1000 "
        "classes. torchvision's figures: 61,100,840 parameters, 0.71 GMACs "
        "(714,188,480 multiply-adds; torchvision's table calls them GFLOPS). "
        "Receptive field at pool5 (TF-Slim's table): 195 pixels. "
        "torchvision's AdaptiveAvgPool2d((6, 6)) is left out: at 224×224 pool5 "
        "is already 6×6 and the pool is the identity. The original AlexNet "
        "(two towers, 96 filters in conv1, LRN) differs.",
        training(64, "Tesla K40"))
    n.add("data", "input", shape=[3, 224, 224])
    n.add("features/conv1", "conv", filters=64, kernel=11, stride=4, padding=2)
    n.add("features/relu1", "relu")
    n.add("features/pool1", "max_pool", kernel=3, stride=2)
    n.add("features/conv2", "conv", filters=192, kernel=5, padding=2)
    n.add("features/relu2", "relu")
    n.add("features/pool2", "max_pool", kernel=3, stride=2)
    n.add("features/conv3", "conv", filters=384, kernel=3, padding=1)
    n.add("features/relu3", "relu")
    n.add("features/conv4", "conv", filters=256, kernel=3, padding=1)
    n.add("features/relu4", "relu")
    n.add("features/conv5", "conv", filters=256, kernel=3, padding=1)
    n.add("features/relu5", "relu")
    n.add("features/pool5", "max_pool", kernel=3, stride=2)
    n.add("classifier/drop6", "dropout")
    n.add("classifier/fc6", "dense", units=4096)
    n.add("classifier/relu6", "relu")
    n.add("classifier/drop7", "dropout")
    n.add("classifier/fc7", "dense", units=4096)
    n.add("classifier/relu7", "relu")
    n.add("classifier/fc8", "dense", units=1000)
    return n


def vgg16():
    n = Network(
        "VGG-16 (torchvision)",
        "torchvision.models.vgg16 (configuration D of Simonyan & Zisserman "
        "2014, without batch normalization) at 224×224 with 1000 classes. "
        "torchvision's figures: 138,357,544 parameters, 15.47 GMACs "
        "(15,470,264,320 multiply-adds; torchvision's table calls them "
        "GFLOPS). Receptive field at pool5 (TF-Slim's "
        "table): 212 pixels with a jump of 32. torchvision's "
        "AdaptiveAvgPool2d((7, 7)) is left out: at 224×224 pool5 is already "
        "7×7 and the pool is the identity.",
        training(32, "Tesla V100 16GB"))
    n.add("data", "input", shape=[3, 224, 224])
    for stage, (filters, convs) in enumerate(VGG16_STAGES, start=1):
        for i in range(1, convs + 1):
            n.add("conv%d_%d" % (stage, i), "conv", filters=filters, kernel=3, padding=1)
            n.add("relu%d_%d" % (stage, i), "relu")
        n.add("pool%d" % stage, "max_pool", kernel=2)
    n.add("fc6", "dense", units=4096)
    n.add("relu6", "relu")
    n.add("drop6", "dropout")
    n.add("fc7", "dense", units=4096)
    n.add("relu7", "relu")
    n.add("drop7", "dropout")
    n.add("fc8", "dense", units=1000)
    return n


def resnet_stem(n):
    n.add("data", "input", shape=[3, 224, 224])
    n.add("conv1", "conv", filters=64, kernel=7, stride=2, padding=3, bias=False)
    n.add("bn1", "batch_norm")
    n.add("relu", "relu")
    return n.add("maxpool", "max_pool", kernel=3, stride=2, padding=1)


def resnet_head(n, x):
    n.add("avgpool", "global_avg_pool", inputs=x)
    n.add("fc", "dense", units=1000)


def basic_block(n, prefix, x, planes, stride, downsample):
    n.add(prefix + "conv1", "conv", inputs=x, filters=planes, kernel=3,
          **({"stride": stride} if stride != 1 else {}), padding=1, bias=False)
    n.add(prefix + "bn1", "batch_norm")
    n.add(prefix + "relu1", "relu")
    n.add(prefix + "conv2", "conv", filters=planes, kernel=3, padding=1, bias=False)
    main = n.add(prefix + "bn2", "batch_norm")
    shortcut = x
    if downsample:
        n.add(prefix + "downsample/conv", "conv", inputs=x, filters=planes, kernel=1,
              **({"stride": stride} if stride != 1 else {}), bias=False)
        shortcut = n.add(prefix + "downsample/bn", "batch_norm")
    n.add(prefix + "add", "add", inputs=[main, shortcut])
    return n.add(prefix + "relu2", "relu")


def bottleneck(n, prefix, x, planes, stride, downsample):
    width = planes
    out = planes * 4
    n.add(prefix + "conv1", "conv", inputs=x, filters=width, kernel=1, bias=False)
    n.add(prefix + "bn1", "batch_norm")
    n.add(prefix + "relu1", "relu")
    # v1.5: the stride sits on the 3×3 convolution, not on the first 1×1.
    n.add(prefix + "conv2", "conv", filters=width, kernel=3,
          **({"stride": stride} if stride != 1 else {}), padding=1, bias=False)
    n.add(prefix + "bn2", "batch_norm")
    n.add(prefix + "relu2", "relu")
    n.add(prefix + "conv3", "conv", filters=out, kernel=1, bias=False)
    main = n.add(prefix + "bn3", "batch_norm")
    shortcut = x
    if downsample:
        n.add(prefix + "downsample/conv", "conv", inputs=x, filters=out, kernel=1,
              **({"stride": stride} if stride != 1 else {}), bias=False)
        shortcut = n.add(prefix + "downsample/bn", "batch_norm")
    n.add(prefix + "add", "add", inputs=[main, shortcut])
    return n.add(prefix + "relu3", "relu")


def resnet(n, block, expansion, blocks):
    x = resnet_stem(n)
    channels = 64
    for stage, (planes, count) in enumerate(zip((64, 128, 256, 512), blocks), start=1):
        stride = 1 if stage == 1 else 2
        for i in range(count):
            s = stride if i == 0 else 1
            downsample = i == 0 and (s != 1 or channels != planes * expansion)
            x = block(n, "layer%d/%d/" % (stage, i), x, planes, s, downsample)
            channels = planes * expansion
    resnet_head(n, x)
    return n


def resnet18():
    n = Network(
        "ResNet-18 (torchvision)",
        "torchvision.models.resnet18 (He et al. 2015, basic blocks [2, 2, 2, 2], "
        "1×1 convolution with stride plus batch normalization on the shortcut "
        "where the shape changes) at 224×224 with 1000 classes. torchvision's "
        "figures: 11,689,512 trainable parameters, 1.81 GMACs (torchvision's "
        "table calls them GFLOPS): 1,814,073,344 multiply-adds in convolutions "
        "and the classifier. The figure 1,814,073,856 also quoted for this "
        "network adds one operation for each of the global average pool's 512 "
        "outputs; pooling is not a multiply-add here. Convolutions have no "
        "bias; the batch normalization running mean and variance (9,600 "
        "values) are counted on top as non-trainable parameters.",
        training(64, "Tesla T4"))
    return resnet(n, basic_block, 1, (2, 2, 2, 2))


def resnet50():
    n = Network(
        "ResNet-50 v1.5 (torchvision)",
        "torchvision.models.resnet50, ResNet-50 v1.5 (He et al. 2015, bottleneck "
        "blocks [3, 4, 6, 3] with the stride on the 3×3 convolution; shortcut "
        "1×1 convolution with stride plus batch normalization) at 224×224 with "
        "1000 classes. torchvision's figures: 25,557,032 trainable parameters "
        "(its parameters() count), 4.09 GMACs at 224×224 (4,089,184,256 "
        "multiply-adds; torchvision's table calls them GFLOPS). "
        "Convolutions have no bias; the batch normalization running mean and "
        "variance (53,120 values) are counted on top as non-trainable "
        "parameters. The original v1 puts the stride on the first 1×1 "
        "convolution and costs fewer multiply-adds.",
        training(32, "Tesla V100 16GB"))
    return resnet(n, bottleneck, 4, (3, 4, 6, 3))


GOOGLENET_INCEPTIONS = [
    # name, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj
    ("inception3a", 64, 96, 128, 16, 32, 32),
    ("inception3b", 128, 128, 192, 32, 96, 64),
    "maxpool3",
    ("inception4a", 192, 96, 208, 16, 48, 64),
    ("inception4b", 160, 112, 224, 24, 64, 64),
    ("inception4c", 128, 128, 256, 24, 64, 64),
    ("inception4d", 112, 144, 288, 32, 64, 64),
    ("inception4e", 256, 160, 320, 32, 128, 128),
    "maxpool4",
    ("inception5a", 256, 160, 320, 32, 128, 128),
    ("inception5b", 384, 192, 384, 48, 128, 128),
]


def basic_conv(n, prefix, x, filters, kernel, suffix="", **fields):
    """torchvision's BasicConv2d: convolution without bias, batch norm, ReLU."""
    n.add(prefix + "conv" + suffix, "conv", inputs=x, filters=filters, kernel=kernel,
          **fields, bias=False)
    n.add(prefix + "bn" + suffix, "batch_norm")
    return n.add(prefix + "relu" + suffix, "relu")


def googlenet():
    n = Network(
        "GoogLeNet (torchvision)",
        "torchvision.models.googlenet (Inception v1, Szegedy et al. 2014, in "
        "torchvision's form) at 224×224 with 1000 classes: every convolution "
        "is torchvision's BasicConv2d (no bias, batch normalization with eps "
        "0.001, ReLU); the \"5×5\" branch is a 3×3 convolution as in "
        "torchvision; max pools use ceil_mode=True; auxiliary classifiers are "
        "left out, as in inference; dropout 0.2 before the 1024→1000 "
        "classifier. torchvision's figures: 6,624,904 trainable parameters, "
        "1.498 GMACs (torchvision's table calls them GFLOPS); counted here: "
        "1,498,376,192 multiply-adds. The batch normalization running mean and "
        "variance (14,560 values) are counted on top as non-trainable "
        "parameters; the input transform of "
        "torchvision's ImageNet weights is not modelled. The original paper's "
        "network (5×5 branch, LRN, no batch normalization) differs.",
        training(32, "RTX 2080 Ti"))
    n.add("data", "input", shape=[3, 224, 224])
    x = basic_conv(n, "conv1/", "data", 64, 7, stride=2, padding=3)
    x = n.add("maxpool1", "max_pool", kernel=3, stride=2, rounding="ceil")
    x = basic_conv(n, "conv2/", x, 64, 1)
    x = basic_conv(n, "conv3/", x, 192, 3, padding=1)
    x = n.add("maxpool2", "max_pool", kernel=3, stride=2, rounding="ceil")
    for item in GOOGLENET_INCEPTIONS:
        if item == "maxpool3":
            x = n.add("maxpool3", "max_pool", kernel=3, stride=2, rounding="ceil")
            continue
        if item == "maxpool4":
            x = n.add("maxpool4", "max_pool", kernel=2, rounding="ceil")
            continue
        name, c1, c3r, c3, c5r, c5, pp = item
        p = name + "/"
        b1 = basic_conv(n, p + "branch1/", x, c1, 1)
        basic_conv(n, p + "branch2/", x, c3r, 1, suffix="1")
        b2 = basic_conv(n, p + "branch2/", n.last, c3, 3, suffix="2", padding=1)
        basic_conv(n, p + "branch3/", x, c5r, 1, suffix="1")
        b3 = basic_conv(n, p + "branch3/", n.last, c5, 3, suffix="2", padding=1)
        n.add(p + "branch4/pool", "max_pool", inputs=x, kernel=3, stride=1, padding=1,
              rounding="ceil")
        b4 = basic_conv(n, p + "branch4/", n.last, pp, 1)
        x = n.add(p + "concat", "concat", inputs=[b1, b2, b3, b4])
    n.add("avgpool", "global_avg_pool", inputs=x)
    n.add("dropout", "dropout", rate=0.2)
    n.add("fc", "dense", units=1000)
    return n


MOBILENETV2_SETTINGS = [
    # expansion t, channels c, repeats n, first stride s
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


def conv_bn_relu6(n, prefix, x, filters, kernel, **fields):
    """torchvision's Conv2dNormActivation with ReLU6."""
    n.add(prefix + "conv", "conv", inputs=x, filters=filters, kernel=kernel, **fields,
          bias=False)
    n.add(prefix + "bn", "batch_norm")
    return n.add(prefix + "relu", "relu6")


def mobilenetv2():
    n = Network(
        "MobileNetV2 (torchvision)",
        "torchvision.models.mobilenet_v2 (Sandler et al. 2018, width multiplier "
        "1.0) at 224×224 with 1000 classes: a 3×3 stride-2 stem with 32 "
        "filters, seventeen inverted residual blocks (1×1 expansion, 3×3 "
        "depthwise convolution, linear 1×1 projection; a residual add where the "
        "stride is 1 and the channels match), a 1×1 convolution to 1280 "
        "channels, global average pooling, dropout 0.2 and a 1280→1000 "
        "classifier. Every convolution is followed by batch normalization and "
        "has no bias; activations are ReLU6. Stages stage1…stage7 are the rows "
        "of the paper's table 2. torchvision's figures: 3,504,872 trainable "
        "parameters, 0.30 GMACs (300,774,272 multiply-adds; torchvision's "
        "table calls them GFLOPS). The batch normalization running mean and "
        "variance (34,112 values) are counted on top as non-trainable "
        "parameters.",
        training(64, "A100 40GB"))
    n.add("data", "input", shape=[3, 224, 224])
    x = conv_bn_relu6(n, "stem/", "data", 32, 3, stride=2, padding=1)
    channels = 32
    for stage, (t, c, count, s) in enumerate(MOBILENETV2_SETTINGS, start=1):
        for i in range(count):
            stride = s if i == 0 else 1
            p = "stage%d/%d/" % (stage, i)
            hidden = channels * t
            y = x
            if t != 1:
                y = conv_bn_relu6(n, p + "expand/", y, hidden, 1)
            y = conv_bn_relu6(n, p + "dw/", y, hidden, 3,
                              **({"stride": stride} if stride != 1 else {}),
                              padding=1, groups=hidden)
            n.add(p + "project/conv", "conv", inputs=y, filters=c, kernel=1, bias=False)
            y = n.add(p + "project/bn", "batch_norm")
            if stride == 1 and channels == c:
                y = n.add(p + "add", "add", inputs=[x, y])
            x = y
            channels = c
    conv_bn_relu6(n, "head/", x, 1280, 1)
    n.add("avgpool", "global_avg_pool")
    n.add("dropout", "dropout", rate=0.2)
    n.add("fc", "dense", units=1000)
    return n


# --- Networks built from the newer layer kinds --------------------------------
# (kinds-spec: mul, hardsigmoid, scale, layer_norm, rms_norm, stochastic_depth,
# embedding, position_embedding, class_token, to_tokens, attention,
# window_attention, slice, reshape, permute, crop, space_to_depth, 1-D and 3-D
# maps, tied weights)


def stride_field(stride):
    """The stride, written only where it is not 1 (as in the blocks above)."""
    return {"stride": stride} if stride != 1 else {}


def conv_bn_act(n, prefix, x, filters, kernel, activation, **fields):
    """torchvision's Conv2dNormActivation: convolution without bias, batch
    norm, then `activation` (a layer type, or None for a linear block)."""
    n.add(prefix + "conv", "conv", inputs=x, filters=filters, kernel=kernel, **fields,
          bias=False)
    y = n.add(prefix + "bn", "batch_norm")
    if activation is not None:
        y = n.add(prefix + activation, activation)
    return y


def squeeze_excitation(n, prefix, x, channels, squeeze, activation, gate):
    """torchvision.ops.SqueezeExcitation: global average pool, 1×1 convolution
    to `squeeze` channels (with bias), `activation`, 1×1 convolution back to
    `channels`, `gate`, and the map scaled channel by channel (a [C, 1, 1]
    scale broadcast over the [C, H, W] map)."""
    n.add(prefix + "pool", "global_avg_pool", inputs=x)
    n.add(prefix + "fc1", "conv", filters=squeeze, kernel=1)
    n.add(prefix + activation, activation)
    n.add(prefix + "fc2", "conv", filters=channels, kernel=1)
    scale = n.add(prefix + gate, gate)
    return n.add(prefix + "scale", "mul", inputs=[x, scale])


def make_divisible(value, divisor=8):
    """torchvision's _make_divisible (channel counts rounded to multiples of 8)."""
    new_value = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return new_value


def drop_rate(rate):
    """Stochastic depth rates, written to four decimals."""
    return round(rate, 4)


EFFICIENTNET_B0_SETTINGS = [
    # expansion, kernel, first stride, input channels, output channels, repeats
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
]


def efficientnet_b0():
    n = Network(
        "EfficientNet-B0 (torchvision)",
        "torchvision.models.efficientnet_b0 (Tan & Le 2019) at 224×224 with "
        "1000 classes: a 3×3 stride-2 stem with 32 filters, sixteen MBConv "
        "blocks (1×1 expansion, depthwise 3×3 or 5×5 convolution, squeeze-"
        "and-excitation to a quarter of the block's input channels, linear 1×1 "
        "projection; stochastic depth and a residual add where the stride is 1 "
        "and the channels match), a 1×1 convolution to 1280 channels, global "
        "average pooling, dropout 0.2 and a 1280→1000 classifier. Convolutions "
        "other than the squeeze-and-excitation's have no bias and are followed "
        "by batch normalization; activations are SiLU (swish). Stages "
        "stage1…stage7 are the MBConv rows of the paper's table 1; the "
        "stochastic depth rate grows linearly from 0 to 0.2 over the blocks. "
        "torchvision's figures: 5,288,548 trainable parameters, 0.39 GFLOPS "
        "(multiply-adds; counted here: 385,814,752), ImageNet acc@1 77.692. The batch "
        "normalization running mean and variance (42,016 values) are counted on "
        "top as non-trainable parameters.",
        training(64, "A100 40GB"))
    n.add("data", "input", shape=[3, 224, 224])
    x = conv_bn_act(n, "stem/", "data", 32, 3, "silu", stride=2, padding=1)
    total = sum(setting[-1] for setting in EFFICIENTNET_B0_SETTINGS)
    block = 0
    for stage, setting in enumerate(EFFICIENTNET_B0_SETTINGS, start=1):
        t, k, s, cin, cout, count = setting
        for i in range(count):
            stride = s if i == 0 else 1
            channels = cin if i == 0 else cout
            p = "stage%d/%d/" % (stage, i)
            hidden = channels * t
            y = x
            if hidden != channels:
                y = conv_bn_act(n, p + "expand/", y, hidden, 1, "silu")
            y = conv_bn_act(n, p + "dw/", y, hidden, k, "silu", **stride_field(stride),
                            padding=(k - 1) // 2, groups=hidden)
            y = squeeze_excitation(n, p + "se/", y, hidden, max(1, channels // 4),
                                   "silu", "sigmoid")
            y = conv_bn_act(n, p + "project/", y, cout, 1, None)
            if stride == 1 and channels == cout:
                n.add(p + "drop_path", "stochastic_depth",
                      rate=drop_rate(0.2 * block / total))
                y = n.add(p + "add", "add", inputs=[p + "drop_path", x])
            x = y
            block += 1
    conv_bn_act(n, "head/", x, 1280, 1, "silu")
    n.add("avgpool", "global_avg_pool")
    n.add("dropout", "dropout", rate=0.2)
    n.add("fc", "dense", units=1000)
    return n


MOBILENETV3_LARGE_SETTINGS = [
    # input, kernel, expanded, output, squeeze-and-excitation, activation, stride
    (16, 3, 16, 16, False, "relu", 1),
    (16, 3, 64, 24, False, "relu", 2),
    (24, 3, 72, 24, False, "relu", 1),
    (24, 5, 72, 40, True, "relu", 2),
    (40, 5, 120, 40, True, "relu", 1),
    (40, 5, 120, 40, True, "relu", 1),
    (40, 3, 240, 80, False, "hardswish", 2),
    (80, 3, 200, 80, False, "hardswish", 1),
    (80, 3, 184, 80, False, "hardswish", 1),
    (80, 3, 184, 80, False, "hardswish", 1),
    (80, 3, 480, 112, True, "hardswish", 1),
    (112, 3, 672, 112, True, "hardswish", 1),
    (112, 5, 672, 160, True, "hardswish", 2),
    (160, 5, 960, 160, True, "hardswish", 1),
    (160, 5, 960, 160, True, "hardswish", 1),
]


def mobilenet_v3_large():
    n = Network(
        "MobileNetV3-Large (torchvision)",
        "torchvision.models.mobilenet_v3_large (Howard et al. 2019, width "
        "multiplier 1.0) at 224×224 with 1000 classes: a 3×3 stride-2 stem "
        "with 16 filters and hard-swish, fifteen bottleneck blocks bneck1…"
        "bneck15 (the rows of the paper's table 1: 1×1 expansion where the "
        "expanded width differs from the input, depthwise 3×3 or 5×5 "
        "convolution, squeeze-and-excitation with ReLU and hard-sigmoid in "
        "some blocks, linear 1×1 projection; a residual add where the stride is "
        "1 and the channels match), a 1×1 convolution to 960 channels, global "
        "average pooling, a 960→1280 dense layer with hard-swish, dropout 0.2 "
        "and a 1280→1000 classifier. Convolutions other than the squeeze-and-"
        "excitation's have no bias and are followed by batch normalization. "
        "torchvision's figures: 5,483,032 trainable parameters, 0.22 GFLOPS "
        "(multiply-adds; counted here: 216,589,760), ImageNet acc@1 74.042 (V1 "
        "weights). The batch normalization running mean and variance (24,400 "
        "values) are counted on top as non-trainable parameters.",
        training(64, "A100 40GB"))
    n.add("data", "input", shape=[3, 224, 224])
    x = conv_bn_act(n, "stem/", "data", 16, 3, "hardswish", stride=2, padding=1)
    for i, setting in enumerate(MOBILENETV3_LARGE_SETTINGS, start=1):
        cin, k, hidden, cout, se, act, stride = setting
        p = "bneck%d/" % i
        y = x
        if hidden != cin:
            y = conv_bn_act(n, p + "expand/", y, hidden, 1, act)
        y = conv_bn_act(n, p + "dw/", y, hidden, k, act, **stride_field(stride),
                        padding=(k - 1) // 2, groups=hidden)
        if se:
            y = squeeze_excitation(n, p + "se/", y, hidden, make_divisible(hidden // 4),
                                   "relu", "hardsigmoid")
        y = conv_bn_act(n, p + "project/", y, cout, 1, None)
        if stride == 1 and cin == cout:
            y = n.add(p + "add", "add", inputs=[y, x])
        x = y
    conv_bn_act(n, "head/", x, 960, 1, "hardswish")
    n.add("avgpool", "global_avg_pool")
    n.add("classifier/fc1", "dense", units=1280)
    n.add("classifier/hardswish", "hardswish")
    n.add("classifier/dropout", "dropout", rate=0.2)
    n.add("classifier/fc2", "dense", units=1000)
    return n


def convnext_tiny():
    n = Network(
        "ConvNeXt-Tiny (torchvision)",
        "torchvision.models.convnext_tiny (Liu et al. 2022) at 224×224 with "
        "1000 classes: a 4×4 stride-4 patchify stem with 96 filters and layer "
        "normalization, stages of 3, 3, 9 and 3 blocks at 96, 192, 384 and 768 "
        "channels, each block a 7×7 depthwise convolution, layer normalization "
        "over the channels, a 1×1 expansion to 4× the channels, GELU, a 1×1 "
        "projection back, a learned per-channel layer scale (initialized to "
        "1e-6), stochastic depth (rate growing linearly from 0 to 0.1, written "
        "to four decimals) and a residual add; between stages layer "
        "normalization and a 2×2 stride-2 convolution. torchvision's Linear "
        "layers on the channels-last map are written as 1×1 convolutions (the "
        "same parameters and multiply-adds). Head: global average pooling, "
        "layer normalization, a 768→1000 classifier. torchvision's figures: "
        "28,589,128 trainable parameters, 4.46 GFLOPS (multiply-adds; counted "
        "here: 4,455,531,264), ImageNet acc@1 82.520. No batch normalization, so no "
        "non-trainable parameters.",
        training(64, "A100 40GB", optimizer="adamw"))
    n.add("data", "input", shape=[3, 224, 224])
    n.add("stem/conv", "conv", filters=96, kernel=4, stride=4)
    x = n.add("stem/norm", "layer_norm")
    dims = (96, 192, 384, 768)
    depths = (3, 3, 9, 3)
    total = sum(depths)
    block = 0
    for stage, (dim, depth) in enumerate(zip(dims, depths), start=1):
        if stage > 1:
            p = "downsample%d/" % (stage - 1)
            n.add(p + "norm", "layer_norm", inputs=x)
            x = n.add(p + "conv", "conv", filters=dim, kernel=2, stride=2)
        for i in range(depth):
            p = "stage%d/%d/" % (stage, i)
            n.add(p + "dwconv", "conv", inputs=x, filters=dim, kernel=7, padding=3,
                  groups=dim)
            n.add(p + "norm", "layer_norm")
            n.add(p + "pwconv1", "conv", filters=4 * dim, kernel=1)
            n.add(p + "gelu", "gelu")
            n.add(p + "pwconv2", "conv", filters=dim, kernel=1)
            n.add(p + "layer_scale", "scale", learned=True, bias=False)
            n.add(p + "drop_path", "stochastic_depth",
                  rate=drop_rate(0.1 * block / (total - 1)))
            x = n.add(p + "add", "add", inputs=[p + "drop_path", x])
            block += 1
    n.add("avgpool", "global_avg_pool", inputs=x)
    n.add("head/norm", "layer_norm")
    n.add("head/flatten", "flatten")
    n.add("head/fc", "dense", units=1000)
    return n


def vit_b_16():
    n = Network(
        "ViT-B/16 (torchvision)",
        "torchvision.models.vit_b_16 (Dosovitskiy et al. 2020, ViT-Base with "
        "16×16 patches) at 224×224 with 1000 classes: a 16×16 stride-16 "
        "convolution to 768 channels (196 patches), a learned class token, "
        "learned position embeddings for 197 tokens, twelve pre-norm encoder "
        "blocks (layer normalization, 12-head self-attention, residual add, "
        "layer normalization, MLP 768→3072→768 with GELU, residual add), a "
        "final layer normalization, the class token's output and a 768→1000 "
        "classifier. torchvision's dropouts have rate 0.0 (identities) and are "
        "left out. torchvision's figures: 86,567,656 trainable parameters, "
        "17.56 GFLOPS (multiply-adds), ImageNet acc@1 81.072; counted here: "
        "17,563,828,224 multiply-adds, of which the attention score and weighted-sum "
        "products (12 heads × 197 × 197 × 64, twice per block) are 715,327,488. No "
        "batch normalization, so no non-trainable parameters.",
        training(64, "A100 80GB", optimizer="adamw"))
    n.add("data", "input", shape=[3, 224, 224])
    n.add("conv_proj", "conv", filters=768, kernel=16, stride=16)
    n.add("to_tokens", "to_tokens")
    n.add("class_token", "class_token")
    x = n.add("pos_embedding", "position_embedding", encoding="learned", positions=197)
    for i in range(12):
        p = "encoder/%d/" % i
        n.add(p + "ln_1", "layer_norm", inputs=x)
        n.add(p + "attention", "attention", heads=12)
        y = n.add(p + "add_1", "add", inputs=[p + "attention", x])
        n.add(p + "ln_2", "layer_norm")
        n.add(p + "mlp/fc1", "dense", units=3072)
        n.add(p + "mlp/gelu", "gelu")
        n.add(p + "mlp/fc2", "dense", units=768)
        x = n.add(p + "add_2", "add", inputs=[p + "mlp/fc2", y])
    n.add("encoder/ln", "layer_norm", inputs=x)
    n.add("class_output", "slice", axis=0, start=0, end=1)
    n.add("reshape", "reshape", shape=[768])
    n.add("head", "dense", units=1000)
    return n


def swin_t():
    n = Network(
        "Swin-T (torchvision)",
        "torchvision.models.swin_t (Liu et al. 2021, Swin Transformer Tiny) at "
        "224×224 with 1000 classes: a 4×4 stride-4 patch embedding to 96 "
        "channels with layer normalization, stages of 2, 2, 6 and 2 blocks at "
        "96, 192, 384 and 768 channels with 3, 6, 12 and 24 heads, each block "
        "layer normalization, 7×7 window attention (shifted by 3 in every "
        "second block; torchvision drops the shift in stage 4, where the window "
        "covers the whole 7×7 map), stochastic depth, residual add, layer "
        "normalization, MLP to 4× the channels with GELU and back (written as "
        "1×1 convolutions on the map: the same parameters and multiply-adds), "
        "stochastic depth (rate growing linearly from 0 to 0.2, written to four "
        "decimals), residual add; patch merging between stages (2×2 space-to-"
        "depth, layer normalization, a 1×1 convolution without bias halving "
        "the channels). Head: layer normalization, global average pooling, a "
        "768→1000 classifier. torchvision's figures: 28,288,354 trainable "
        "parameters (with the relative-position bias tables, 169 × heads per "
        "block), 4.49 GFLOPS (multiply-adds; counted here: 4,490,566,656). torchvision "
        "also keeps each block's relative-position index (2,401 integers) as a "
        "buffer; it is not a parameter and not counted.",
        training(64, "A100 40GB", optimizer="adamw"))
    n.add("data", "input", shape=[3, 224, 224])
    n.add("patch_embed/conv", "conv", filters=96, kernel=4, stride=4)
    x = n.add("patch_embed/norm", "layer_norm")
    dims = (96, 192, 384, 768)
    depths = (2, 2, 6, 2)
    heads = (3, 6, 12, 24)
    sizes = (56, 28, 14, 7)
    window = 7
    total = sum(depths)
    block = 0
    for stage, (dim, depth, h, size) in enumerate(zip(dims, depths, heads, sizes),
                                                  start=1):
        if stage > 1:
            p = "merge%d/" % (stage - 1)
            n.add(p + "space_to_depth", "space_to_depth", inputs=x, block=2)
            n.add(p + "norm", "layer_norm")
            x = n.add(p + "reduction", "conv", filters=dim, kernel=1, bias=False)
        for i in range(depth):
            p = "stage%d/%d/" % (stage, i)
            rate = drop_rate(0.2 * block / (total - 1))
            shift = window // 2 if i % 2 == 1 and window < size else 0
            n.add(p + "norm1", "layer_norm", inputs=x)
            n.add(p + "attn", "window_attention", heads=h, window=window,
                  **({"shift": shift} if shift else {}))
            n.add(p + "drop_path1", "stochastic_depth", rate=rate)
            y = n.add(p + "add1", "add", inputs=[p + "drop_path1", x])
            n.add(p + "norm2", "layer_norm")
            n.add(p + "mlp/fc1", "conv", filters=4 * dim, kernel=1)
            n.add(p + "mlp/gelu", "gelu")
            n.add(p + "mlp/fc2", "conv", filters=dim, kernel=1)
            n.add(p + "drop_path2", "stochastic_depth", rate=rate)
            x = n.add(p + "add2", "add", inputs=[p + "drop_path2", y])
            block += 1
    n.add("norm", "layer_norm", inputs=x)
    n.add("avgpool", "global_avg_pool")
    n.add("flatten", "flatten")
    n.add("head", "dense", units=1000)
    return n


def gpt2():
    n = Network(
        "GPT-2 small",
        "GPT-2 small (Radford et al. 2019; OpenAI's released \"gpt2\" "
        "checkpoint, as in Hugging Face's GPT2LMHeadModel) on a full context "
        "of 1,024 tokens: token embedding (vocabulary 50,257, 768 "
        "dimensions), learned position embedding (1,024 positions), dropout "
        "0.1, twelve pre-norm blocks (layer normalization, 12-head causal "
        "self-attention, dropout 0.1, residual add, layer normalization, MLP "
        "768→3072→768 with GELU, dropout 0.1, residual add), a final layer "
        "normalization and the output projection to the vocabulary, whose "
        "weights are the token embedding's (tied, counted once). 124,439,808 "
        "trainable parameters (the paper's table says 117M); counted here: "
        "145,824,153,600 "
        "multiply-adds per 1,024-token sequence, of which 39,523,713,024 in the output "
        "projection and 19,327,352,832 in the attention score and weighted-sum products "
        "(the causal mask is not used to skip any). Dropout on the attention "
        "weights is inside the attention layer and not written.",
        training(8, "A100 40GB", optimizer="adamw"))
    n.add("input_ids", "input", shape=[1024])
    n.add("wte", "embedding", vocabulary=50257, dimension=768)
    n.add("wpe", "position_embedding", encoding="learned", positions=1024)
    x = n.add("drop", "dropout", rate=0.1)
    for i in range(12):
        p = "h/%d/" % i
        n.add(p + "ln_1", "layer_norm", inputs=x)
        n.add(p + "attn", "attention", heads=12, causal=True)
        n.add(p + "attn/dropout", "dropout", rate=0.1)
        y = n.add(p + "add_1", "add", inputs=[p + "attn/dropout", x])
        n.add(p + "ln_2", "layer_norm")
        n.add(p + "mlp/c_fc", "dense", units=3072)
        n.add(p + "mlp/gelu", "gelu")
        n.add(p + "mlp/c_proj", "dense", units=768)
        n.add(p + "mlp/dropout", "dropout", rate=0.1)
        x = n.add(p + "add_2", "add", inputs=[p + "mlp/dropout", y])
    n.add("ln_f", "layer_norm", inputs=x)
    n.add("lm_head", "dense", units=50257, bias=False, shares="wte")
    return n


def bert_base():
    n = Network(
        "BERT-base uncased",
        "BERT-base uncased (Devlin et al. 2018; Hugging Face's BertModel, the "
        "encoder with its pooler, without the pre-training heads) on a full "
        "sequence of 512 tokens: word embedding (vocabulary 30,522, 768 "
        "dimensions) plus token-type embedding (2 types, from a second input) "
        "plus learned position embedding (512 positions), layer normalization "
        "and dropout 0.1; twelve post-norm blocks (12-head self-attention, "
        "dropout 0.1, residual add, layer normalization, 768→3072→768 with "
        "GELU, dropout 0.1, residual add, layer normalization); the pooler "
        "takes the first ([CLS]) token through a 768→768 dense layer and tanh. "
        "109,482,240 trainable parameters (the paper says 110M); counted here: "
        "48,318,971,904 multiply-adds per 512-token sequence. The attention mask for "
        "padding is not modelled.",
        training(32, "Tesla V100 32GB", optimizer="adamw"))
    n.add("input_ids", "input", shape=[512])
    n.add("token_type_ids", "input", shape=[512])
    n.add("embeddings/word", "embedding", inputs="input_ids", vocabulary=30522,
          dimension=768)
    n.add("embeddings/token_type", "embedding", inputs="token_type_ids", vocabulary=2,
          dimension=768)
    n.add("embeddings/add", "add", inputs=["embeddings/word", "embeddings/token_type"])
    n.add("embeddings/position", "position_embedding", encoding="learned", positions=512)
    n.add("embeddings/norm", "layer_norm")
    x = n.add("embeddings/dropout", "dropout", rate=0.1)
    for i in range(12):
        p = "layer/%d/" % i
        n.add(p + "attention", "attention", inputs=x, heads=12)
        n.add(p + "attention/dropout", "dropout", rate=0.1)
        n.add(p + "attention/add", "add", inputs=[p + "attention/dropout", x])
        y = n.add(p + "attention/norm", "layer_norm")
        n.add(p + "intermediate", "dense", units=3072)
        n.add(p + "gelu", "gelu")
        n.add(p + "output", "dense", units=768)
        n.add(p + "output/dropout", "dropout", rate=0.1)
        n.add(p + "output/add", "add", inputs=[p + "output/dropout", y])
        x = n.add(p + "output/norm", "layer_norm")
    n.add("pooler/first_token", "slice", inputs=x, axis=0, start=0, end=1)
    n.add("pooler/reshape", "reshape", shape=[768])
    n.add("pooler/dense", "dense", units=768)
    n.add("pooler/tanh", "tanh")
    return n


def llama2_7b():
    n = Network(
        "Llama-2-7B",
        "Llama 2 7B (Touvron et al. 2023; Hugging Face's LlamaForCausalLM "
        "layout) on a full context of 4,096 tokens: token embedding "
        "(vocabulary 32,000, 4,096 dimensions), rotary position embedding (no "
        "parameters), 32 pre-norm blocks (RMS normalization, 32-head causal "
        "self-attention with 128-dimensional heads and no biases, residual "
        "add, RMS normalization, SwiGLU MLP: gate and up projections to 11,008 "
        "without bias, SiLU on the gate, their product, down projection to "
        "4,096, residual add), a final RMS normalization and an untied "
        "4,096→32,000 output projection without bias. 6,738,415,616 trainable "
        "parameters (published as 7B); counted here: 31,460,635,443,200 "
        "multiply-adds per "
        "4,096-token sequence, of which 4,398,046,511,104 in the attention score and "
        "weighted-sum products (the causal mask is not used to skip any).",
        training(1, "H100 80GB", dtype="bf16", optimizer="adamw", mixed_precision=True))
    n.add("input_ids", "input", shape=[4096])
    n.add("embed_tokens", "embedding", vocabulary=32000, dimension=4096)
    x = n.add("rotary", "position_embedding", encoding="rotary")
    for i in range(32):
        p = "layers/%d/" % i
        n.add(p + "attention_norm", "rms_norm", inputs=x)
        n.add(p + "self_attn", "attention", heads=32, causal=True, bias=False)
        y = n.add(p + "add_1", "add", inputs=[p + "self_attn", x])
        norm = n.add(p + "ffn_norm", "rms_norm")
        n.add(p + "mlp/gate_proj", "dense", units=11008, bias=False)
        gate = n.add(p + "mlp/silu", "silu")
        up = n.add(p + "mlp/up_proj", "dense", inputs=norm, units=11008, bias=False)
        n.add(p + "mlp/mul", "mul", inputs=[gate, up])
        n.add(p + "mlp/down_proj", "dense", units=4096, bias=False)
        x = n.add(p + "add_2", "add", inputs=[p + "mlp/down_proj", y])
    n.add("norm", "rms_norm", inputs=x)
    n.add("lm_head", "dense", units=32000, bias=False)
    return n


UNET_WIDTHS = (64, 128, 256, 512, 1024)


def unet():
    n = Network(
        "U-Net",
        "U-Net (Ronneberger, Fischer & Brox 2015, figure 1) for a 572×572 "
        "one-channel tile and 2 classes: a contracting path of four levels of "
        "two unpadded 3×3 convolutions with ReLU (64, 128, 256, 512 filters) "
        "each followed by 2×2 max pooling, a bottom level of two 3×3 "
        "convolutions with 1024 filters, and an expansive path of four levels, "
        "each a 2×2 up-convolution (transposed convolution, stride 2) halving "
        "the channels, the contracting path's map of that level cropped to the "
        "same size and concatenated, and two unpadded 3×3 convolutions with "
        "ReLU; a final 1×1 convolution gives the 2×388×388 output. "
        "Convolutions have biases and there is no batch normalization. "
        "Counted here: 31,030,658 trainable parameters, 150,428,424,448 "
        "multiply-adds. The paper's "
        "dropout at the end of the contracting path is left out (the paper "
        "does not say where exactly).",
        training(1, "GTX Titan X"))
    n.add("data", "input", shape=[1, 572, 572])
    x = "data"
    skips = []
    for level, filters in enumerate(UNET_WIDTHS, start=1):
        if level > 1:
            x = n.add("pool%d" % (level - 1), "max_pool", inputs=x, kernel=2)
        p = "enc%d/" % level
        n.add(p + "conv1", "conv", inputs=x, filters=filters, kernel=3)
        n.add(p + "relu1", "relu")
        n.add(p + "conv2", "conv", filters=filters, kernel=3)
        x = n.add(p + "relu2", "relu")
        skips.append(x)
    for level in range(len(UNET_WIDTHS) - 1, 0, -1):
        filters = UNET_WIDTHS[level - 1]
        p = "dec%d/" % level
        up = n.add(p + "upconv", "deconv", inputs=x, filters=filters, kernel=2, stride=2)
        crop = n.add(p + "crop", "crop", inputs=[skips[level - 1], up])
        n.add(p + "concat", "concat", inputs=[crop, up])
        n.add(p + "conv1", "conv", filters=filters, kernel=3)
        n.add(p + "relu1", "relu")
        n.add(p + "conv2", "conv", filters=filters, kernel=3)
        x = n.add(p + "relu2", "relu")
    n.add("output", "conv", inputs=x, filters=2, kernel=1)
    return n


DENSENET121_BLOCKS = (6, 12, 24, 16)


def densenet121():
    n = Network(
        "DenseNet-121 (torchvision)",
        "torchvision.models.densenet121 (Huang et al. 2017, DenseNet-BC: growth "
        "rate 32, bottleneck width 4 × 32, dense blocks of [6, 12, 24, 16] "
        "layers, transitions halving the channels with a 1×1 convolution and "
        "2×2 average pooling) at 224×224 with 1000 classes. Each dense layer "
        "reads the concatenation of its block's input and of every earlier "
        "layer's 32 new channels (torchvision's torch.cat of the list of "
        "features): batch norm, ReLU, 1×1 convolution to 128 channels, batch "
        "norm, ReLU, 3×3 convolution to 32. torchvision's figures: 7,978,856 "
        "trainable parameters, 2.83 GMACs (its table calls them GFLOPS). "
        "Convolutions have no bias; the batch normalization running mean and "
        "variance are counted on top as non-trainable parameters.",
        training(32, "Tesla V100 16GB"))
    n.add("data", "input", shape=[3, 224, 224])
    n.add("conv0", "conv", filters=64, kernel=7, stride=2, padding=3, bias=False)
    n.add("norm0", "batch_norm")
    n.add("relu0", "relu")
    x = n.add("pool0", "max_pool", kernel=3, stride=2, padding=1)
    channels = 64
    for block, count in enumerate(DENSENET121_BLOCKS, start=1):
        features = [x]
        for i in range(1, count + 1):
            p = "denseblock%d/denselayer%d/" % (block, i)
            if len(features) > 1:
                x = n.add(p + "concat", "concat", inputs=features)
            else:
                x = features[0]
            n.add(p + "norm1", "batch_norm", inputs=x)
            n.add(p + "relu1", "relu")
            n.add(p + "conv1", "conv", filters=128, kernel=1, bias=False)
            n.add(p + "norm2", "batch_norm")
            n.add(p + "relu2", "relu")
            features.append(n.add(p + "conv2", "conv", filters=32, kernel=3, padding=1,
                                  bias=False))
        x = n.add("denseblock%d/concat" % block, "concat", inputs=features)
        channels += 32 * count
        if block < len(DENSENET121_BLOCKS):
            channels //= 2
            p = "transition%d/" % block
            n.add(p + "norm", "batch_norm", inputs=x)
            n.add(p + "relu", "relu")
            n.add(p + "conv", "conv", filters=channels, kernel=1, bias=False)
            x = n.add(p + "pool", "avg_pool", kernel=2, stride=2)
    n.add("norm5", "batch_norm", inputs=x)
    n.add("relu5", "relu")
    n.add("avgpool", "global_avg_pool")
    n.add("classifier", "dense", units=1000)
    return n


def r3d_18():
    n = Network(
        "R3D-18 (torchvision)",
        "torchvision.models.video.r3d_18 (Tran et al. 2018, \"A closer look at "
        "spatiotemporal convolutions for action recognition\": an 18-layer "
        "ResNet with 3-D convolutions) on 16-frame 112×112 clips with the 400 "
        "Kinetics classes: a 3×7×7 stem convolution with stride 1×2×2 and 64 "
        "filters, batch normalization and ReLU (no max pool), four stages of "
        "two basic blocks of 3×3×3 convolutions (64, 128, 256, 512 filters; "
        "stages 2 to 4 start with stride 2 in time and space and a 1×1×1 "
        "convolution plus batch normalization on the shortcut), global average "
        "pooling over time and space and a 512→400 classifier. Convolutions "
        "have no bias. torchvision's figures: 33,371,472 trainable parameters, "
        "Kinetics-400 acc@1 63.200 (clip length 16); counted here: 40,696,553,472 "
        "multiply-adds per clip. The batch normalization running mean and "
        "variance (9,600 values) are counted on top as non-trainable parameters.",
        training(16, "Tesla V100 16GB"))
    n.add("data", "input", shape=[3, 16, 112, 112])
    n.add("stem/conv", "conv", filters=64, kernel=[3, 7, 7], stride=[1, 2, 2],
          padding=[1, 3, 3], bias=False)
    n.add("stem/bn", "batch_norm")
    x = n.add("stem/relu", "relu")
    channels = 64
    for stage, planes in enumerate((64, 128, 256, 512), start=1):
        for i in range(2):
            stride = 1 if stage == 1 or i > 0 else 2
            downsample = stride != 1 or channels != planes
            # The 2-D basic block with integer kernel, stride and padding:
            # one integer applies to every spatial axis, here 3.
            x = basic_block(n, "layer%d/%d/" % (stage, i), x, planes, stride, downsample)
            channels = planes
    n.add("avgpool", "global_avg_pool", inputs=x)
    n.add("fc", "dense", units=400)
    return n


TEXTCNN_WINDOWS = (3, 4, 5)


def textcnn():
    n = Network(
        "TextCNN (Kim 2014)",
        "The sentence classifier of Kim, \"Convolutional neural networks for "
        "sentence classification\" (2014), CNN-rand/non-static with trainable "
        "embeddings, in the sizes of the paper's MR data set (vocabulary "
        "18,765, 2 classes): 56 token ids, 300-dimensional word embeddings, "
        "the sequence turned into a 300-channel 1-D map, three branches of 100 "
        "1-D convolutions with windows 3, 4 and 5 and ReLU, max-over-time "
        "pooling (global max pooling of each 1-D map), concatenation to 300 "
        "features, dropout 0.5 and a 300→2 classifier (the softmax is left to "
        "the loss). Counted here: 5,990,402 trainable parameters (5,629,500 of "
        "them in the "
        "embedding), 19,020,600 multiply-adds per sentence. The paper's l2-norm "
        "constraint on the classifier's weights is a training rule, not a "
        "layer.",
        training(50, "GTX 980"))
    n.add("tokens", "input", shape=[56])
    n.add("embedding", "embedding", vocabulary=18765, dimension=300)
    x = n.add("to_map", "permute", order=[1, 0])
    branches = []
    for window in TEXTCNN_WINDOWS:
        p = "conv%d/" % window
        n.add(p + "conv", "conv", inputs=x, filters=100, kernel=window)
        n.add(p + "relu", "relu")
        branches.append(n.add(p + "pool", "global_max_pool"))
    n.add("concat", "concat", inputs=branches)
    n.add("flatten", "flatten")
    n.add("dropout", "dropout", rate=0.5)
    n.add("fc", "dense", units=2)
    return n


MODELS = {
    "mnist.json": mnist,
    "vgg16-lecture.json": vgg16_lecture,
    "lenet5.json": lenet5,
    "alexnet.json": alexnet,
    "vgg16.json": vgg16,
    "resnet18.json": resnet18,
    "resnet50.json": resnet50,
    "googlenet.json": googlenet,
    "mobilenetv2.json": mobilenetv2,
    "efficientnet_b0.json": efficientnet_b0,
    "mobilenet_v3_large.json": mobilenet_v3_large,
    "convnext_tiny.json": convnext_tiny,
    "vit_b_16.json": vit_b_16,
    "swin_t.json": swin_t,
    "gpt2.json": gpt2,
    "bert_base.json": bert_base,
    "llama2_7b.json": llama2_7b,
    "unet.json": unet,
    "densenet121.json": densenet121,
    "r3d_18.json": r3d_18,
    "textcnn.json": textcnn,
}


def main(argv):
    if len(argv) > 2:
        sys.stderr.write("usage: %s [OUTPUT_DIR]\n" % argv[0])
        return 2
    if len(argv) == 2:
        outdir = argv[1]
    else:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        outdir = os.path.join(root, "data", "models")
    os.makedirs(outdir, exist_ok=True)
    for filename, build in MODELS.items():
        text = build().to_json()
        json.loads(text)  # the layout is hand-made: make sure it parses
        path = os.path.join(outdir, filename)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
