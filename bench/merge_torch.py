"""merge_torch.py: TIES as mergekit computes it (mergekit/sparsify.py magnitude,
generalized_task_arithmetic.py get_mask and GTATask), in PyTorch on the CPU, over the first
TENSORS matrices of the layers of the bench's checkpoints (read with the standard library and torch.frombuffer:
the safetensors package need not be installed); prints the parameters per second.
Usage: /usr/bin/python3 bench/merge_torch.py DIR TENSORS"""
import json
import os
import struct
import sys
import time

import torch


def tensors(d):
    """name -> (file, offset, shape) of a sharded checkpoint, in the index's order."""
    index = json.load(open(os.path.join(d, "model.safetensors.index.json")))["weight_map"]
    out = {}
    for file in sorted(set(index.values())):
        path = os.path.join(d, file)
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
        for name, info in header.items():
            if name != "__metadata__":
                out[name] = (path, 8 + n + info["data_offsets"][0], info["shape"])
    return out


def read(entry):
    path, offset, shape = entry
    count = 1
    for s in shape:
        count *= s
    with open(path, "rb") as f:
        f.seek(offset)
        raw = bytearray(f.read(count * 2))
    return torch.frombuffer(raw, dtype=torch.bfloat16).reshape(shape)


def magnitude(t, density):
    k = int(density * t.numel())
    mask = torch.zeros_like(t)
    w = t.abs().view(-1).float()
    top = torch.argsort(w, descending=True)[:k]
    mask.view(-1)[top] = 1
    return t * mask


def ties(base, xs, weights, density):
    deltas = torch.stack([magnitude(x - base, density) for x in xs], dim=0)
    w = torch.tensor(weights, dtype=deltas.dtype)
    while len(w.shape) < len(deltas.shape):
        w.unsqueeze_(-1)
    wd = deltas * w
    sign = wd.sign()
    majority = (wd.sum(dim=0) >= 0).to(wd.dtype) * 2 - 1
    mask = sign == majority
    mixed = (wd * mask).sum(dim=0)
    divisor = (w * mask).sum(dim=0)
    divisor[divisor == 0] = 1
    return (base + mixed / divisor).to(base.dtype)


def main():
    d, count = sys.argv[1], int(sys.argv[2])
    base, a, b = (tensors(os.path.join(d, m)) for m in ("base", "a", "b"))
    names = [n for n in base if ".layers." in n and len(base[n][2]) == 2][:count]
    params, spent = 0, 0.0
    for name in names:
        x0, x1, x2 = read(base[name]), read(a[name]), read(b[name])
        t0 = time.perf_counter()
        ties(x0, [x1, x2], [0.5, 0.5], 0.5)
        spent += time.perf_counter() - t0
        params += x0.numel()
    print("%.0f" % (params / spent))


if __name__ == "__main__":
    main()
