#!/usr/bin/python3
"""gen_assignment.py: scipy.optimize.linear_sum_assignment's answers, written to
tests/conformance/assignment/ for tests/lang/linear_sum_assignment_scipy.dsl.

Run with Debian's interpreter (it has numpy and scipy): /usr/bin/python3 tests/conformance/gen_assignment.py

Files (.npy), for each case NAME:
  NAME.npy                  the cost C [n, m]
  NAME_rows, NAME_cols      scipy's pairs (i64), rows increasing
  NAME_cost                 C[rows, cols].sum() (shape [1], f64)
Cases (each minimised, and the max_* ones maximised):
  square, wide, tall        random normal costs 8 x 8, 5 x 9, 9 x 5
  ties, ties_wide           small integers (many optimal assignments: the tie breaking is scipy's)
  flat, flat_tall           every cost equal (4 x 4, 6 x 3)
  inf                       +inf forbids pairs, a feasible assignment remains
  one, row, col             1 x 1, 1 x 5, 5 x 1
  f32                       a 7 x 7 cost in f32
  int                       a 6 x 8 cost in i64
  max_square, max_wide, max_ties, max_ninf   maximised (-inf forbids)
  big                       60 x 60 random
"""
import os

import numpy as np
from scipy.optimize import linear_sum_assignment

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignment")


def case(name, C, maximize=False):
    r, c = linear_sum_assignment(C, maximize=maximize)
    np.save(os.path.join(OUT, name + ".npy"), C)
    np.save(os.path.join(OUT, name + "_rows.npy"), r.astype(np.int64))
    np.save(os.path.join(OUT, name + "_cols.npy"), c.astype(np.int64))
    np.save(os.path.join(OUT, name + "_cost.npy"), np.array([C[r, c].astype(np.float64).sum()]))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(17)
    case("square", rng.standard_normal((8, 8)))
    case("wide", rng.standard_normal((5, 9)))
    case("tall", rng.standard_normal((9, 5)))
    case("ties", rng.integers(0, 3, (7, 7)).astype(np.float64))
    case("ties_wide", rng.integers(0, 2, (4, 7)).astype(np.float64))
    case("flat", np.full((4, 4), 2.5))
    case("flat_tall", np.zeros((6, 3)))
    C = rng.standard_normal((6, 6))
    C[0, [0, 1, 2]] = np.inf
    C[[3, 4], 5] = np.inf
    case("inf", C)
    case("one", np.array([[3.25]]))
    case("row", rng.standard_normal((1, 5)))
    case("col", rng.standard_normal((5, 1)))
    case("f32", rng.standard_normal((7, 7)).astype(np.float32))
    case("int", rng.integers(-20, 20, (6, 8)).astype(np.int64))
    case("max_square", rng.standard_normal((8, 8)), True)
    case("max_wide", rng.standard_normal((4, 7)), True)
    case("max_ties", rng.integers(0, 3, (6, 6)).astype(np.float64), True)
    C = rng.standard_normal((5, 5))
    C[2, :4] = -np.inf
    case("max_ninf", C, True)
    case("big", rng.standard_normal((60, 60)))


main()
