# exit: 1
# At eps = 1e-4 on a cost in [0, 1], exp(-C/eps) underflows in f64: the scaling form stops and
# points to the log-domain solver instead of returning NaN.
let x = linspace(0, 1, 30, dtype=f64)
let y = linspace(0, 1, 20, dtype=f64) * 0.5 + 0.5
let C[i, j] = (x[i] - y[j])^2
print(sinkhorn(uniform(30), uniform(20), C, eps=1e-4).cost)
