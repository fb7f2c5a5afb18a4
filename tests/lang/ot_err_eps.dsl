# exit: 1
arg eps: f64 = 0.0
let x = [0.0, 1.0, 2.0]
let C[i, j] = (x[i] - x[j])^2
print(sinkhorn_log(uniform(3), uniform(3), C, eps).cost)
