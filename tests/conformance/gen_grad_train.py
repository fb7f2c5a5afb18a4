"""Reference for tests/lang/grad_train.dsl: 20 steps of gradient descent (lr 0.1) on a small
tanh network's mean squared error, with PyTorch 1.13's autograd, in f64. Prints what the test
prints. Run with Debian's /usr/bin/python3."""
import torch

torch.set_default_dtype(torch.float64)
x = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-2.0, 1.0]])
y = torch.tensor([1.0, 2.0, 0.5, -1.5])
p = {
    "W": torch.tensor([[0.5, -0.2, 0.1], [0.3, 0.8, -0.5]], requires_grad=True),
    "b": torch.tensor([0.1, 0.0, -0.1], requires_grad=True),
    "v": torch.tensor([1.0, -1.0, 0.5], requires_grad=True),
}
loss = None
for _ in range(20):
    loss = ((torch.tanh(x @ p["W"] + p["b"]) @ p["v"] - y) ** 2).mean()
    grads = torch.autograd.grad(loss, list(p.values()))
    with torch.no_grad():
        p = {k: (w - 0.1 * g).requires_grad_() for (k, w), g in zip(p.items(), grads)}


def fmt(t):
    return "[" + ", ".join(repr(float(v)) for v in t) + "]"


print(repr(float(loss)))
W = p["W"].detach()
print("[" + fmt(W[0]) + ",\n " + fmt(W[1]) + "]")
print(fmt(p["b"].detach()), fmt(p["v"].detach()))
print(repr(float(sum((w.detach() ** 2).sum() for w in p.values()))))
