#!/usr/bin/python3
# Reference figures for the example networks, from PyTorch, checked against an
# independent count of the JSON files.
#
# A development tool only: nothing in the build or the test suite runs it, and
# Envelope never needs PyTorch.  It wants Debian's python3-torch (1.13) and
# python3-torchvision (0.14), so run it with /usr/bin/python3:
#
#   /usr/bin/python3 build-aux/torch-reference.py            # every network
#   /usr/bin/python3 build-aux/torch-reference.py vit_b_16   # some of them
#   /usr/bin/python3 build-aux/torch-reference.py --layers swin_t
#                               # the JSON count of one file, layer by layer
#
# For each network it builds the same model in PyTorch (torchvision's builder
# where there is one, a small hand-written nn.Module otherwise) and prints
#
#   - trainable parameters: sum(p.numel() for p in model.parameters()),
#     tied weights once;
#   - non-trainable: the floating-point buffers (batch normalization's running
#     mean and variance), without num_batches_tracked; integer buffers (Swin's
#     relative-position index) are shown apart;
#   - MACs under Envelope's conventions (docs/cost-model.md): the
#     multiply-adds of every convolution, transposed convolution and matrix
#     product the forward pass runs (linear layers, the projections and the
#     Q·Kᵀ and weights·V products of attention), per sample;
#   - the output shape, without the batch.
#
# The MACs come from the ATen operators the forward pass dispatches
# (aten.convolution, mm, addmm, bmm, baddbmm, ...), seen through a
# TorchDispatchMode, rather than from forward hooks on nn.Conv*/nn.Linear:
# torchvision's Swin calls F.linear with its modules' weights and
# nn.MultiheadAttention runs its products functionally, so hooks would miss
# them.  Everything runs on the "meta" device: shapes without data, so even
# Llama-2-7B costs nothing.
#
# The JSON side is a second, independent implementation of the counting rules
# of docs/cost-model.md and /work/kinds-spec.md (shapes, parameters,
# non-trainable values and MACs layer by layer), written without looking at
# Envelope's C code; the script exits 1 when any figure differs from
# PyTorch's or from the published figure.

import argparse
import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(ROOT, "data", "models")


# --- The JSON count ----------------------------------------------------------

class CountError(Exception):
    pass


class Tensor:
    """A per-sample tensor: its shape and layout ("vector", "tokens", "map")."""

    def __init__(self, shape, layout=None):
        self.shape = tuple(int(v) for v in shape)
        if layout is None:
            layout = {1: "vector", 2: "tokens"}.get(len(self.shape), "map")
        self.layout = layout

    @property
    def spatial(self):
        return self.shape[1:]

    def numel(self):
        return math.prod(self.shape)

    def features(self):
        """The axis that normalization, scale and the like act on."""
        if self.layout == "map":
            return self.shape[0]
        return self.shape[-1]

    def __repr__(self):
        return "[%s]" % ", ".join(str(v) for v in self.shape)


def per_axis(value, n, what):
    if isinstance(value, list):
        if len(value) != n:
            raise CountError("%s has %d entries for %d spatial axes" % (what, len(value), n))
        return [int(v) for v in value]
    return [int(value)] * n


def window_output(size, kernel, stride, dilation, pad_before, pad_after, ceil=False):
    k_eff = dilation * (kernel - 1) + 1
    span = size + pad_before + pad_after - k_eff
    if span < 0:
        raise CountError("window %d larger than input %d" % (k_eff, size))
    if ceil:
        out = -(-span // stride) + 1
        if (out - 1) * stride >= size + pad_before:
            out -= 1
    else:
        out = span // stride + 1
    return out


def paddings(layer, sizes, kernels, strides, dilations):
    padding = layer.get("padding", 0)
    n = len(sizes)
    if padding == "valid":
        return [(0, 0)] * n
    if padding == "same":
        result = []
        for size, k, s, d in zip(sizes, kernels, strides, dilations):
            out = -(-size // s)
            total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
            result.append((total // 2, total - total // 2))
        return result
    return [(p, p) for p in per_axis(padding, n, "padding")]


def broadcast(shapes):
    rank = max(len(s) for s in shapes)
    out = []
    for axis in range(rank):
        sizes = set()
        for s in shapes:
            i = axis - (rank - len(s))
            if i >= 0:
                sizes.add(s[i])
        sizes.discard(1)
        if len(sizes) > 1:
            raise CountError("shapes %s do not broadcast" % (shapes,))
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


ELEMENTWISE = {
    "relu", "relu6", "leaky_relu", "elu", "sigmoid", "tanh", "gelu", "silu",
    "hardswish", "softmax", "hardsigmoid", "softplus", "mish", "identity", "clip",
    "dropout", "stochastic_depth", "lrn", "l2_norm",
}
MERGES = {"add", "mul", "sub", "div", "max", "min"}


def count_layer(layer, ins):
    """Returns (output Tensor, trainable, non-trainable, MACs) of one layer."""
    kind = layer["type"]
    x = ins[0] if ins else None
    params = 0
    fixed = 0
    macs = 0

    if kind == "input":
        return Tensor(layer["shape"], layer.get("layout")), 0, 0, 0

    if kind in ("conv", "deconv"):
        if x.layout != "map":
            raise CountError("%s needs a map, got %s" % (kind, x.layout))
        n = len(x.spatial)
        c_in = x.shape[0]
        filters = layer["filters"]
        groups = layer.get("groups", 1)
        kernels = per_axis(layer["kernel"], n, "kernel")
        strides = per_axis(layer.get("stride", 1), n, "stride")
        dilations = per_axis(layer.get("dilation", 1), n, "dilation")
        pads = paddings(layer, x.spatial, kernels, strides, dilations)
        if kind == "conv":
            out = [window_output(size, k, s, d, pb, pa) for size, k, s, d, (pb, pa)
                   in zip(x.spatial, kernels, strides, dilations, pads)]
            params = filters * math.prod(kernels) * c_in // groups
            macs = math.prod(out) * c_in // groups * filters * math.prod(kernels)
        else:
            extra = per_axis(layer.get("output_padding", 0), n, "output_padding")
            out = [(size - 1) * s - pb - pa + d * (k - 1) + 1 + e
                   for size, k, s, d, (pb, pa), e
                   in zip(x.spatial, kernels, strides, dilations, pads, extra)]
            params = c_in * math.prod(kernels) * filters // groups
            macs = math.prod(x.spatial) * c_in * filters // groups * math.prod(kernels)
        if layer.get("bias", True):
            params += filters
        return Tensor([filters] + out, "map"), params, 0, macs

    if kind in ("max_pool", "avg_pool"):
        n = len(x.spatial)
        kernels = per_axis(layer["kernel"], n, "kernel")
        strides = per_axis(layer.get("stride", layer["kernel"]), n, "stride")
        pads = paddings(layer, x.spatial, kernels, strides, [1] * n)
        ceil = layer.get("rounding", "floor") == "ceil"
        out = [window_output(size, k, s, 1, pb, pa, ceil)
               for size, k, s, (pb, pa) in zip(x.spatial, kernels, strides, pads)]
        return Tensor([x.shape[0]] + out, "map"), 0, 0, 0

    if kind in ("global_avg_pool", "global_max_pool"):
        if x.layout == "map":
            return Tensor([x.shape[0]] + [1] * len(x.spatial), "map"), 0, 0, 0
        if x.layout == "tokens":
            return Tensor([x.shape[1]]), 0, 0, 0
        raise CountError("global pooling of a vector")

    if kind in ("adaptive_avg_pool", "adaptive_max_pool"):
        out = per_axis(layer["output_size"], len(x.spatial), "output_size")
        return Tensor([x.shape[0]] + out, "map"), 0, 0, 0

    if kind == "dense":
        units = layer["units"]
        if x.layout == "tokens":
            t, d = x.shape
            params = d * units
            macs = t * d * units
            out = Tensor([t, units], "tokens")
        else:
            inputs = x.numel()
            params = inputs * units
            macs = inputs * units
            out = Tensor([units])
        if layer.get("bias", True):
            params += units
        return out, params, 0, macs

    if kind == "flatten":
        return Tensor([x.numel()]), 0, 0, 0

    if kind == "batch_norm":
        c = x.features()
        return x, 2 * c, 2 * c, 0

    if kind == "layer_norm":
        c = x.features()
        if layer.get("affine", True):
            params = c * (2 if layer.get("bias", True) else 1)
        return x, params, 0, 0

    if kind == "rms_norm":
        return x, x.features(), 0, 0

    if kind == "group_norm":
        return x, (2 * x.features() if layer.get("affine", True) else 0), 0, 0

    if kind == "instance_norm":
        return x, (2 * x.features() if layer.get("affine", False) else 0), 0, 0

    if kind == "scale":
        if layer.get("learned", False):
            c = x.features()
            params = c * (2 if layer.get("bias", True) else 1)
        return x, params, 0, 0

    if kind == "prelu":
        return x, (1 if layer.get("shared", True) else x.features()), 0, 0

    if kind in ELEMENTWISE:
        return x, 0, 0, 0

    if kind in MERGES:
        shape = broadcast([t.shape for t in ins])
        layout = max(ins, key=lambda t: len(t.shape)).layout
        return Tensor(shape, layout), 0, 0, 0

    if kind == "concat":
        axis = layer.get("axis", 0)
        rank = len(x.shape)
        axis = axis % rank
        for t in ins[1:]:
            if len(t.shape) != rank or any(a != b for i, (a, b) in enumerate(zip(t.shape, x.shape))
                                            if i != axis):
                raise CountError("concat of %s and %s on axis %d" % (x, t, axis))
        shape = list(x.shape)
        shape[axis] = sum(t.shape[axis] for t in ins)
        return Tensor(shape, x.layout), 0, 0, 0

    if kind == "embedding":
        if x.layout != "vector":
            raise CountError("embedding needs a vector of ids")
        v, d = layer["vocabulary"], layer["dimension"]
        return Tensor([x.shape[0], d], "tokens"), v * d, 0, 0

    if kind == "position_embedding":
        # "encoding" in the format as implemented; "mode" in the first draft
        # of the kinds specification.
        mode = layer.get("encoding", layer.get("mode", "learned"))
        if mode == "learned":
            positions = layer["positions"]
            if x.shape[0] > positions:
                raise CountError("%d tokens, %d positions" % (x.shape[0], positions))
            params = positions * x.shape[-1]
        return x, params, 0, 0

    if kind == "class_token":
        k = layer.get("tokens", 1)
        t, d = x.shape
        return Tensor([t + k, d], "tokens"), k * d, 0, 0

    if kind == "to_tokens":
        return Tensor([math.prod(x.spatial), x.shape[0]], "tokens"), 0, 0, 0

    if kind == "to_map":
        t, d = x.shape
        if "output_size" in layer:
            size = layer["output_size"]
            if math.prod(size) != t:
                raise CountError("to_map of %d tokens into %s" % (t, size))
            return Tensor([d] + list(size), "map"), 0, 0, 0
        return Tensor([d, t], "map"), 0, 0, 0

    if kind == "attention":
        if x.layout != "tokens":
            raise CountError("attention needs tokens")
        kv = ins[1] if len(ins) > 1 else x
        t, d = x.shape
        s, d_kv = kv.shape
        heads = layer["heads"]
        kv_heads = layer.get("kv_heads", heads)
        head_dim = layer.get("head_dim", d // heads)
        q_width = heads * head_dim
        kv_width = kv_heads * head_dim
        params = d * q_width + 2 * d_kv * kv_width + q_width * d
        if layer.get("bias", True):
            params += q_width + 2 * kv_width + d
        macs = (t * d * q_width + 2 * s * d_kv * kv_width + t * q_width * d
                + 2 * heads * t * s * head_dim)
        return x, params, 0, macs

    if kind == "window_attention":
        if x.layout != "map" or len(x.spatial) != 2:
            raise CountError("window_attention needs a 2-D map")
        c, h, w = x.shape
        heads = layer["heads"]
        window = layer["window"]
        head_dim = c // heads
        hp = -(-h // window) * window
        wp = -(-w // window) * window
        params = 4 * c * c + (2 * window - 1) ** 2 * heads
        if layer.get("bias", True):
            params += 4 * c
        macs = hp * wp * c * 4 * c + 2 * heads * hp * wp * window * window * head_dim
        return x, params, 0, macs

    if kind == "matmul":
        a, b = ins
        macs = a.shape[0] * a.shape[1] * b.shape[1]
        return Tensor([a.shape[0], b.shape[1]], "tokens"), 0, 0, macs

    if kind == "slice":
        axis = layer["axis"] % len(x.shape)
        size = len(range(x.shape[axis])[slice(layer.get("start"), layer.get("end"),
                                                 layer.get("step", 1))])
        shape = list(x.shape)
        shape[axis] = size
        return Tensor(shape, x.layout), 0, 0, 0

    if kind == "reshape":
        shape = list(layer["shape"])
        if shape.count(-1) == 1:
            known = math.prod(v for v in shape if v != -1)
            shape[shape.index(-1)] = x.numel() // known
        if math.prod(shape) != x.numel():
            raise CountError("reshape of %s to %s" % (x, layer["shape"]))
        return Tensor(shape, layer.get("layout")), 0, 0, 0

    if kind == "permute":
        order = layer["order"]
        shape = [x.shape[i] for i in order]
        if len(shape) == 2 and order == [1, 0]:
            layout = "map" if x.layout == "tokens" else "tokens"
        else:
            layout = x.layout
        return Tensor(shape, layout), 0, 0, 0

    if kind == "space_to_depth":
        b = layer["block"]
        return Tensor([x.shape[0] * b ** len(x.spatial)] + [v // b for v in x.spatial],
                      "map"), 0, 0, 0

    if kind == "depth_to_space":
        b = layer["block"]
        return Tensor([x.shape[0] // b ** len(x.spatial)] + [v * b for v in x.spatial],
                      "map"), 0, 0, 0

    if kind == "crop":
        if len(ins) > 1:
            size = list(ins[1].spatial)
        else:
            size = per_axis(layer["output_size"], len(x.spatial), "output_size")
        if any(a > b for a, b in zip(size, x.spatial)):
            raise CountError("crop of %s to %s" % (x, size))
        return Tensor([x.shape[0]] + size, "map"), 0, 0, 0

    if kind == "pad":
        pads = per_axis(layer["padding"], len(x.spatial), "padding")
        return Tensor([x.shape[0]] + [v + 2 * p for v, p in zip(x.spatial, pads)],
                      "map"), 0, 0, 0

    if kind == "upsample":
        if "output_size" in layer:
            size = per_axis(layer["output_size"], len(x.spatial), "output_size")
        else:
            scale = layer["scale"]
            scales = scale if isinstance(scale, list) else [scale] * len(x.spatial)
            size = [int(math.floor(v * s)) for v, s in zip(x.spatial, scales)]
        return Tensor([x.shape[0]] + size, "map"), 0, 0, 0

    if kind == "channel_shuffle":
        return x, 0, 0, 0

    if kind == "reduce":
        axes = sorted(a % len(x.shape) for a in layer["axes"])
        if layer.get("keep_dims", False):
            shape = [1 if i in axes else v for i, v in enumerate(x.shape)]
            return Tensor(shape, x.layout), 0, 0, 0
        return Tensor([v for i, v in enumerate(x.shape) if i not in axes]), 0, 0, 0

    raise CountError("kind %r is not in this counter" % kind)


def count_json(path, verbose=False):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    tensors = {}
    own = {}          # layer name -> its own trainable parameters
    consumed = set()
    total_params = total_fixed = total_macs = 0
    previous = None
    rows = []
    for layer in doc["layers"]:
        name = layer["name"]
        inputs = layer.get("inputs", [previous] if previous is not None else [])
        consumed.update(inputs)
        try:
            out, params, fixed, macs = count_layer(layer, [tensors[i] for i in inputs])
        except (CountError, KeyError, TypeError, ZeroDivisionError) as e:
            raise CountError("%s: layer %r (%s): %s" % (os.path.basename(path), name,
                                                       layer["type"], e))
        own[name] = params
        if "shares" in layer:
            other = layer["shares"]
            if other not in own:
                raise CountError("%s shares %r, which is not an earlier layer" % (name, other))
            # The weights are the other layer's: they must be as many.
            weights = params - (layer.get("units", layer.get("filters", 0))
                                if layer.get("bias", True) else 0)
            if weights != own[other]:
                raise CountError("%s shares %r: %d weights against %d" % (name, other, weights,
                                                                          own[other]))
            params -= weights
        tensors[name] = out
        total_params += params
        total_fixed += fixed
        total_macs += macs
        rows.append((name, layer["type"], out, params, fixed, macs))
        previous = name
    kinds = {layer["name"]: layer["type"] for layer in doc["layers"]}
    outputs = [name for name in tensors if name not in consumed and kinds[name] != "input"]
    if verbose:
        for name, kind, out, params, fixed, macs in rows:
            print("%-34s %-18s %-18s %14s %10s %18s" % (name, kind, out, "{:,}".format(params),
                                                      "{:,}".format(fixed), "{:,}".format(macs)))
    return {
        "params": total_params,
        "fixed": total_fixed,
        "macs": total_macs,
        "outputs": [(name, tensors[name].shape) for name in outputs],
        "rows": rows,
    }


# --- The PyTorch side --------------------------------------------------------

def torch_modules():
    """The hand-written networks; imported lazily so --layers needs no torch."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    def attention(q, k, v, heads, kv_heads, causal):
        b, t, _ = q.shape
        s = k.shape[1]
        head_dim = q.shape[-1] // heads
        q = q.view(b, t, heads, head_dim).transpose(1, 2)
        k = k.view(b, s, kv_heads, head_dim).transpose(1, 2)
        v = v.view(b, s, kv_heads, head_dim).transpose(1, 2)
        if kv_heads != heads:
            k = k.repeat_interleave(heads // kv_heads, dim=1)
            v = v.repeat_interleave(heads // kv_heads, dim=1)
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(head_dim)
        if causal:
            mask = torch.ones(t, s, dtype=torch.bool, device=q.device).triu(1)
            scores = scores.masked_fill(mask, float("-inf"))
        out = torch.matmul(scores.softmax(dim=-1), v)
        return out.transpose(1, 2).reshape(b, t, heads * head_dim)

    class GPT2Block(nn.Module):
        def __init__(self, d, heads, device):
            super().__init__()
            self.heads = heads
            self.ln_1 = nn.LayerNorm(d, device=device)
            self.c_attn = nn.Linear(d, 3 * d, device=device)
            self.c_proj = nn.Linear(d, d, device=device)
            self.resid_dropout = nn.Dropout(0.1)
            self.ln_2 = nn.LayerNorm(d, device=device)
            self.c_fc = nn.Linear(d, 4 * d, device=device)
            self.mlp_proj = nn.Linear(4 * d, d, device=device)
            self.mlp_dropout = nn.Dropout(0.1)

        def forward(self, x):
            q, k, v = self.c_attn(self.ln_1(x)).chunk(3, dim=-1)
            a = attention(q, k, v, self.heads, self.heads, True)
            x = x + self.resid_dropout(self.c_proj(a))
            y = self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
            return x + self.mlp_dropout(y)

    class GPT2(nn.Module):
        """GPT-2 small in Hugging Face's layout (Conv1D there, Linear here:
        the same parameters)."""

        def __init__(self, device, vocab=50257, positions=1024, d=768, layers=12, heads=12):
            super().__init__()
            self.wte = nn.Embedding(vocab, d, device=device)
            self.wpe = nn.Embedding(positions, d, device=device)
            self.drop = nn.Dropout(0.1)
            self.h = nn.ModuleList(GPT2Block(d, heads, device) for _ in range(layers))
            self.ln_f = nn.LayerNorm(d, device=device)
            self.lm_head = nn.Linear(d, vocab, bias=False, device=device)
            self.lm_head.weight = self.wte.weight

        def forward(self, ids):
            pos = torch.arange(ids.shape[1], device=ids.device)
            x = self.drop(self.wte(ids) + self.wpe(pos))
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    class BertLayer(nn.Module):
        def __init__(self, d, heads, device):
            super().__init__()
            self.heads = heads
            self.query = nn.Linear(d, d, device=device)
            self.key = nn.Linear(d, d, device=device)
            self.value = nn.Linear(d, d, device=device)
            self.attention_output = nn.Linear(d, d, device=device)
            self.attention_dropout = nn.Dropout(0.1)
            self.attention_norm = nn.LayerNorm(d, eps=1e-12, device=device)
            self.intermediate = nn.Linear(d, 4 * d, device=device)
            self.output = nn.Linear(4 * d, d, device=device)
            self.output_dropout = nn.Dropout(0.1)
            self.output_norm = nn.LayerNorm(d, eps=1e-12, device=device)

        def forward(self, x):
            a = attention(self.query(x), self.key(x), self.value(x), self.heads, self.heads, False)
            x = self.attention_norm(x + self.attention_dropout(self.attention_output(a)))
            y = self.output(F.gelu(self.intermediate(x)))
            return self.output_norm(x + self.output_dropout(y))

    class Bert(nn.Module):
        """Hugging Face's BertModel (encoder and pooler) for bert-base-uncased."""

        def __init__(self, device, vocab=30522, positions=512, types=2, d=768, layers=12,
                     heads=12):
            super().__init__()
            self.word_embeddings = nn.Embedding(vocab, d, device=device)
            self.position_embeddings = nn.Embedding(positions, d, device=device)
            self.token_type_embeddings = nn.Embedding(types, d, device=device)
            self.norm = nn.LayerNorm(d, eps=1e-12, device=device)
            self.dropout = nn.Dropout(0.1)
            self.layers = nn.ModuleList(BertLayer(d, heads, device) for _ in range(layers))
            self.pooler = nn.Linear(d, d, device=device)

        def forward(self, ids, types):
            pos = torch.arange(ids.shape[1], device=ids.device)
            x = self.word_embeddings(ids) + self.token_type_embeddings(types)
            x = self.dropout(self.norm(x + self.position_embeddings(pos)))
            for layer in self.layers:
                x = layer(x)
            return torch.tanh(self.pooler(x[:, 0]))

    class RMSNorm(nn.Module):
        def __init__(self, d, device):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(d, device=device))

        def forward(self, x):
            return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5)

    def rotate(x, cos, sin):
        half = x.shape[-1] // 2
        rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
        return x * cos + rotated * sin

    class LlamaLayer(nn.Module):
        def __init__(self, d, hidden, heads, device):
            super().__init__()
            self.heads = heads
            self.input_layernorm = RMSNorm(d, device)
            self.q_proj = nn.Linear(d, d, bias=False, device=device)
            self.k_proj = nn.Linear(d, d, bias=False, device=device)
            self.v_proj = nn.Linear(d, d, bias=False, device=device)
            self.o_proj = nn.Linear(d, d, bias=False, device=device)
            self.post_attention_layernorm = RMSNorm(d, device)
            self.gate_proj = nn.Linear(d, hidden, bias=False, device=device)
            self.up_proj = nn.Linear(d, hidden, bias=False, device=device)
            self.down_proj = nn.Linear(hidden, d, bias=False, device=device)

        def forward(self, x, cos, sin):
            h = self.input_layernorm(x)
            b, t, d = h.shape
            hd = d // self.heads
            q = rotate(self.q_proj(h).view(b, t, self.heads, hd), cos, sin).view(b, t, d)
            k = rotate(self.k_proj(h).view(b, t, self.heads, hd), cos, sin).view(b, t, d)
            x = x + self.o_proj(attention(q, k, self.v_proj(h), self.heads, self.heads, True))
            h = self.post_attention_layernorm(x)
            return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))

    class Llama(nn.Module):
        """Llama-2-7B in Hugging Face's LlamaForCausalLM layout; the rotary
        frequencies are computed in forward (no buffers)."""

        def __init__(self, device, vocab=32000, d=4096, hidden=11008, layers=32, heads=32):
            super().__init__()
            self.heads = heads
            self.embed_tokens = nn.Embedding(vocab, d, device=device)
            self.layers = nn.ModuleList(LlamaLayer(d, hidden, heads, device)
                                        for _ in range(layers))
            self.norm = RMSNorm(d, device)
            self.lm_head = nn.Linear(d, vocab, bias=False, device=device)

        def forward(self, ids):
            t = ids.shape[1]
            hd = self.embed_tokens.embedding_dim // self.heads
            inv = 1.0 / (10000 ** (torch.arange(0, hd, 2, device=ids.device).float() / hd))
            angles = torch.outer(torch.arange(t, device=ids.device).float(), inv)
            angles = torch.cat((angles, angles), dim=-1)[None, :, None, :]
            cos, sin = angles.cos(), angles.sin()
            x = self.embed_tokens(ids)
            for layer in self.layers:
                x = layer(x, cos, sin)
            return self.lm_head(self.norm(x))

    def double_conv(cin, cout, device):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, device=device), nn.ReLU(inplace=True),
                             nn.Conv2d(cout, cout, 3, device=device), nn.ReLU(inplace=True))

    class UNet(nn.Module):
        """Ronneberger et al. 2015: unpadded convolutions, crop and concat."""

        def __init__(self, device, channels=1, classes=2, widths=(64, 128, 256, 512, 1024)):
            super().__init__()
            self.encoders = nn.ModuleList()
            cin = channels
            for w in widths:
                self.encoders.append(double_conv(cin, w, device))
                cin = w
            self.upconvs = nn.ModuleList()
            self.decoders = nn.ModuleList()
            for w in reversed(widths[:-1]):
                self.upconvs.append(nn.ConvTranspose2d(2 * w, w, 2, stride=2, device=device))
                self.decoders.append(double_conv(2 * w, w, device))
            self.output = nn.Conv2d(widths[0], classes, 1, device=device)

        def forward(self, x):
            skips = []
            for i, encoder in enumerate(self.encoders):
                if i:
                    x = F.max_pool2d(x, 2)
                x = encoder(x)
                skips.append(x)
            for upconv, decoder, skip in zip(self.upconvs, self.decoders, reversed(skips[:-1])):
                x = upconv(x)
                h, w = x.shape[-2:]
                top = (skip.shape[-2] - h) // 2
                left = (skip.shape[-1] - w) // 2
                x = decoder(torch.cat([skip[..., top:top + h, left:left + w], x], dim=1))
            return self.output(x)

    class TextCNN(nn.Module):
        """Kim 2014, CNN-non-static, with the MR data set's sizes."""

        def __init__(self, device, vocab=18765, d=300, filters=100, windows=(3, 4, 5),
                     classes=2):
            super().__init__()
            self.embedding = nn.Embedding(vocab, d, device=device)
            self.convs = nn.ModuleList(nn.Conv1d(d, filters, k, device=device) for k in windows)
            self.dropout = nn.Dropout(0.5)
            self.fc = nn.Linear(filters * len(windows), classes, device=device)

        def forward(self, ids):
            x = self.embedding(ids).transpose(1, 2)
            x = torch.cat([F.relu(conv(x)).amax(dim=2) for conv in self.convs], dim=1)
            return self.fc(self.dropout(x))

    return {"GPT2": GPT2, "Bert": Bert, "Llama": Llama, "UNet": UNet, "TextCNN": TextCNN}


def ids(length):
    """A batch of one sequence of token ids."""
    def make(device):
        import torch
        return torch.zeros(1, length, dtype=torch.long, device=device)
    return make


def image(*shape):
    """A batch of one image, clip or signal."""
    def make(device):
        import torch
        return torch.zeros(1, *shape, device=device)
    return make


# file: (builder, inputs, published figures that the JSON must reproduce).
# The first six were written before the new kinds; they are here to check the
# JSON count itself against figures Envelope's test suite already holds.
NETWORKS = {
    "alexnet.json": (("tv", "alexnet"), [image(3, 224, 224)],
                     {"params": 61100840, "macs": 714188480}),
    "vgg16.json": (("tv", "vgg16"), [image(3, 224, 224)],
                   {"params": 138357544, "macs": 15470264320}),
    "resnet18.json": (("tv", "resnet18"), [image(3, 224, 224)],
                      {"params": 11689512, "macs": 1814073344}),
    "resnet50.json": (("tv", "resnet50"), [image(3, 224, 224)],
                      {"params": 25557032, "macs": 4089184256}),
    "googlenet.json": (("tv", "googlenet", {"aux_logits": False, "init_weights": False}),
                       [image(3, 224, 224)], {"params": 6624904, "macs": 1498376192}),
    "mobilenetv2.json": (("tv", "mobilenet_v2"), [image(3, 224, 224)],
                         {"params": 3504872, "macs": 300774272}),
    "efficientnet_b0.json": (("tv", "efficientnet_b0"), [image(3, 224, 224)],
                             {"params": 5288548}),
    "mobilenet_v3_large.json": (("tv", "mobilenet_v3_large"), [image(3, 224, 224)],
                                {"params": 5483032}),
    "convnext_tiny.json": (("tv", "convnext_tiny"), [image(3, 224, 224)],
                           {"params": 28589128}),
    "vit_b_16.json": (("tv", "vit_b_16"), [image(3, 224, 224)],
                      {"params": 86567656, "macs": 17563828224}),
    "swin_t.json": (("tv", "swin_t"), [image(3, 224, 224)], {"params": 28288354}),
    "gpt2.json": (("own", "GPT2"), [ids(1024)], {"params": 124439808}),
    "bert_base.json": (("own", "Bert"), [ids(512), ids(512)], {"params": 109482240}),
    "llama2_7b.json": (("own", "Llama"), [ids(4096)], {"params": 6738415616}),
    "unet.json": (("own", "UNet"), [image(1, 572, 572)], {"output": (2, 388, 388)}),
    "r3d_18.json": (("tv", "r3d_18"), [image(3, 16, 112, 112)], {"params": 33371472}),
    "textcnn.json": (("own", "TextCNN"), [ids(56)], {}),
}


def mac_counter():
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    class MacCounter(TorchDispatchMode):
        """Multiply-adds of the ATen operators that do them, for the whole
        batch; everything else (normalization, activations, softmax, the
        elementwise products of SE blocks and layer scale, embeddings'
        look-ups) is 0, as in Envelope."""

        HANDLED = {"convolution", "mm", "addmm", "bmm", "baddbmm", "mv", "addmv", "dot"}

        def __init__(self):
            super().__init__()
            self.macs = 0
            self.by_op = {}
            self.unhandled = set()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            name = func.overloadpacket.__name__
            macs = 0
            if name == "convolution":
                x, weight = args[0], args[1]
                transposed = args[6]
                kernel = math.prod(weight.shape[2:])
                if transposed:
                    macs = x.numel() * weight.shape[1] * kernel
                else:
                    macs = out.numel() * weight.shape[1] * kernel
            elif name in ("mm", "addmm"):
                a, b = args[-2], args[-1]
                macs = a.shape[0] * a.shape[1] * b.shape[1]
            elif name in ("bmm", "baddbmm"):
                a, b = args[-2], args[-1]
                macs = a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
            elif name in ("mv", "addmv"):
                a = args[-2]
                macs = a.shape[0] * a.shape[1]
            elif name == "dot":
                macs = args[0].numel()
            elif any(word in name for word in ("conv", "mm", "matmul", "attention", "linear")):
                self.unhandled.add(name)
            if macs:
                self.macs += macs
                self.by_op[name] = self.by_op.get(name, 0) + macs
            return out

    return MacCounter()


def torch_figures(entry):
    import torch
    import torchvision

    (source, name, *options), inputs, _ = entry
    options = options[0] if options else {}
    torch.manual_seed(0)
    if source == "tv":
        model = torchvision.models.get_model(name, weights=None, **options)
    else:
        model = torch_modules()[name]("meta")
    params = sum(p.numel() for p in model.parameters())
    fixed = 0
    integer_buffers = 0
    for buffer_name, buffer in model.named_buffers():
        if buffer_name.endswith("num_batches_tracked"):
            continue
        if buffer.is_floating_point():
            fixed += buffer.numel()
        else:
            integer_buffers += buffer.numel()
    model.eval()
    model = model.to("meta")
    args = [make("meta") for make in inputs]
    counter = mac_counter()
    # Gradients stay enabled: without them nn.MultiheadAttention takes a fused
    # fast path (one operator) in eval mode.
    with counter:
        out = model(*args)
    batch = args[0].shape[0]
    if counter.unhandled:
        print("warning: operators not counted: %s" % ", ".join(sorted(counter.unhandled)),
              file=sys.stderr)
    return {
        "params": params,
        "fixed": fixed,
        "integer_buffers": integer_buffers,
        "macs": counter.macs // batch,
        "by_op": {op: macs // batch for op, macs in counter.by_op.items()},
        "output": tuple(out.shape[1:]),
    }


def fmt(value):
    return "{:,}".format(value)


def shape_text(shape):
    return "×".join(str(v) for v in shape)


def main(argv):
    parser = argparse.ArgumentParser(
        description="PyTorch reference figures for data/models/*.json, checked against "
                    "an independent count of the JSON files.")
    parser.add_argument("networks", nargs="*", help="file names in data/models (default: all)")
    parser.add_argument("--layers", action="store_true",
                        help="print the JSON count layer by layer, without PyTorch")
    parser.add_argument("--models", default=MODELS_DIR, help="folder of the JSON files")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv[1:])

    files = []
    for name in args.networks or NETWORKS:
        if not name.endswith(".json"):
            name += ".json"
        files.append(name)

    if args.layers:
        for name in files:
            print("== %s" % name)
            figures = count_json(os.path.join(args.models, name), verbose=True)
            print("total: %s trainable, %s non-trainable, %s MACs, outputs %s" % (
                fmt(figures["params"]), fmt(figures["fixed"]), fmt(figures["macs"]),
                figures["outputs"]))
        return 0

    failures = 0
    results = []
    for name in files:
        if name not in NETWORKS:
            print("%s: no PyTorch reference" % name, file=sys.stderr)
            failures += 1
            continue
        entry = NETWORKS[name]
        ref = torch_figures(entry)
        mine = count_json(os.path.join(args.models, name))
        problems = []
        if len(mine["outputs"]) != 1:
            problems.append("outputs %s" % mine["outputs"])
        json_output = mine["outputs"][-1][1] if mine["outputs"] else ()
        for key, a, b in (("params", ref["params"], mine["params"]),
                          ("non-trainable", ref["fixed"], mine["fixed"]),
                          ("MACs", ref["macs"], mine["macs"]),
                          ("output", ref["output"], json_output)):
            if a != b:
                problems.append("%s: PyTorch %s, JSON %s" % (key, a, b))
        published = entry[2]
        for key, value in published.items():
            have = {"params": mine["params"], "macs": mine["macs"], "output": json_output}[key]
            if have != value:
                problems.append("%s: published %s, JSON %s" % (key, value, have))
        failures += bool(problems)
        results.append((name, ref, mine, json_output, problems))
        print("%-24s PyTorch: %15s trainable %8s non-trainable %20s MACs  out %-12s"
              % (name, fmt(ref["params"]), fmt(ref["fixed"]), fmt(ref["macs"]),
                 shape_text(ref["output"])))
        print("%-24s JSON:    %15s trainable %8s non-trainable %20s MACs  out %-12s  %s"
              % ("", fmt(mine["params"]), fmt(mine["fixed"]), fmt(mine["macs"]),
                 shape_text(json_output), "OK" if not problems else "DIFFERS"))
        if ref["integer_buffers"]:
            print("%-24s (PyTorch also holds %s integer buffer values, not counted)"
                  % ("", fmt(ref["integer_buffers"])))
        for problem in problems:
            print("%-24s   %s" % ("", problem))
        sys.stdout.flush()

    if args.markdown:
        print()
        print("| file | PyTorch trainable | PyTorch non-trainable | PyTorch MACs | PyTorch output "
              "| JSON trainable | JSON non-trainable | JSON MACs | JSON output |")
        print("|---|---:|---:|---:|---|---:|---:|---:|---|")
        for name, ref, mine, json_output, problems in results:
            print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, fmt(ref["params"]), fmt(ref["fixed"]), fmt(ref["macs"]),
                shape_text(ref["output"]), fmt(mine["params"]), fmt(mine["fixed"]),
                fmt(mine["macs"]), shape_text(json_output)))
    if failures:
        print("%d of %d networks differ" % (failures, len(files)))
    else:
        print("all %d networks agree" % len(files))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
