#!/usr/bin/python3
"""gen_seams.py: writes the expected output of the golden tests of iterate's counted loop, record
states and function values (tests/lang/iterate_counted.out, iterate_records.out,
iterate_record_many.out, fn_values.out):
gradient descent, plain and with momentum, on a diagonal quadratic f(x) = sum(a * (x - c)^2) / 2, whose iterates are known in closed form,
x_k = c + (1 - lr * a)^k * (x_0 - c). NumPy runs the same float64 operations in the same order
as the programs, so the programs must print these numbers exactly; each is also checked against
the closed form here (relative 1e-12).

Run with Debian's interpreter: /usr/bin/python3 tests/conformance/gen_seams.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LANG = os.path.join(HERE, "..", "lang")


def fmt(v):
    """A value as sinter prints it: shortest round-trip floats, lists in brackets."""
    if isinstance(v, np.ndarray):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))


def descent(a, c, x0, lr, steps):
    x = x0.copy()
    for _ in range(steps):
        x = x - lr * a * (x - c)
    closed = c + (1 - lr * a) ** steps * (x0 - c)
    assert np.allclose(x, closed, rtol=1e-12, atol=1e-15), (x, closed)
    return x


def counted():
    a = np.array([1.0, 2.0, 4.0])
    c = np.array([3.0, -1.0, 0.5])
    x = descent(a, c, np.zeros(3), 0.1, 25)
    return [f"{fmt(x)} 25 25", "{y: 1.0, iterations: 0}"]


def momentum(a, c, lr, beta, steps):
    """Heavy ball: m' = beta m + a (x - c), x' = x - lr m'. Checked against the powers of its
    linear map on (x - c, m), coordinate by coordinate."""
    x, m = np.zeros(3), np.zeros(3)
    for _ in range(steps):
        g = a * (x - c)
        m = beta * m + g
        x = x - lr * m
    for i in range(3):
        step = np.array([[1 - lr * a[i], -lr * beta], [a[i], beta]])
        e, mm = np.linalg.matrix_power(step, steps) @ np.array([0 - c[i], 0.0])
        assert np.isclose(e + c[i], x[i], rtol=1e-12, atol=1e-12) and np.isclose(mm, m[i], rtol=1e-12, atol=1e-12)
    return x


def records():
    a = np.array([1.0, 2.0, 4.0])
    c = np.array([3.0, -1.0, 0.5])
    x = momentum(a, c, 0.1, 0.9, 30)
    sx, z, n = 1.0, 2.0, 0
    while True:
        sx, z, n = sx / 2, z * sx, n + 1
        if sx < 0.01:
            break
    return [f"{{w: {fmt(x)}, b: 30}} 30 30",
            f"{{s: {{x: {fmt(sx)}, y: {{z: {fmt(z)}, n: {n}}}}}, iterations: {n}, converged: true}}"]


def record_many():
    """512 leaves: leaf k (0..255) starts at w = k / 2, b = k; each step halves w and adds 1 to b."""
    ks = np.arange(256)
    w, b, v = 0.5 * ks, ks.copy(), np.array([1.0, 2.0])
    for _ in range(3):
        w, b, v = w * 0.5, b + 1, v * 2
    total = float((w + b).sum())  # sixteenths and integers: exact in any order
    assert total == 17 / 16 * ks.sum() + 3 * 256
    return [f"{fmt(total)} {fmt(v)} 3 {{w: {fmt(w[255])}, b: {b[255]}}}"]


def fn_values():
    a = np.array([1.0, 2.0, 4.0])
    c = np.array([3.0, -1.0, 0.5])
    plain = descent(a, c, np.zeros(3), 0.1, 25)
    heavy = momentum(a, c, 0.1, 0.9, 30)
    x = np.array([3.0, -1.0, 1.5])
    return [f"{fmt(np.exp(1.0))} {fmt(np.sqrt(16.0))} {fmt(np.full(4, 0.25))} {fmt(2.0 * 3.0 * 3.0)} "
            f"{fmt(np.sum((np.array([1.0, 2.0]) - 0.0) ** 2))}",
            f"{(5 - 2) ** 2} [1, 4, 9] {40 + 4}",
            f"{fmt(plain)} {fmt(heavy)}",
            f"{{value: {fmt(np.sum(a * (c - c) ** 2 / 2))}, at: {fmt(c)}}} {fmt(np.sum(a * (x - c) ** 2 / 2))}"]


def write(name, lines):
    with open(os.path.join(LANG, name + ".out"), "w") as f:
        f.write("\n".join(lines) + "\n")


write("iterate_counted", counted())
write("iterate_records", records())
write("iterate_record_many", record_many())
write("fn_values", fn_values())
