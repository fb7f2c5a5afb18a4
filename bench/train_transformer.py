"""PyTorch's side of bench/train_transformer.dsl: one training step of a 2-layer pre-norm
transformer encoder (width d, `heads` heads, a relu feed-forward of 4 d, as
nn.TransformerEncoderLayer(d, heads, 4 d, dropout=0, batch_first=True, norm_first=True)), the
loss the mean squared error against a random target, torch.optim.AdamW(lr=1e-3,
weight_decay=0.01), on a batch of b random sequences of length s: the best time per step over 3
runs of `steps` steps, in seconds, and the last loss. Usage: train_transformer.py b s d heads steps"""
import sys
import time

import torch

b, s, d, heads, steps = (int(v) for v in sys.argv[1:6])
torch.manual_seed(0)
x = torch.randn(b, s, d)
y = torch.randn(b, s, d)
layer = torch.nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True, norm_first=True)
model = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
best, loss = 1e9, None
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    best = min(best, (time.perf_counter() - t0) / steps)
print(best, float(loss))
