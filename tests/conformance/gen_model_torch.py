#!/usr/bin/python3
"""Writes the PyTorch round trip of a `model` (tests/lang/model_torch.dsl).

The model: self-attention (nn.MultiheadAttention, batch_first, a causal mask), then a ModuleList
of two residual blocks (LayerNorm, Linear, ReLU) and a Linear head, written once as torch modules
here and once as sinter models in the test (stdlib/layers.dsl's layers). Their state_dict names
are the same: attn.in_proj_weight, attn.out_proj.bias, layers.0.norm.weight, layers.1.lin.bias,
head.weight, ...

PyTorch to sinter: the torch model from torch.manual_seed(0), saved as safetensors
(torch_model.safetensors) with an input x and its output (model_io.safetensors).

sinter to PyTorch: sinter builds the model with seed=5 and saves it (the program below, run with
build/bin/sinter); torch loads it with load_state_dict(strict=True), which checks every name,
shape and dtype, and writes its output on x (sinter_model_io.safetensors).

Run from the repository's root: /usr/bin/python3 tests/conformance/gen_model_torch.py (needs
build/bin/sinter; writes tests/conformance/checkpoint/)."""
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_checkpoint import OUT, load, save  # noqa: E402  (the stdlib safetensors reader/writer)

E, HEADS, DEPTH, C, B, S = 8, 2, 2, 3, 2, 5


class Block(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = torch.nn.LayerNorm(d)
        self.lin = torch.nn.Linear(d, d)

    def forward(self, x):
        return x + torch.relu(self.lin(self.norm(x)))


class Deep(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = torch.nn.MultiheadAttention(E, HEADS, batch_first=True)
        self.layers = torch.nn.ModuleList([Block(E) for _ in range(DEPTH)])
        self.head = torch.nn.Linear(E, C)

    def forward(self, x):
        mask = torch.triu(torch.ones(S, S, dtype=torch.bool), 1)
        h = self.attn(x, x, x, attn_mask=mask, need_weights=False)[0].reshape(B * S, E)
        for layer in self.layers:
            h = layer(h)
        return self.head(h)


SINTER_PROG = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lang", "model_torch.dsl")).read()
SINTER_PROG = SINTER_PROG[SINTER_PROG.index("model Block"):SINTER_PROG.index("# --- end of the models")]
SINTER_PROG += 'save(Deep(%d, %d, %d, %d, seed=5), "%%s")\n' % (E, HEADS, DEPTH, C)

torch.manual_seed(0)
net = Deep()
# LayerNorm's weight and bias start at 1 and 0: perturbed, so a swapped name would show
with torch.no_grad():
    for layer in net.layers:
        layer.norm.weight.add_(0.1 * torch.randn(E))
        layer.norm.bias.add_(0.1 * torch.randn(E))
    net.attn.in_proj_bias.add_(0.1 * torch.randn(3 * E))
x = torch.randn(B, S, E)
with torch.no_grad():
    save(os.path.join(OUT, "torch_model.safetensors"), net.state_dict())
    save(os.path.join(OUT, "model_io.safetensors"), {"x": x, "y": net(x)})
    with tempfile.TemporaryDirectory() as tmp:
        st = os.path.join(tmp, "model.safetensors")
        prog = os.path.join(tmp, "save.dsl")
        with open(prog, "w") as f:
            f.write(SINTER_PROG % st)
        subprocess.run(["build/bin/sinter", "run", "--no-cache", prog], check=True)
        mine = Deep()
        mine.load_state_dict(load(st), strict=True)
        save(os.path.join(OUT, "sinter_model_io.safetensors"), {"y": mine(x)})
print("wrote", OUT)
