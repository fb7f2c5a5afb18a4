# A cost must be a matrix; the message names the parameter and both types.
let c = [0.0, 1.0, 4.0]
print(sinkhorn_log(uniform(3), uniform(3), c, 0.1).cost)
