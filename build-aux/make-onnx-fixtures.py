#!/usr/bin/python3
# make-onnx-fixtures.py: the ONNX files tests/test-import-onnx.c reads
#
# Development only (torch 1.13, torchvision 0.14, onnx 1.12): the suite
# reads the committed files and never needs PyTorch.  Weights are
# stripped (each initializer keeps its dims, which is all the importer
# reads), so the files stay small; the figures PyTorch gives are printed
# for the tests to write down as numbers.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import io
import os
import sys
import warnings

import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import helper, TensorProto

warnings.simplefilter("ignore")
OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/data/import/onnx"
torch.manual_seed(0)


def strip(model):
    for init in model.graph.initializer:
        init.ClearField("raw_data")
        del init.float_data[:]
        del init.int64_data[:]
        del init.int32_data[:]
    return model


def strip_constants(model):
    """Constant nodes of more than 64 values (masks, index tables) lose
    their values too: the importer reads shapes' short integer tensors
    alone, and the dims of the rest."""
    for node in model.graph.node:
        if node.op_type != "Constant":
            continue
        for a in node.attribute:
            if a.name == "value" and a.t is not None:
                count = 1
                for d in a.t.dims:
                    count *= d
                if count > 64:
                    a.t.ClearField("raw_data")
                    del a.t.float_data[:]
                    del a.t.int64_data[:]
                    del a.t.int32_data[:]
    return model


def export(name, model, x, training=True, opset=13, fold=False):
    buf = io.BytesIO()
    mode = torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL
    if not training:
        model.eval()
    torch.onnx.export(model, x, buf, training=mode, do_constant_folding=fold,
                      opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    m = strip(onnx.load_from_string(buf.getvalue()))
    if name.startswith("swin"):
        m = strip_constants(m)
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(m, path)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    with torch.no_grad():
        y = model(x)
    print(f"{name}: {os.path.getsize(path)} bytes, trainable {trainable}, "
          f"output {tuple(y.shape)}, opset {opset}")


class Dense(nn.Module):
    """DenseNet's one-input concat and an exporter's shape arithmetic."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.act = nn.SiLU()
        self.fc1 = nn.Linear(8 * 8 * 8, 32)
        self.gelu = nn.GELU()
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.cat([x])
        x = self.act(self.bn(self.conv(x)))
        x = torch.cat([x, x], 1)[:, :8]
        x = x.view(x.size(0), -1)
        x = self.gelu(self.fc1(x))
        return self.fc2(x)


class Block(nn.Module):
    """A pre-norm transformer encoder block, batch first throughout.

    The same figures as nn.TransformerEncoderLayer, exported with the
    batch axis kept first (PyTorch's own layer moves it)."""
    def __init__(self, d=64, heads=4, ff=256):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.proj = nn.Linear(d, d)
        self.drop = nn.Dropout(0.1)
        self.norm2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, ff)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(ff, d)

    def forward(self, x):
        b, t, d = x.shape
        h = self.norm1(x)
        q = self.q(h).view(b, t, self.heads, d // self.heads).transpose(1, 2)
        k = self.k(h).view(b, t, self.heads, d // self.heads).transpose(1, 2)
        v = self.v(h).view(b, t, self.heads, d // self.heads).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5, dim=-1)
        y = (a @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.drop(self.proj(y))
        return x + self.drop(self.fc2(self.act(self.fc1(self.norm2(x)))))


class Zoo(nn.Module):
    """Operators the zoo's models use, one each."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.relu6 = nn.ReLU6()
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.up = nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.leaky = nn.LeakyReLU(0.1)
        self.prelu = nn.PReLU(8)
        self.resize = nn.Upsample(scale_factor=2, mode="nearest")
        self.pad = nn.ZeroPad2d(1)
        self.avg = nn.AvgPool2d(2, ceil_mode=True)
        self.lrn = nn.LocalResponseNorm(5)
        self.dil = nn.Conv2d(8, 16, 3, dilation=2, groups=2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(self.relu6(self.conv(x)))
        x = self.prelu(self.leaky(self.up(x)))
        x = self.lrn(self.avg(self.pad(self.resize(x))))
        x = torch.tanh(self.dil(x))
        return torch.softmax(self.fc(x.mean((2, 3))), -1)


class Signal(nn.Module):
    """A 1-D convolution network."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 16, 5, padding=2)
        self.bn = nn.BatchNorm1d(16)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.bn(self.conv(x)))), 1))


class Split(nn.Module):
    """torch.split: a Split with three outputs."""
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 48)

    def forward(self, x):
        a, b, c = torch.split(self.fc(x), [16, 16, 16], dim=1)
        return a * torch.sigmoid(b) + c


class Odd(nn.Module):
    """An operator Envelope has no kind for."""
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)

    def forward(self, x):
        return torch.cumsum(self.fc(x), 1)


def hostile():
    # A 2 GiB claim: an initializer of 2^31 × 2^31 values.
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2 ** 31, 2 ** 31])
    g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="/fc/MatMul")],
        "huge",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2 ** 31])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [w])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, os.path.join(OUT, "hostile-dims.onnx"))
    # A cycle: each node reads the other's output.
    g = helper.make_graph(
        [helper.make_node("Relu", ["x", "b"], ["a"], name="/first/Relu"),
         helper.make_node("Add", ["a", "x"], ["b"], name="/second/Add")],
        "cycle",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 4])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, os.path.join(OUT, "hostile-cycle.onnx"))


class LSTMLM(nn.Module):
    """A two-layer LSTM language model, batch first: two LSTM nodes."""
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 128)
        self.rnn = nn.LSTM(128, 256, num_layers=2, batch_first=True)
        self.out = nn.Linear(256, 1000)

    def forward(self, x):
        y, _ = self.rnn(self.emb(x))
        return self.out(y)


class GRUClassifier(nn.Module):
    """A bidirectional GRU read at its last step."""
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5000, 64)
        self.rnn = nn.GRU(64, 128, bidirectional=True, batch_first=True)
        self.out = nn.Linear(256, 4)

    def forward(self, x):
        y, _ = self.rnn(self.emb(x))
        return self.out(y[:, -1])


class LSTMState(nn.Module):
    """An LSTM whose final hidden state is classified."""
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(40, 96, batch_first=True)
        self.out = nn.Linear(96, 10)

    def forward(self, x):
        _, (h, _) = self.rnn(x)
        return self.out(h[-1])


class CausalSelfAttention(nn.Module):
    """GPT-2's attention as minGPT writes it: one Linear for q, k and v,
    split, heads by view and transpose, a causal mask filled in."""
    def __init__(self, d, heads, context):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.register_buffer("bias", torch.tril(torch.ones(context, context)).view(1, 1, context, context))

    def forward(self, x):
        b, t, c = x.size()
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        a = (q @ k.transpose(-2, -1)) * (1.0 / (k.size(-1) ** 0.5))
        a = a.masked_fill(self.bias[:, :, :t, :t] == 0, float("-inf")).softmax(dim=-1)
        return self.c_proj((a @ v).transpose(1, 2).contiguous().view(b, t, c))


class GPTBlock(nn.Module):
    def __init__(self, d, heads, context):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads, context)
        self.ln_2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.proj(nn.functional.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    """A small GPT-2: token and position tables, the head tied to wte."""
    def __init__(self, vocabulary=1000, context=64, d=128, heads=4, layers=2):
        super().__init__()
        self.wte = nn.Embedding(vocabulary, d)
        self.wpe = nn.Embedding(context, d)
        self.h = nn.ModuleList([GPTBlock(d, heads, context) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocabulary, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, idx):
        positions = torch.arange(0, idx.size(1), dtype=torch.long).unsqueeze(0)
        x = self.wte(idx) + self.wpe(positions)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


class ChannelsLastOpen(nn.Module):
    """A map turned channels last and never back (as Swin keeps it): a
    Linear on each position, then the positions averaged."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.norm = nn.LayerNorm(16)
        self.fc = nn.Linear(16, 32)
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = self.fc(self.norm(self.conv(x).permute(0, 2, 3, 1)))
        return self.head(x.mean(dim=(1, 2)))


class MixerBlock(nn.Module):
    def __init__(self, tokens, d):
        super().__init__()
        self.n1 = nn.LayerNorm(d)
        self.tok = nn.Sequential(nn.Linear(tokens, 2 * tokens), nn.GELU(), nn.Linear(2 * tokens, tokens))
        self.n2 = nn.LayerNorm(d)
        self.ch = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.tok(self.n1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.ch(self.n2(x))


class Mixer(nn.Module):
    """MLP-Mixer: the token-mixing MLP on the sequence's transpose."""
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 64, 8, 8)
        self.blocks = nn.Sequential(MixerBlock(16, 64), MixerBlock(16, 64))
        self.norm = nn.LayerNorm(64)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        x = self.stem(x).flatten(2).transpose(1, 2)
        return self.head(self.norm(self.blocks(x)).mean(1))


class TransformerLM(nn.Module):
    """nn.TransformerEncoder as a language model: a learned position
    tensor added, and a float causal mask added to the scores."""
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 128)
        self.pos = nn.Parameter(torch.randn(1, 32, 128))
        layer = nn.TransformerEncoderLayer(128, 4, 512, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)
        self.ln = nn.LayerNorm(128)
        self.out = nn.Linear(128, 1000, bias=False)
        self.register_buffer("mask", torch.triu(torch.full((32, 32), float("-inf")), 1))

    def forward(self, x):
        return self.out(self.ln(self.enc(self.emb(x) + self.pos, mask=self.mask)))


def trained(model):
    """Weights as training leaves them: no two alike.  An untrained
    model's equal tensors (LayerNorm's ones and zeros) are written once
    and shared through Identity nodes, as no trained model's are."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.01)
    return model


os.makedirs(OUT, exist_ok=True)
if os.environ.get("ONLY_CONVNEXT"):
    # channels-last blocks: Transpose, LayerNorm and Linear, Transpose back
    export("convnext-tiny", trained(torchvision.models.convnext_tiny()), torch.randn(1, 3, 224, 224),
           training=False, fold=True)
    export("channels-last-open", trained(ChannelsLastOpen()), torch.randn(1, 3, 8, 8), training=False, fold=True)
    sys.exit(0)
def swin():
    """A small Swin: two stages of two blocks, windows of 4 (the second
    block of the first stage shifted), patch merging between."""
    from torchvision.models.swin_transformer import SwinTransformer
    return SwinTransformer(patch_size=[4, 4], embed_dim=32, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4],
                           stochastic_depth_prob=0.0, num_classes=10)


if os.environ.get("ONLY_SWIN"):
    export("swin-small", trained(swin()), torch.randn(1, 3, 32, 32), training=False, fold=True)
    sys.exit(0)
if os.environ.get("ONLY_MIXER"):
    export("mixer", trained(Mixer()), torch.randn(1, 3, 32, 32), training=False, opset=14, fold=True)
    sys.exit(0)
if os.environ.get("ONLY_GPT"):
    # trained (no constant folding: the tied head reads wte.weight) and deployed
    export("gpt-tied", trained(GPT()), torch.randint(0, 1000, (1, 64)), training=True, opset=14)
    export("gpt-folded", trained(GPT()), torch.randint(0, 1000, (1, 64)), training=False, opset=14, fold=True)
    export("transformer-lm", trained(TransformerLM()), torch.randint(0, 1000, (1, 32)), training=False, opset=14,
           fold=True)
    sys.exit(0)
if os.environ.get("ONLY_RECURRENT"):
    export("lstm-lm", LSTMLM(), torch.randint(0, 1000, (1, 32)), training=False, opset=14, fold=True)
    export("gru-classifier", GRUClassifier(), torch.randint(0, 5000, (1, 50)), training=False, opset=14, fold=True)
    export("lstm-state", LSTMState(), torch.randn(1, 20, 40), training=False, opset=14, fold=True)
    sys.exit(0)
if os.environ.get("ONLY_VIT"):
    # patches to tokens, the class token expanded to the batch, the
    # position embedding added, the class token's output gathered
    export("vit-b-16", trained(torchvision.models.vit_b_16()), torch.randn(1, 3, 224, 224),
           training=False, fold=True)
    sys.exit(0)
if os.environ.get("ONLY_ZOO"):
    export("split", Split(), torch.randn(1, 16), training=True)
    export("zoo", Zoo(), torch.randn(1, 3, 32, 32), training=True)
    export("signal", Signal(), torch.randn(1, 2, 100), training=True)
    sys.exit(0)
if os.environ.get("ONLY_TRANSFORMER"):
    tok = torch.randn(1, 10, 64)
    block = Block()
    export("transformer-encoder", block, tok, training=True, opset=14)
    export("transformer-encoder-17", block, tok, training=True, opset=17)
    export("transformer-torch", nn.TransformerEncoderLayer(64, 4, dim_feedforward=256, batch_first=True),
           tok, training=True, opset=14)
    sys.exit(0)
img = torch.randn(1, 3, 224, 224)
export("resnet18-train", torchvision.models.resnet18(), img, training=True)
export("resnet18-eval", torchvision.models.resnet18(), img, training=False, fold=True)
export("mobilenet-v3-small", torchvision.models.mobilenet_v3_small(), img, training=True)
tok = torch.randn(1, 10, 64)
block = Block()
export("transformer-encoder", block, tok, training=True, opset=14)
export("transformer-encoder-17", block, tok, training=True, opset=17)
# nn.TransformerEncoderLayer moves the batch axis inside its attention
export("transformer-torch", nn.TransformerEncoderLayer(64, 4, dim_feedforward=256, batch_first=True),
       tok, training=True, opset=14)
export("dense-concat", Dense(), torch.randn(1, 3, 8, 8), training=True)
export("zoo", Zoo(), torch.randn(1, 3, 32, 32), training=True)
export("split", Split(), torch.randn(1, 16), training=True)
export("signal", Signal(), torch.randn(1, 2, 100), training=True)
export("cumsum", Odd(), torch.randn(1, 16), training=True)
export("convnext-tiny", trained(torchvision.models.convnext_tiny()), img, training=False, fold=True)
export("channels-last-open", trained(ChannelsLastOpen()), torch.randn(1, 3, 8, 8), training=False, fold=True)
export("vit-b-16", trained(torchvision.models.vit_b_16()), img, training=False, fold=True)
export("lstm-lm", LSTMLM(), torch.randint(0, 1000, (1, 32)), training=False, opset=14, fold=True)
export("gru-classifier", GRUClassifier(), torch.randint(0, 5000, (1, 50)), training=False, opset=14, fold=True)
export("lstm-state", LSTMState(), torch.randn(1, 20, 40), training=False, opset=14, fold=True)
export("gpt-tied", trained(GPT()), torch.randint(0, 1000, (1, 64)), training=True, opset=14)
export("gpt-folded", trained(GPT()), torch.randint(0, 1000, (1, 64)), training=False, opset=14, fold=True)
export("mixer", trained(Mixer()), torch.randn(1, 3, 32, 32), training=False, opset=14, fold=True)
export("transformer-lm", trained(TransformerLM()), torch.randint(0, 1000, (1, 32)), training=False, opset=14, fold=True)
export("swin-small", trained(swin()), torch.randn(1, 3, 32, 32), training=False, fold=True)
hostile()
