# linear_sum_assignment against scipy.optimize.linear_sum_assignment (tests/conformance/gen_assignment.py):
# the same pairs exactly (the tie breaking too: the costs with many optimal assignments), and the
# cost within 1e-12 relative; square, rectangular both ways, ties, flat, +inf (and -inf when
# maximising) forbidding pairs, 1 x 1, a row, a column, f32 and i64 costs.
fn same(name, maximize) {
  let dir = "tests/conformance/assignment/"
  let C = load(dir + name + ".npy")
  let rows: i64[k] = load(dir + name + "_rows.npy")
  let cols: i64[k] = load(dir + name + "_cols.npy")
  let cost: f64[1] = load(dir + name + "_cost.npy")
  let r = linear_sum_assignment(C, maximize=maximize)
  all(r.rows == rows) and all(r.cols == cols) and abs(r.cost - cost[0]) <= 1e-12 * max(1.0, abs(cost[0]))
}
print(same("square", false), same("wide", false), same("tall", false), same("ties", false), same("ties_wide", false))
print(same("flat", false), same("flat_tall", false), same("inf", false), same("one", false), same("row", false), same("col", false))
print(same("f32", false), same("int", false), same("big", false))
print(same("max_square", true), same("max_wide", true), same("max_ties", true), same("max_ninf", true))
let e = linear_sum_assignment(zeros([0, 3], dtype=f64))
let t = linear_sum_assignment(zeros([3, 0], dtype=f64))
print(e.rows.shape, e.cols.shape, e.cost, t.rows.shape, t.cost)
