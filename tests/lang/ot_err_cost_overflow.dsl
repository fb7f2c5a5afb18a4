# exit: 1
# C / eps overflows f32 (1e40 here): the solver once returned `nan false nan`; the check on the
# cost's range names the smallest eps it allows.
let x = randn([20, 2], seed=1)
let C[i, j] = 1e37 * sum(k) (x[i, k] - x[j, k])^2
let r = sinkhorn_log(uniform(20), uniform(20), C, 1e-3)
print(r.cost, r.converged, r.err)
