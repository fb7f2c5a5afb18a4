#!/usr/bin/python3
"""Writes the PyTorch round trip of checkpoints (tests/lang/checkpoint_torch.dsl).

PyTorch to sinter: a module with named layers (enc, dec: state_dict names enc.weight, ...) and an
nn.Sequential (0.weight, 2.weight, ...), from torch.manual_seed(0), saved as safetensors
(torch_net.safetensors, torch_seq.safetensors) with an input x and both modules' outputs
(torch_io.safetensors).

sinter to PyTorch: sinter saves the parameters it draws itself (randn with seeds 11 to 14, the
program below, run with build/bin/sinter); PyTorch loads that file into the same module with
load_state_dict(strict=True), which checks every name, shape and dtype, and its outputs on x are
written (sinter_io.safetensors) for the test to compare with sinter's own forward pass.

safetensors is read and written with the Python standard library (Debian's python3-torch 1.13 has
no safetensors package). Run from the repository's root: /usr/bin/python3
tests/conformance/gen_checkpoint.py (needs build/bin/sinter; writes tests/conformance/checkpoint/)."""
import json
import os
import struct
import subprocess
import tempfile

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpoint")
ST_DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64"}
NP_DTYPES = {v: k for k, v in ST_DTYPES.items()}


def save(path, tensors):
    header, data, offset = {}, b"", 0
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().numpy() if torch.is_tensor(t) else t)
        raw = a.tobytes()
        header[name] = {"dtype": ST_DTYPES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def load(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    out = {}
    for name, e in json.loads(b[8:8 + n]).items():
        if name == "__metadata__":
            continue
        lo, hi = e["data_offsets"]
        a = np.frombuffer(b[8 + n + lo:8 + n + hi], dtype=NP_DTYPES[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = torch.nn.Linear(4, 8)
        self.dec = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.dec(torch.tanh(self.enc(x)))


SINTER_PROG = """
let p = {enc: {weight: randn([8, 4], seed=11), bias: randn(8, seed=12)},
         dec: {weight: randn([3, 8], seed=13), bias: randn(3, seed=14)}}
save(p, "%s")
"""


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    net = Net()
    seq = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    x = torch.randn(5, 4)
    with torch.no_grad():
        save(os.path.join(OUT, "torch_net.safetensors"), net.state_dict())
        save(os.path.join(OUT, "torch_seq.safetensors"), seq.state_dict())
        save(os.path.join(OUT, "torch_io.safetensors"), {"x": x, "y_net": net(x), "y_seq": seq(x)})

        with tempfile.TemporaryDirectory() as tmp:
            st = os.path.join(tmp, "sinter.safetensors")
            prog = os.path.join(tmp, "save.dsl")
            with open(prog, "w") as f:
                f.write(SINTER_PROG % st)
            subprocess.run(["build/bin/sinter", "run", "--no-cache", prog], check=True)
            mine = Net()
            mine.load_state_dict(load(st), strict=True)
        save(os.path.join(OUT, "sinter_io.safetensors"), {"y": mine(x)})
    print("wrote", OUT)


if __name__ == "__main__":
    main()
