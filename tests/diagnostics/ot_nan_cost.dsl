# A NaN in the cost is found and reported by position.
let x = [0.0, 1.0, 2.0, 3.0]
let y = [0.0, 1.0, 2.0]
let C[i, j] = log(x[i] - y[j] + 1)
print(sinkhorn_log(uniform(4), uniform(3), C, eps=0.5).cost)
