#!/usr/bin/env python3
# measure-memory.py: what eager PyTorch really allocates in one training step
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Measures torchvision's networks (random weights, fp32 unless said) with
# cross-entropy loss and one warm-up step, and prints one JSON document:
#
#   params       bytes of parameters and buffers on the device
#   saved[B]     unique bytes autograd's saved_tensors_hooks saw in one
#                forward at batch B (loss included), parameters and buffers
#                left out
#   forward[B]   allocated at the end of the forward (loss included),
#                minus what was allocated before it
#   step[B]      max_memory_allocated over forward + backward + opt.step(),
#                minus what was allocated before the forward (parameters,
#                buffers, optimizer state; gradients set to None)
#   reserved[B]  max_memory_reserved over the same step, minus the reserved
#                bytes before it
#   inference[B] eval() under no_grad(): peak minus parameters
#   max_batch    the largest batch for which two consecutive training steps
#                ran under set_per_process_memory_fraction(budget / total)
#
# Envelope's tests carry the figures as numbers; this program is how they
# were made, and how to make them again on another device:
#
#   python3 build-aux/measure-memory.py > measured.json
import gc
import json
import sys
import time

import torch
import torch.nn as nn

try:
    import torchvision
except ImportError:           # the two reference networks, written out
    torchvision = None

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
CUDA = DEVICE == "cuda"
T0 = time.time()
LIMIT = float(sys.argv[1]) if len(sys.argv) > 1 else 420.0   # seconds for the whole run


def log(*args):
    print("[%6.1f]" % (time.time() - T0), *args, file=sys.stderr, flush=True)


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + idt)


def resnet18_written():
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Basic(cin, cout, stride), Basic(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000)]
    return nn.Sequential(*layers)


def vgg16_written():
    layers, cin = [], 3
    for v in (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"):
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU(inplace=True)]
            cin = v
    layers += [nn.AdaptiveAvgPool2d(7), nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(True), nn.Dropout(),
               nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000)]
    return nn.Sequential(*layers)


def build(name):
    if torchvision is None:
        return {"resnet18": resnet18_written, "vgg16": vgg16_written}[name]()
    m = torchvision.models
    if name == "r3d_18":
        return m.video.r3d_18()
    if name == "googlenet":
        return m.googlenet(aux_logits=False, init_weights=False)
    return getattr(m, name)()


def classes_of(name):
    return 400 if name == "r3d_18" else 1000


def shape_of(name):
    return (3, 16, 112, 112) if name == "r3d_18" else (3, 224, 224)


def sync():
    if CUDA:
        torch.cuda.synchronize()


def allocated():
    return torch.cuda.memory_allocated() if CUDA else 0


def forward_loss(model, x, y, dtype=None):
    """The forward and the cross-entropy loss, under autocast to dtype if given."""
    if dtype is None:
        return nn.functional.cross_entropy(model(x), y)
    with torch.autocast(DEVICE, dtype=dtype):
        return nn.functional.cross_entropy(model(x), y)


def one_step(model, opt, batch, dtype=None):
    x = torch.randn(batch, *shape_of(model._name), device=DEVICE)
    y = torch.randint(0, classes_of(model._name), (batch,), device=DEVICE)
    loss = forward_loss(model, x, y, dtype)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    del x, y, loss


def measure_step(model, opt, batch, dtype=None):
    """Forward, backward and step; the figures above, in bytes."""
    opt.zero_grad(set_to_none=True)
    gc.collect()
    if CUDA:
        torch.cuda.empty_cache()
    sync()
    base = allocated()
    base_reserved = torch.cuda.memory_reserved() if CUDA else 0
    if CUDA:
        torch.cuda.reset_peak_memory_stats()
    x = torch.randn(batch, *shape_of(model._name), device=DEVICE)
    y = torch.randint(0, classes_of(model._name), (batch,), device=DEVICE)
    loss = forward_loss(model, x, y, dtype)
    sync()
    forward = allocated() - base
    forward_peak = (torch.cuda.max_memory_allocated() - base) if CUDA else 0
    loss.backward()
    sync()
    backward_peak = (torch.cuda.max_memory_allocated() - base) if CUDA else 0
    grads = allocated() - base
    opt.step()
    sync()
    out = {"forward": forward, "forward_peak": forward_peak, "backward_peak": backward_peak,
           "after_backward": grads,
           "step": (torch.cuda.max_memory_allocated() - base) if CUDA else 0,
           "reserved": (torch.cuda.max_memory_reserved() - base_reserved) if CUDA else 0,
           "base": base}
    del x, y, loss
    opt.zero_grad(set_to_none=True)
    return out


def measure_saved(model, batch, dtype=None):
    params = {p.data_ptr() for p in model.parameters()} | {b.data_ptr() for b in model.buffers()}
    seen = {}
    keep = []                 # alive until the count is done, so no address is reused

    def pack(t):
        try:
            s = t.untyped_storage()
        except AttributeError:
            s = t.storage().untyped() if hasattr(t.storage(), "untyped") else t.storage()
        ptr = s.data_ptr()
        if ptr not in params and ptr != 0:
            seen[ptr] = max(seen.get(ptr, 0), s.nbytes())
        keep.append(t)
        return None           # keeping t would tie outputs to their own graph and leak them


    x = torch.randn(batch, *shape_of(model._name), device=DEVICE)
    y = torch.randint(0, classes_of(model._name), (batch,), device=DEVICE)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: None):
        loss = forward_loss(model, x, y, dtype)
    total = sum(seen.values())
    del x, y, loss, keep
    return total


def measure_inference(model, batch):
    model.eval()
    gc.collect()
    if CUDA:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    base = allocated()
    with torch.no_grad():
        x = torch.randn(batch, *shape_of(model._name), device=DEVICE)
        out = model(x)
        sync()
    peak = (torch.cuda.max_memory_allocated() - base) if CUDA else 0
    del x, out
    model.train()
    return peak


def fits(model, opt, batch, budget):
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction(budget / total)
    ok = True
    try:
        for _ in range(2):
            one_step(model, opt, batch)
        sync()
    except torch.cuda.OutOfMemoryError:
        ok = False
    opt.zero_grad(set_to_none=True)
    gc.collect()
    torch.cuda.empty_cache()
    torch.cuda.set_per_process_memory_fraction(1.0)
    return ok


def max_batch(model, opt, budget, guess):
    lo, hi = 0, max(guess, 2)
    while fits(model, opt, hi, budget):
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(model, opt, mid, budget):
            lo = mid
        else:
            hi = mid
    return lo


# name: batches for the step; batches for saved; max-batch guesses (12 GiB) or None
PLAN = [
    ("resnet18", (1, 16, 64, 128), (1, 16, 64), 540),
    ("vgg16", (1, 16, 64, 128), (1, 16, 64), 120),
    ("resnet50", (1, 16, 64), (1, 16), 150),
    ("mobilenet_v2", (1, 16, 64), (1, 16), 150),
    ("vit_b_16", (1, 16, 64), (1, 16), 90),
    ("alexnet", (1, 64), (1,), 2000),
    ("googlenet", (1, 64), (1,), 250),
    ("efficientnet_b0", (1, 64), (1,), 130),
    ("mobilenet_v3_large", (1, 64), (1,), 260),
    ("convnext_tiny", (1, 64), (1,), 110),
    ("swin_t", (1, 64), (1,), 110),
    ("r3d_18", (1, 16), (1,), 80),
]
VARIANTS = ["resnet18", "resnet50", "vgg16", "vit_b_16"]
GIB = 1 << 30
if not CUDA:                  # a quick check that the program runs
    PLAN = [(n, (1, 2), (1,), None) for n, *_ in PLAN[:2]]
    VARIANTS = []


# Where a largest batch was far from the model: the step at that batch,
# with no limit, says whether the allocated peak or the allocator's
# reserve runs out first.
NEAR_LIMIT = [("alexnet", (2499, 3375)), ("vgg16", (143, 189)), ("r3d_18", (66, 89)), ("resnet18", (562,))]


def near_limit(out):
    result = {}
    for name, batches in NEAR_LIMIT:
        model = build(name)
        model._name = name
        model.to(DEVICE).train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        one_step(model, opt, 2)
        result[name] = {str(b): measure_step(model, opt, b) for b in batches}
        for b in batches:
            if CUDA:
                torch.cuda.set_per_process_memory_fraction((12 if b == batches[0] else 16) * GIB /
                                                           torch.cuda.get_device_properties(0).total_memory)
                try:
                    result[name]["limited_%d" % b] = measure_step(model, opt, b)
                except torch.cuda.OutOfMemoryError:
                    result[name]["limited_%d" % b] = "out of memory"
                opt.zero_grad(set_to_none=True)
                gc.collect()
                torch.cuda.empty_cache()
                torch.cuda.set_per_process_memory_fraction(1.0)
        log(name, json.dumps(result[name]))
        del model, opt
        gc.collect()
        if CUDA:
            torch.cuda.empty_cache()
    with open(out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)


class Checkpointed(nn.Module):
    """A block run under torch.utils.checkpoint: it keeps its inputs only."""

    def __init__(self, block):
        super().__init__()
        self.block = block

    def forward(self, x):
        return torch.utils.checkpoint.checkpoint(self.block, x, use_reentrant=False)


# network, batch, the blocks to checkpoint (None: every one)
CHECKPOINT = [
    ("resnet50", 256, []),
    ("resnet50", 256, [("layer1", 0), ("layer1", 1), ("layer1", 2)]),
    ("resnet50", 256, None),
    ("vit_b_16", 128, []),
    ("vit_b_16", 128, None),
]


def checkpointing(out):
    result = []
    for name, batch, blocks in CHECKPOINT:
        model = build(name)
        model._name = name
        if name == "vit_b_16":
            stages = [model.encoder.layers]
        else:
            stages = [getattr(model, "layer%d" % k) for k in range(1, 5)]
        if blocks is None:
            blocks = [(s, i) for s in range(len(stages)) for i in range(len(stages[s]))]
        else:
            blocks = [(int(s[-1]) - 1, i) for s, i in blocks]
        for s, i in blocks:
            stages[s][i] = Checkpointed(stages[s][i])
        model.to(DEVICE).train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        one_step(model, opt, 2)
        r = measure_step(model, opt, batch)
        row = {"network": name, "batch": batch, "blocks": len(blocks), "total": r["base"] + r["step"], **r}
        log(json.dumps(row))
        result.append(row)
        del model, opt
        gc.collect()
        if CUDA:
            torch.cuda.empty_cache()
    with open(out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)


def workspace(out):
    """Per layer, what a forward allocates beyond its output: cuDNN's
    workspace, in inference (eval, no_grad) and in training."""
    result = {}
    for name, batch in (("vgg16", 64), ("resnet50", 64), ("resnet18", 64)):
        model = build(name)
        model._name = name
        model.to(DEVICE)
        rows = {}

        def pre(module, args):
            sync()
            module._before = allocated()
            torch.cuda.reset_peak_memory_stats()

        def post(module, args, output):
            sync()
            out_bytes = output.numel() * output.element_size() if torch.is_tensor(output) else 0
            extra = torch.cuda.max_memory_allocated() - module._before - out_bytes
            rows.setdefault(module._label, []).append(int(extra))

        for label, m in model.named_modules():
            if len(list(m.children())) == 0:
                m._label = label
                m.register_forward_pre_hook(pre)
                m.register_forward_hook(post)
        x = torch.randn(batch, *shape_of(name), device=DEVICE)
        model.eval()
        with torch.no_grad():
            model(x)
            model(x)
        inference = {k: v[-1] for k, v in rows.items()}
        rows.clear()
        model.train()
        model(x).sum().backward()
        model(x).sum().backward()
        training = {k: v[-1] for k, v in rows.items()}
        result[name] = {"batch": batch, "inference": inference, "training": training}
        top = sorted(inference.items(), key=lambda kv: -kv[1])[:5]
        log(name, "inference", top, "training", sorted(training.items(), key=lambda kv: -kv[1])[:5])
        del model, x
        gc.collect()
        torch.cuda.empty_cache()
    with open(out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)


def main():
    out = sys.argv[2] if len(sys.argv) > 2 else None
    if len(sys.argv) > 3 and sys.argv[3] == "workspace":
        workspace(out)
        return
    if len(sys.argv) > 3 and sys.argv[3] == "near-limit":
        near_limit(out)
        return
    if len(sys.argv) > 3 and sys.argv[3] == "checkpoint":
        checkpointing(out)
        return
    result = {"torch": torch.__version__, "device": DEVICE, "networks": {}}
    if CUDA:
        torch.zeros(1, device=DEVICE)
        free, total = torch.cuda.mem_get_info()
        result.update(gpu=torch.cuda.get_device_name(0), total=total, context_at_start=total - free,
                      cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version())
    if torchvision is not None:
        result["torchvision"] = torchvision.__version__
    log("start", result)
    for name, batches, saved_batches, guess in PLAN:
        if time.time() - T0 > LIMIT:
            log("out of time before", name)
            break
        try:
            result["networks"][name] = measure_network(name, batches, saved_batches, guess)
        except Exception as e:  # one network's failure must not lose the others
            log("failed", name, repr(e))
        if out is not None:
            with open(out, "w") as f:
                json.dump(result, f, indent=1, sort_keys=True)
    if CUDA:
        free, total = torch.cuda.mem_get_info()
        result["context_at_end"] = total - free - torch.cuda.memory_reserved()
    print(json.dumps(result, indent=1, sort_keys=True))


def measure_network(name, batches, saved_batches, guess):
    model = build(name)
    model._name = name
    gc.collect()
    if CUDA:
        torch.cuda.empty_cache()
    base = allocated()
    model.to(DEVICE).train()
    r = {"params": allocated() - base, "n_params": sum(p.numel() for p in model.parameters()),
         "n_buffers_bytes": sum(b.numel() * b.element_size() for b in model.buffers())}
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    one_step(model, opt, 2)
    r["sgd_momentum"] = {}
    for b in batches:
        r["sgd_momentum"][b] = measure_step(model, opt, b)
    r["saved"] = {b: measure_saved(model, b) for b in saved_batches}
    if CUDA:
        r["inference"] = {b: measure_inference(model, b) for b in (1, 16, 64)}
        free, total = torch.cuda.mem_get_info()
        r["device_used_after"] = total - free
        r["reserved_now"] = torch.cuda.memory_reserved()
    if name in VARIANTS:
        r["sgd_momentum_bf16"] = {b: measure_step(model, opt, b, torch.bfloat16) for b in (16, 64)}
        r["saved_bf16"] = {b: measure_saved(model, b, torch.bfloat16) for b in (1, 16)}
        del opt
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        one_step(model, opt, 2)
        r["adam"] = {b: measure_step(model, opt, b) for b in (1, 16, 64)}
        del opt
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        one_step(model, opt, 2)
    if CUDA and guess is not None and time.time() - T0 < LIMIT - 60:
        r["max_batch"] = {}
        for gib in (12, 16):
            r["max_batch"][gib] = max_batch(model, opt, gib * GIB, guess if gib == 12 else guess * 4 // 3)
            log(name, gib, "GiB:", r["max_batch"][gib])
    log(name, json.dumps(r))
    del model, opt
    gc.collect()
    if CUDA:
        torch.cuda.empty_cache()
    return r


if __name__ == "__main__":
    main()
