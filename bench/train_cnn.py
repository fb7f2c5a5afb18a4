"""PyTorch's side of bench/train_cnn.dsl: the same CNN (Conv2d 1->16 and 16->32, 3x3 with
padding 1, each followed by relu and 2x2 max pooling, then Linear(32*7*7, 10), torch's default
initialisation) trained on Fashion-MNIST with torch.optim.Adam(lr=1e-3), batches of 64 in a
seeded order, the test accuracy after each epoch: prints the seconds per epoch (training and
evaluation) and the last accuracy. Usage: train_cnn.py epochs"""
import gzip
import sys
import time

import numpy as np
import torch

DIR = "/usr/share/datasets/fashion-mnist/"


def idx(name, offset):
    with gzip.open(DIR + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def split(stem):
    x = idx(stem + "-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y = idx(stem + "-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


epochs = int(sys.argv[1])
torch.manual_seed(0)
xtr, ytr = split("train")
xte, yte = split("t10k")
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(32 * 7 * 7, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
t0 = time.perf_counter()
for _ in range(epochs):
    order = torch.randperm(len(xtr))
    for k in range(0, len(xtr) - 63, 64):
        b = order[k:k + 64]
        opt.zero_grad()
        loss_fn(model(xtr[b]), ytr[b]).backward()
        opt.step()
    with torch.no_grad():
        accuracy = float((model(xte).argmax(1) == yte).float().mean())
print((time.perf_counter() - t0) / epochs, accuracy)
