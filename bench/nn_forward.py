"""nn_forward.py: PyTorch's side of bench/nn_forward.dsl (one thread, f32, best of 20)."""
import time, torch, torch.nn.functional as F
torch.set_num_threads(1)
x = torch.randn(64, 1, 28, 28); W = torch.randn(32, 1, 3, 3) * 0.3; b = torch.randn(32)
mha = torch.nn.MultiheadAttention(128, 4, batch_first=True)
xt = torch.randn(16, 64, 128)
q = torch.randn(16, 4, 64, 32)
mask = torch.ones(64, 64).triu(1).bool()
def best(f, n=20):
    t = 1e9
    for _ in range(n):
        t0 = time.perf_counter(); f(); t = min(t, time.perf_counter() - t0)
    return t * 1000
core = lambda: (torch.softmax(q @ q.transpose(-1, -2) / 32 ** 0.5, -1) @ q).sum()
with torch.no_grad():
    print("torch conv2d %.3f mha %.3f causal %.3f attention core %.3f" % (best(lambda: F.conv2d(x, W, b, padding=1).sum()), best(lambda: mha(xt, xt, xt, need_weights=False)[0].sum()), best(lambda: mha(xt, xt, xt, attn_mask=mask, need_weights=False)[0].sum()), best(core)))
