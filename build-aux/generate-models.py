#!/usr/bin/env python3
# Writes the example networks in data/models/.
#
# The big networks (ResNets, GoogLeNet, MobileNetV2) are far too long to keep
# correct by hand, so they are built here from the same block definitions the
# reference implementations use, and written one layer per line so that the
# files stay readable and diff well.
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
    "name", "type", "group", "inputs", "shape", "filters", "units", "kernel",
    "stride", "padding", "dilation", "groups", "output_padding", "rounding",
    "bias", "size", "rate",
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


def training(batch, device):
    return {"batch": batch, "dtype": "fp32", "optimizer": "sgd_momentum",
            "device": device}


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
