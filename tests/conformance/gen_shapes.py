#!/usr/bin/python3
"""gen_shapes.py: writes tests/lang/shapes_index.dsl and its expected output shapes_index.out,
NumPy as the reference: step slices (Python's rules, negative steps), x.T, x.shape, reshape,
flatten, concat, stack, integer index arrays (gathers, negative indices counted from the end)
and boolean masks. Each case is a sinter expression and the NumPy expression it stands for, on
the same data; the tensors are small integers or halves, which print exactly. Some sizes come
from a program argument (`n`, default 10) and some steps too (`s`, default -3), so the run-time
paths of the sizes and steps are taken too.
Run with Debian's interpreter: /usr/bin/python3 tests/conformance/gen_shapes.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DSL = os.path.join(HERE, "..", "lang", "shapes_index.dsl")


def fmt(a, indent=0):
    """A value as sinter prints it: nested lists, a row per line, a blank line between blocks."""
    a = np.asarray(a)
    if a.ndim == 0:
        return repr(float(a)) if a.dtype.kind == "f" else str(int(a))
    if a.ndim == 1:
        return "[" + ", ".join(fmt(v) for v in a) + "]"
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(fmt(sub, indent + 1) for sub in a) + "]"


def lit(a):
    a = np.asarray(a)
    if a.ndim == 1:
        return "[" + ", ".join(repr(float(v)) if a.dtype.kind == "f" else str(int(v)) for v in a) + "]"
    return "[" + ", ".join(lit(sub) for sub in a) + "]"


def main():
    rng = np.random.default_rng(14)
    n = 10
    data = {
        "v": np.arange(10) * 1.5 - 4.0,                          # f64[10]
        "m": rng.integers(-9, 10, size=(3, 4)),                  # i64[3, 4]
        "t": rng.integers(-9, 10, size=(2, 3, 4)),               # i64[2, 3, 4]
        "w": rng.integers(0, 8, size=(2, 4)),                    # i64[2, 4]
    }
    data["r"] = np.arange(n) * 2 - 7                             # i64[n], sized by the argument
    cases = [
        # step slices
        ("v[::2]", "v[::2]"), ("v[1::3]", "v[1::3]"), ("v[1:7:3]", "v[1:7:3]"), ("v[:7:2]", "v[:7:2]"),
        ("v[::-1]", "v[::-1]"), ("v[::-3]", "v[::-3]"), ("v[8:1:-2]", "v[8:1:-2]"), ("v[-2:2:-3]", "v[-2:2:-3]"),
        ("v[-1:-20:-4]", "v[-1:-20:-4]"), ("v[100:-100:-5]", "v[100:-100:-5]"), ("v[-100:100:4]", "v[-100:100:4]"),
        ("v[3::-1]", "v[3::-1]"), ("v[:3:-1]", "v[:3:-1]"), ("v[2:8:]", "v[2:8:]"), ("v[::]", "v[::]"),
        ("m[::2, ::-1]", "m[::2, ::-1]"), ("m[1, ::-2]", "m[1, ::-2]"), ("t[:, ::-1, 1::2]", "t[:, ::-1, 1::2]"),
        ("r[::3]", "r[::3]"), ("r[n - 2::-2]", "r[n - 2::-2]"), ("r[1:n:4]", "r[1:n:4]"),
        ("sum(r[::-1] * r)", "np.sum(r[::-1] * r)"), ("r[::s]", "r[::s]"), ("r[n - 2:0:s]", "r[n - 2:0:s]"),
        ("v[::s + 5]", "v[::s + 5]"), ("v[2::-s]", "v[2::-s]"),
        # x.T and x.shape
        ("m.T", "m.T"), ("t.T", "t.T"), ("v.T", "v.T"), ("m.T[1:3, ::-1]", "m.T[1:3, ::-1]"), ("(m.T @ m)", "m.T @ m"),
        ("m.shape", "np.array(m.shape)"), ("t.shape", "np.array(t.shape)"), ("t.shape[2]", "t.shape[2]"),
        ("t.shape[-3]", "t.shape[-3]"), ("r.shape[0]", "r.shape[0]"), ("zeros(m.shape, dtype=i64) + m", "np.zeros(m.shape, np.int64) + m"),
        # reshape and flatten
        ("reshape(m, [4, 3])", "m.reshape(4, 3)"), ("reshape(m, [2, -1])", "m.reshape(2, -1)"),
        ("reshape(m, [-1, 6])", "m.reshape(-1, 6)"), ("reshape(t, [4, -1, 2])", "t.reshape(4, -1, 2)"),
        ("reshape(t, 24)", "t.reshape(24)"), ("reshape(m, [12, 1])", "m.reshape(12, 1)"),
        ("reshape(reshape(m, [-1]), m.shape)", "m.reshape(-1).reshape(m.shape)"),
        ("reshape(r, [2, -1])", "r.reshape(2, -1)"), ("reshape(r, [n - 5, 2])", "r.reshape(n - 5, 2)"),
        ("reshape(m.T, [2, 6])", "m.T.reshape(2, 6)"), ("flatten(t)", "t.flatten()"), ("flatten(m[:, ::-2])", "m[:, ::-2].flatten()"),
        ("flatten(v)", "v.flatten()"),
        # concat and stack
        ("concat(m, w)", "np.concatenate((m, w))"), ("concat(w, m, w, axis=0)", "np.concatenate((w, m, w), axis=0)"),
        ("concat(m, m.T[0:3, :], axis=1)", "np.concatenate((m, m.T[0:3, :]), axis=1)"),
        ("concat(m, m, axis=-1)", "np.concatenate((m, m), axis=-1)"), ("concat(v, v[::-2])", "np.concatenate((v, v[::-2]))"),
        ("concat(r, r[n - 3:])", "np.concatenate((r, r[n - 3:]))"), ("concat(t, t, axis=1)", "np.concatenate((t, t), axis=1)"),
        ("concat(m, w * 1.5)", "np.concatenate((m, w * 1.5))"),
        ("stack(m, m * 2)", "np.stack((m, m * 2))"), ("stack(m, m, m, axis=1)", "np.stack((m, m, m), axis=1)"),
        ("stack(w, w, axis=2)", "np.stack((w, w), axis=2)"), ("stack(v, v[::-1], axis=-1)", "np.stack((v, v[::-1]), axis=-1)"),
        ("stack(r, r * r)", "np.stack((r, r * r))"),
        # integer index arrays
        ("v[[3, 0, -1, 3]]", "v[[3, 0, -1, 3]]"), ("m[[2, 0]]", "m[[2, 0]]"), ("m[[2, 0], :]", "m[[2, 0], :]"),
        ("m[:, [3, -4, 1]]", "m[:, [3, -4, 1]]"), ("m[[[0, 1], [2, 2]]]", "m[[[0, 1], [2, 2]]]"),
        ("m[1, [3, 2]]", "m[1, [3, 2]]"), ("t[1, :, [0, 3]]", "t[1, :, [0, 3]]"), ("t[:, [2, 0], 1]", "t[:, [2, 0], 1]"),
        ("t[:, [1, 0]]", "t[:, [1, 0]]"), ("v[w]", "v[w]"), ("m[w[0, 0:3] % 3, 1:]", "m[w[0, 0:3] % 3, 1:]"),
        ("r[[n - 1, 0, -n]]", "r[[n - 1, 0, -n]]"), ("sum(v[w] * 2.0)", "np.sum(v[w] * 2.0)"),
        ("v[[1, 2, 3]][::-1]", "v[[1, 2, 3]][::-1]"),
        # boolean masks
        ("v[v > 0.5]", "v[v > 0.5]"), ("m[m > 0]", "m[m > 0]"), ("m[[true, false, true]]", "m[[True, False, True]]"),
        ("m[m[:, 0] > 0]", "m[m[:, 0] > 0]"), ("t[t[:, :, 0] > 0]", "t[t[:, :, 0] > 0]"), ("t[1, m > 0]", "t[1, m > 0]"),
        ("r[r % 3 == 0]", "r[r % 3 == 0]"), ("sum(v[v < 0.0])", "np.sum(v[v < 0.0])"), ("v[v > 100.0].shape[0]", "0"),
        ("v[v > 0.0] * 2.0", "v[v > 0.0] * 2.0"), ("m[:, m[0] > m[1]]", "m[:, m[0] > m[1]]"),
    ]
    s = -3
    env = dict(data, np=np, n=n, s=s)
    prog = ["# Generated by tests/conformance/gen_shapes.py from NumPy %s: step slices, x.T, x.shape," % np.__version__,
            "# reshape, flatten, concat, stack, index arrays and masks against NumPy's results.",
            "arg n: i64 = %d" % n, "arg s: i64 = %d" % s]
    for name in ("v", "m", "t", "w"):
        prog.append("let %s = %s" % (name, lit(data[name])))
    prog.append("let r = arange(n) * 2 - 7")
    want = []
    for expr, ref in cases:
        got = eval(ref, env)
        prog.append("print(%s)" % expr)
        want.append(fmt(got))
    for path, lines in ((DSL, prog), (DSL[:-4] + ".out", want)):
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
