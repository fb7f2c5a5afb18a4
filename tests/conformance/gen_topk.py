#!/usr/bin/python3
"""gen_topk.py: PyTorch's answers for topk, written to tests/conformance/linalg/ for
tests/lang/topk_torch.dsl.

Run with Debian's interpreter (it has torch): /usr/bin/python3 tests/conformance/gen_topk.py

torch.topk leaves the order of ties unspecified (on a CPU it differs from index order), while
sinter keeps the lower index first. So the values are torch.topk's, and the indices are those
of torch.sort(stable=True) cut to k, after checking that torch.topk agrees with them up to the
order of ties: the same values, and its own indices pointing at those values.

Files (.npy):
  topk_{f64,f32}.npy             x [4, 12]: ties, two NaN in row 0, +-inf in row 1, all NaN row 3
  topk_i64.npy                   x [4, 12] of small integers (many ties)
  topk_{f64,f32,i64}_{l,s}{K}_{v,i}  topk(x, K) (l: largest) or topk(x, K, largest=False) (s):
                                 values and indices, for K = 0, 1, 5 and 12 (the whole line)
  topk_3d.npy                    x [2, 3, 7] of rounded normals (ties)
  topk_3d_{l,s}3_{v,i}           topk along the last axis, k = 3
"""
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "linalg")


def save(name, t):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(t.numpy()))


def same(a, b):
    return bool(((a == b) | (torch.isnan(a) & torch.isnan(b)) if a.is_floating_point() else (a == b)).all())


def cases(name, x, ks):
    save("topk_" + name, x)
    for largest in (True, False):
        for k in ks:
            v, i = torch.topk(x, k, largest=largest)
            sv, si = torch.sort(x, dim=-1, descending=largest, stable=True)
            sv, si = sv[..., :k], si[..., :k]
            assert same(v, sv) and same(torch.gather(x, -1, i), v), (name, largest, k)
            tag = "topk_%s_%s%d_" % (name, "l" if largest else "s", k)
            save(tag + "v", v)
            save(tag + "i", si)


def main():
    rng = np.random.default_rng(14)
    x = np.round(rng.standard_normal((4, 12)), 1)
    x[0, [2, 7]] = np.nan
    x[0, [4, 9]] = x[0, 1]
    x[1, [0, 5]] = [np.inf, -np.inf]
    x[2, 3:7] = 0.5
    x[3, :] = np.nan
    for dt, name in ((torch.float64, "f64"), (torch.float32, "f32")):
        cases(name, torch.tensor(x, dtype=dt), (0, 1, 5, 12))
    cases("i64", torch.tensor(rng.integers(-3, 4, (4, 12)), dtype=torch.int64), (0, 1, 5, 12))
    cases("3d", torch.tensor(np.round(rng.standard_normal((2, 3, 7)), 0)), (3,))


main()
