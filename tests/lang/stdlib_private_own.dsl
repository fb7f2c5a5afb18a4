# A program's own `_` names are its own: a function named like a library helper is the
# program's, and the library's solvers keep calling their own helper.
fn _ot_check(x) = x + 1
let C = f64([[0, 1], [1, 0]])
# the reference cost is POT's: ot.sinkhorn(a, a, C, 0.5, method="sinkhorn_log") with a = [0.5, 0.5]
let r = sinkhorn_log(uniform(2), uniform(2), C, 0.5)
print(_ot_check(41), r.converged, abs(r.cost - 0.11920292202211757) < 1e-6)
