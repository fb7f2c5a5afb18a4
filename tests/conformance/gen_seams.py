#!/usr/bin/python3
"""gen_seams.py: writes the expected output of the golden tests of iterate's counted loop and
record states (tests/lang/iterate_counted.out, tests/lang/iterate_records.out): gradient descent
on a diagonal quadratic f(x) = sum(a * (x - c)^2) / 2, whose iterates are known in closed form,
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


def write(name, lines):
    with open(os.path.join(LANG, name + ".out"), "w") as f:
        f.write("\n".join(lines) + "\n")


write("iterate_counted", counted())
