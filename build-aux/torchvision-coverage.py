#!/usr/bin/python3
# Which of torchvision's model builders could be written as an Envelope
# network file, with the layer kinds of the file format (the existing kinds
# and the new ones of the kinds specification), and why the others cannot.
#
# A development tool only; it wants Debian's python3-torch (1.13) and
# python3-torchvision (0.14), so run it with /usr/bin/python3:
#
#   /usr/bin/python3 build-aux/torchvision-coverage.py            # every builder
#   /usr/bin/python3 build-aux/torchvision-coverage.py swin_v2_t  # some of them
#   /usr/bin/python3 build-aux/torchvision-coverage.py --verbose  # with the kinds used
#
# For every builder (torchvision.models.list_models(), or the builders of the
# classification, segmentation, detection, video, optical_flow and
# quantization modules where list_models does not exist) it builds the model
# with weights=None (and weights_backbone=None, quantize=False: nothing is
# downloaded), runs one forward pass on the "meta" device (shapes only; on the
# CPU with a small input where meta cannot run the model, as for detection's
# non-maximum suppression), and records
#
#   - the modules the pass enters: a module whose type maps to one layer kind
#     (nn.Conv2d to conv, nn.MultiheadAttention to attention, torchvision's
#     ShiftedWindowAttention to window_attention, ...) is a unit, and nothing
#     it runs inside is looked at;
#   - every torch function and Tensor method that the remaining code (the
#     containers' forward methods) calls, through a TorchFunctionMode, and
#     every operator outside the aten namespace (torchvision::nms, ...),
#     through a TorchDispatchMode;
#   - parameters that belong to containers rather than to units (ViT's class
#     token and position embedding, ConvNeXt's layer scale), and parameters of
#     modules the inference pass never runs (auxiliary classifiers).
#
# A builder is expressible when every unit, function and parameter it uses
# maps to a kind; "with caveats" when that holds but some of its parameters
# sit in modules that inference never runs (they need a second output); not
# expressible otherwise, with the reasons.  This is an analysis of what the
# forward pass calls, not a proof: a kind of the same name could still differ
# in a detail the call does not show.

import argparse
import collections
import inspect
import sys
import time
import traceback

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

# --- Modules that are one layer kind ------------------------------------------

UNITS = {
    "Conv1d": "conv", "Conv2d": "conv", "Conv3d": "conv",
    "ConvTranspose1d": "deconv", "ConvTranspose2d": "deconv", "ConvTranspose3d": "deconv",
    "Linear": "dense", "NonDynamicallyQuantizableLinear": "dense",
    "BatchNorm1d": "batch_norm", "BatchNorm2d": "batch_norm", "BatchNorm3d": "batch_norm",
    "LayerNorm": "layer_norm", "LayerNorm2d": "layer_norm",
    "GroupNorm": "group_norm",
    "InstanceNorm1d": "instance_norm", "InstanceNorm2d": "instance_norm",
    "InstanceNorm3d": "instance_norm",
    "LocalResponseNorm": "lrn",
    "ReLU": "relu", "ReLU6": "relu6", "LeakyReLU": "leaky_relu", "ELU": "elu",
    "Sigmoid": "sigmoid", "Tanh": "tanh", "GELU": "gelu", "SiLU": "silu",
    "Hardswish": "hardswish", "Hardsigmoid": "hardsigmoid", "Softmax": "softmax",
    "Softplus": "softplus", "Mish": "mish", "PReLU": "prelu", "Identity": "identity",
    "Dropout": "dropout", "Dropout2d": "dropout", "Dropout3d": "dropout",
    "AlphaDropout": "dropout",
    "StochasticDepth": "stochastic_depth",
    "Flatten": "flatten", "Permute": "permute",
    "MaxPool1d": "max_pool", "MaxPool2d": "max_pool", "MaxPool3d": "max_pool",
    "AvgPool1d": "avg_pool", "AvgPool2d": "avg_pool", "AvgPool3d": "avg_pool",
    "AdaptiveAvgPool1d": "adaptive_avg_pool", "AdaptiveAvgPool2d": "adaptive_avg_pool",
    "AdaptiveAvgPool3d": "adaptive_avg_pool",
    "AdaptiveMaxPool1d": "adaptive_max_pool", "AdaptiveMaxPool2d": "adaptive_max_pool",
    "AdaptiveMaxPool3d": "adaptive_max_pool",
    "Upsample": "upsample", "UpsamplingNearest2d": "upsample",
    "UpsamplingBilinear2d": "upsample",
    "ChannelShuffle": "channel_shuffle", "PixelShuffle": "depth_to_space",
    "PixelUnshuffle": "space_to_depth",
    "Embedding": "embedding", "LSTM": "lstm", "GRU": "gru",
    "MultiheadAttention": "attention",
    "ShiftedWindowAttention": "window_attention",
    # Quantization wrappers of the quantization builders (float when quantize=False).
    "QuantStub": "identity", "DeQuantStub": "identity",
}

# Modules that look like a kind but are not one exactly, and why.
NOT_UNITS = {
    "FrozenBatchNorm2d": "FrozenBatchNorm2d keeps γ and β as buffers (batch_norm counts "
                         "them as trainable)",
    "ShiftedWindowAttentionV2": "Swin V2 window attention (cosine attention with a learned "
                                "logit scale, continuous relative-position bias from an MLP)",
    "RelativePositionalMultiHeadAttention": "MaxViT's attention with a relative-position "
                                            "bias inside block and grid partitions",
    "MultiscaleAttention": "MViT's pooling attention (Q, K, V pooled by strided "
                           "convolutions, relative-position terms)",
    "MultiScaleRoIAlign": "RoI align on detected boxes",
    "AnchorGenerator": "anchor generation",
    "DefaultBoxGenerator": "default-box (anchor) generation",
    "GeneralizedRCNNTransform": "image resizing and batching to a size that depends on the "
                                "input",
}

# Parameters that a container holds itself, and the kind that holds them.
OWN_PARAMETERS = {
    ("VisionTransformer", "class_token"): "class_token",
    ("Encoder", "pos_embedding"): "position_embedding",
    ("CNBlock", "layer_scale"): "scale",
}

# --- Functions and methods called by containers ------------------------------

NO_OP = {
    # metadata, assertions and views that change nothing Envelope counts
    "size", "dim", "numel", "__len__", "__format__", "__bool__", "__index__", "__int__",
    "_assert", "__get__", "is_floating_point", "contiguous", "clone", "detach", "type_as",
    "to", "float", "expand", "expand_as", "requires_grad_", "__iter__", "__repr__",
    "_has_torch_function", "__hash__",
}

FUNCTIONS = {
    "conv1d": "conv", "conv2d": "conv", "conv3d": "conv",
    "conv_transpose1d": "deconv", "conv_transpose2d": "deconv", "conv_transpose3d": "deconv",
    "linear": "dense",
    "relu": "relu", "relu_": "relu", "relu6": "relu6", "hardtanh": "relu6/clip",
    "hardtanh_": "relu6/clip", "gelu": "gelu", "silu": "silu", "sigmoid": "sigmoid",
    "tanh": "tanh", "hardswish": "hardswish", "hardsigmoid": "hardsigmoid",
    "softmax": "softmax", "leaky_relu": "leaky_relu", "elu": "elu", "mish": "mish",
    "softplus": "softplus", "clamp": "clip", "clip": "clip",
    "dropout": "dropout", "dropout2d": "dropout", "dropout3d": "dropout",
    "stochastic_depth": "stochastic_depth",
    "batch_norm": "batch_norm", "layer_norm": "layer_norm", "group_norm": "group_norm",
    "instance_norm": "instance_norm", "local_response_norm": "lrn", "normalize": "l2_norm",
    "max_pool1d": "max_pool", "max_pool2d": "max_pool", "max_pool3d": "max_pool",
    "avg_pool1d": "avg_pool", "avg_pool2d": "avg_pool", "avg_pool3d": "avg_pool",
    "adaptive_avg_pool1d": "adaptive_avg_pool", "adaptive_avg_pool2d": "adaptive_avg_pool",
    "adaptive_avg_pool3d": "adaptive_avg_pool", "adaptive_max_pool1d": "adaptive_max_pool",
    "adaptive_max_pool2d": "adaptive_max_pool", "adaptive_max_pool3d": "adaptive_max_pool",
    "cat": "concat", "concat": "concat", "stack": "concat",
    "flatten": "flatten", "view": "reshape", "reshape": "reshape", "unsqueeze": "reshape",
    "squeeze": "reshape", "permute": "permute", "transpose": "permute",
    "swapaxes": "permute", "movedim": "permute",
    "chunk": "slice", "split": "slice", "unbind": "slice", "narrow": "slice",
    "select": "slice", "slice": "slice",
    "add": "add", "add_": "add", "__add__": "add", "__iadd__": "add", "__radd__": "add",
    "mul": "mul/scale", "mul_": "mul/scale", "__mul__": "mul/scale", "__imul__": "mul/scale",
    "__rmul__": "mul/scale", "sub": "sub", "__sub__": "sub", "__rsub__": "sub",
    "div": "div/scale", "__truediv__": "div/scale", "__itruediv__": "div/scale",
    "mean": "reduce", "sum": "reduce", "amax": "reduce", "amin": "reduce",
    "matmul": "matmul", "__matmul__": "matmul", "bmm": "matmul",
    "channel_shuffle": "channel_shuffle", "pixel_shuffle": "depth_to_space",
    "pixel_unshuffle": "space_to_depth",
}

# Functions that no kind expresses, and what they are for.
UNSUPPORTED = {
    "grid_sample": "grid_sample (sampling at computed coordinates)",
    "unfold": "unfold (sliding patches as channels)",
    "fold": "fold",
    "topk": "top-k selection", "sort": "sorting", "argmax": "argmax", "argsort": "sorting",
    "where": "where (data-dependent selection)", "nonzero": "nonzero (data-dependent shape)",
    "masked_fill": "masked_fill", "gather": "gather", "index_select": "index_select",
    "roll": "roll (cyclic shift)", "exp": "exp", "log": "log", "log2": "log2",
    "sqrt": "sqrt", "pow": "pow", "__pow__": "pow", "abs": "abs", "sign": "sign",
    "meshgrid": "meshgrid", "arange": "arange", "zeros": "constant tensors",
    "ones": "constant tensors", "full": "constant tensors", "new_zeros": "constant tensors",
    "new_full": "constant tensors", "zeros_like": "constant tensors",
    "ones_like": "constant tensors", "full_like": "constant tensors",
    "empty": "constant tensors", "tensor": "constant tensors", "as_tensor": "constant tensors",
    "linspace": "constant tensors",
    "repeat": "repeat", "repeat_interleave": "repeat_interleave", "tile": "tile",
    "log_softmax": "log_softmax", "einsum": "einsum",
    "index": "indexing with a tensor", "remainder": "remainder",
    "gt": "comparisons and masks", "lt": "comparisons and masks",
    "ge": "comparisons and masks", "le": "comparisons and masks",
    "eq": "comparisons and masks", "ne": "comparisons and masks",
    "__gt__": "comparisons and masks", "__lt__": "comparisons and masks",
    "__ge__": "comparisons and masks", "__le__": "comparisons and masks",
    "__eq__": "comparisons and masks", "__ne__": "comparisons and masks",
    "__and__": "comparisons and masks", "__or__": "comparisons and masks",
    "logical_and": "comparisons and masks", "logical_or": "comparisons and masks",
    "__setitem__": "in-place writes into a tensor", "copy_": "in-place writes into a tensor",
    "floor": "rounding", "ceil": "rounding", "round": "rounding",
    "tensor_split": "tensor_split (pieces of computed sizes)",
}


def unit_of(module):
    """The kind of a module, looked up along its class hierarchy (torchvision's
    Conv3DSimple is an nn.Conv3d): a kind name, a reason it is not one
    (NOT_UNITS), or None for a container."""
    for cls in type(module).__mro__:
        if cls.__name__ in NOT_UNITS:
            return ("not", NOT_UNITS[cls.__name__])
        if cls.__name__ in UNITS:
            return ("kind", UNITS[cls.__name__])
        if cls in (nn.Module, nn.Sequential, nn.ModuleList, nn.ModuleDict):
            break
    return None


def function_names():
    """Names by identity, so that F.max_pool2d (a boolean_dispatch wrapper
    called "fn") and the like are named as the user wrote them."""
    names = {}
    for owner in (F, torch, torch.Tensor, torch._C._nn, torchvision.ops):
        for attr in dir(owner):
            try:
                value = getattr(owner, attr)
            except Exception:
                continue
            if callable(value):
                names.setdefault(id(value), attr)
    return names


NAMES = function_names()


def name_of(func):
    if isinstance(func, torch._ops.OpOverload):      # torch.ops.aten.index.Tensor
        return func.overloadpacket.__name__
    name = NAMES.get(id(func))
    if name is None:
        name = getattr(func, "__name__", None) or repr(func)
    return name


def max_pool3d_shape(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                     return_indices=False):
    if dilation not in (1, (1, 1, 1), [1, 1, 1]) or return_indices:
        raise NotImplementedError("max_pool3d on meta")
    return F.avg_pool3d(x, kernel_size, stride, padding, ceil_mode=ceil_mode)


class Recorder(TorchFunctionMode):
    def __init__(self, stack):
        super().__init__()
        self.stack = stack
        self.functions = collections.Counter()
        self.details = collections.defaultdict(set)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.max_pool3d and args[0].is_meta:
            # PyTorch 1.13 has no meta kernel for max_pool3d; an average pool
            # of the same window has the same output shape.
            if not any(unit for _, unit in self.stack):
                self.functions[("max_pool3d", self.stack[-1][0])] += 1
            return max_pool3d_shape(*args, **kwargs)
        if not any(unit for _, unit in self.stack):
            name = name_of(func)
            owner = self.stack[-1][0] if self.stack else "model"
            self.functions[(name, owner)] += 1
            if name == "interpolate":
                mode = kwargs.get("mode", args[3] if len(args) > 3 else "nearest")
                self.details[name].add(mode)
            elif name == "pad":
                mode = kwargs.get("mode", args[2] if len(args) > 2 else "constant")
                self.details[name].add(mode)
            elif name == "__getitem__":
                index = args[1] if len(args) > 1 else None
                items = index if isinstance(index, tuple) else (index,)
                if any(isinstance(i, torch.Tensor) or isinstance(i, list) for i in items):
                    self.details[name].add("tensor index")
        return func(*args, **kwargs)


class Operators(TorchDispatchMode):
    """Operators outside the aten namespace (torchvision::nms, roi_align, ...)."""

    def __init__(self):
        super().__init__()
        self.custom = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        namespace = func.namespace if hasattr(func, "namespace") else str(func).split(".")[0]
        if namespace not in ("aten", "prim", "prims"):
            self.custom[str(func.overloadpacket)] += 1
        return func(*args, **(kwargs or {}))


def builders():
    if hasattr(torchvision.models, "list_models"):
        names = torchvision.models.list_models()
        return {name: torchvision.models.get_model_builder(name) for name in names}
    found = {}
    for module in (torchvision.models, torchvision.models.segmentation,
                   torchvision.models.detection, torchvision.models.video,
                   torchvision.models.optical_flow, torchvision.models.quantization):
        prefix = "quantized_" if module is torchvision.models.quantization else ""
        for name in getattr(module, "__all__", []):
            value = getattr(module, name)
            if inspect.isfunction(value) and name[0].islower():
                found[prefix + name] = value
    return found


def family(name, builder):
    module = builder.__module__
    for part in ("segmentation", "detection", "video", "optical_flow", "quantization"):
        if ".%s" % part in module:
            return part
    return "classification"


def build(name, builder, kind):
    parameters = inspect.signature(builder).parameters
    kwargs = {"weights": None}
    if "weights_backbone" in parameters:
        kwargs["weights_backbone"] = None
    if "quantize" in parameters:
        kwargs["quantize"] = False
    if kind == "detection" and not name.startswith("ssd"):
        # The R-CNNs, RetinaNet and FCOS resize every image to 800 pixels
        # first; a small size keeps the CPU pass short and changes no layer.
        try:
            return builder(**kwargs, min_size=160, max_size=160)
        except TypeError:
            pass
    return builder(**kwargs)


def inputs_for(name, kind, device):
    if kind == "video":
        size = 224 if name.startswith(("mvit", "s3d")) else 112
        return [torch.zeros(1, 3, 16, size, size, device=device)]
    if kind == "optical_flow":
        return [torch.zeros(1, 3, 128, 128, device=device),
                torch.zeros(1, 3, 128, 128, device=device)]
    if kind == "detection":
        return [[torch.zeros(3, 160, 160, device=device)]]
    return [torch.zeros(1, 3, 224, 224, device=device)]


def trace(model, args):
    """One forward pass; returns what it used."""
    stack = []
    ran = set()
    handles = []
    for module in model.modules():
        kind = type(module).__name__
        unit = unit_of(module) is not None

        def pre(mod, _inputs, kind=kind, unit=unit):
            stack.append((kind, unit))
            ran.add(id(mod))

        def post(_mod, _inputs, _output):
            stack.pop()

        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    recorder = Recorder(stack)
    operators = Operators()
    try:
        with torch.no_grad(), recorder, operators:
            model(*args)
    finally:
        for handle in handles:
            handle.remove()
    return recorder, operators, ran


def analyse(name, builder, verbose=False):
    kind = family(name, builder)
    torch.manual_seed(0)
    model = build(name, builder, kind).eval()
    params = sum(p.numel() for p in model.parameters())
    reasons = []
    caveats = []
    kinds = collections.Counter()

    # Modules: units, known misfits, leaves nothing maps, parameters of containers.
    for module in model.modules():
        mtype = type(module).__name__
        if unit_of(module) is not None:
            continue
        for pname, p in module.named_parameters(recurse=False):
            key = (mtype, pname)
            if key not in OWN_PARAMETERS:
                reasons.append("parameter %s.%s held by the container itself" % (mtype, pname))

    # One forward pass; the CPU where meta cannot run it.
    device = "meta"
    try:
        model_meta = model.to("meta")
        recorder, operators, ran = trace(model_meta, inputs_for(name, kind, "meta"))
    except Exception:
        device = "cpu"
        torch.manual_seed(0)
        model = build(name, builder, kind).eval()
        recorder, operators, ran = trace(model, inputs_for(name, kind, "cpu"))
        model_meta = model

    # A unit that ran covers everything inside it (nn.MultiheadAttention uses
    # its out_proj's weights without calling it).  Modules without a kind are
    # judged by the functions they call and the parameters they hold.
    covered = set()
    unused_params = 0
    for module in model_meta.modules():
        unit = unit_of(module)
        if id(module) in ran and unit is not None:
            covered.update(id(m) for m in module.modules())
            if unit[0] == "kind":
                kinds[unit[1]] += 1
            else:
                reasons.append(unit[1])
    for module in model_meta.modules():
        if id(module) not in ran and id(module) not in covered:
            unused_params += sum(p.numel() for p in module.parameters(recurse=False))
    for (mtype, pname), pkind in OWN_PARAMETERS.items():
        for module in model_meta.modules():
            if type(module).__name__ == mtype and hasattr(module, pname) and id(module) in ran:
                kinds[pkind] += 1
    if unused_params:
        caveats.append("%s parameters in modules that inference does not run (auxiliary "
                       "heads: a second output)" % "{:,}".format(unused_params))

    for (fname, owner), count in recorder.functions.items():
        if fname in NO_OP:
            continue
        if fname in FUNCTIONS:
            kinds[FUNCTIONS[fname]] += count
            continue
        if fname == "interpolate":
            modes = recorder.details["interpolate"]
            bad = sorted(m for m in modes
                         if m not in ("nearest", "bilinear", "trilinear", "linear"))
            if bad:
                reasons.append("interpolate mode %s" % ", ".join(bad))
            kinds["upsample"] += count
            continue
        if fname == "pad":
            bad = sorted(m for m in recorder.details["pad"] if m != "constant")
            if bad:
                reasons.append("pad mode %s" % ", ".join(bad))
            kinds["pad"] += count
            continue
        if fname == "__getitem__":
            if recorder.details["__getitem__"]:
                reasons.append("indexing with a tensor (in %s)" % owner)
            else:
                kinds["slice"] += count
            continue
        if fname in UNSUPPORTED:
            reasons.append((1, "%s (in %s)" % (UNSUPPORTED[fname], owner)))
        else:
            reasons.append((2, "%s (in %s)" % (fname, owner)))
    for op in operators.custom:
        reasons.append((1, "operator %s" % op))

    reasons = [text for _, text in sorted(set(
        reason if isinstance(reason, tuple) else (0, reason) for reason in reasons))]
    status = "not expressible" if reasons else ("with caveats" if caveats else "expressible")
    return {
        "name": name, "family": kind, "params": params, "status": status,
        "reasons": reasons, "caveats": caveats, "kinds": kinds, "device": device,
    }


def main(argv):
    parser = argparse.ArgumentParser(
        description="Which torchvision builders Envelope's layer kinds can express.")
    parser.add_argument("builders", nargs="*", help="builder names (default: all)")
    parser.add_argument("--verbose", action="store_true", help="list the kinds each one uses")
    args = parser.parse_args(argv[1:])

    torch.set_num_threads(max(torch.get_num_threads(), 1))
    table = builders()
    names = args.builders or sorted(table)
    results = []
    for name in names:
        if name not in table:
            print("%s: no such builder" % name, file=sys.stderr)
            return 2
        start = time.time()
        try:
            result = analyse(name, table[name], args.verbose)
        except Exception as e:
            traceback.print_exc()
            result = {"name": name, "family": family(name, table[name]), "params": 0,
                      "status": "not expressible", "reasons": ["could not run: %s" % e],
                      "caveats": [], "kinds": {}, "device": "?"}
        results.append(result)
        mark = {"expressible": "yes", "with caveats": "yes*", "not expressible": "no"}
        print("%-40s %-15s %-5s %14s params  (%.0f s on %s)" % (
            name, result["family"], mark[result["status"]], "{:,}".format(result["params"]),
            time.time() - start, result["device"]))
        for reason in result["reasons"][:8]:
            print("    - %s" % reason)
        if len(result["reasons"]) > 8:
            print("    - ... %d more" % (len(result["reasons"]) - 8))
        for caveat in result["caveats"]:
            print("    * %s" % caveat)
        if args.verbose:
            print("    kinds: %s" % ", ".join("%s %d" % kv
                                             for kv in sorted(result["kinds"].items())))
        sys.stdout.flush()

    print()
    print("Summary by family (expressible / with caveats / not expressible):")
    families = collections.OrderedDict()
    for result in results:
        counts = families.setdefault(result["family"], collections.Counter())
        counts[result["status"]] += 1
    total = collections.Counter()
    for fam, counts in families.items():
        total.update(counts)
        print("  %-15s %3d / %3d / %3d" % (fam, counts["expressible"], counts["with caveats"],
                                          counts["not expressible"]))
    print("  %-15s %3d / %3d / %3d" % ("all", total["expressible"], total["with caveats"],
                                      total["not expressible"]))
    print("%d of %d builders expressible (%d of them with caveats), %d not."
          % (total["expressible"] + total["with caveats"], len(results), total["with caveats"],
             total["not expressible"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
