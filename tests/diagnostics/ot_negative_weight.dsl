# A negative weight is named with its index and value, at the user's call.
let x = [[0.0], [1.0], [2.0]]
let C[i, j] = (x[i, 0] - x[j, 0])^2
let a = [0.5, 0.7, -0.2]
print(sinkhorn_log(a, uniform(3), C, 0.1).cost)
