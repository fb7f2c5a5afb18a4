# The standard library's helpers, named with a leading `_`, are hidden from programs: calling
# one is an error that names the file it belongs to (a builtin helper too).
let C = zeros([2, 2], dtype=f64)
print(_ot_check(uniform(2), uniform(2), C, 0.1, "mine", true))
print(_sinkhorn_newton(uniform(2), uniform(2), C, 0.1, zeros(2), zeros(2), 1e-9, 10, 0.5).cost)
