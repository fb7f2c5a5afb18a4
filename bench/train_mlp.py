"""PyTorch's side of bench/train_mlp.dsl: one training step of an MLP d-h-c (relu,
cross-entropy, torch.optim.AdamW(lr=1e-3, weight_decay=0.01)) on a batch of b random points, as
a PyTorch user writes it: the best time per step over 5 runs of `steps` steps, in seconds, and
the last loss. Usage: train_mlp.py d h c b steps"""
import sys
import time

import torch

d, h, c, b, steps = (int(v) for v in sys.argv[1:6])
torch.manual_seed(0)
x = torch.randn(b, d)
y = torch.randint(0, c, (b,))
model = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Linear(h, c))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
loss_fn = torch.nn.CrossEntropyLoss()
best, loss = 1e9, None
for _ in range(5):
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    best = min(best, (time.perf_counter() - t0) / steps)
print(best, float(loss))
