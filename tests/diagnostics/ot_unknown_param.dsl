let C = zeros([2, 2], dtype=f64)
print(sinkhorn_log(uniform(2), uniform(2), C, 0.1, tolerance=1e-9).cost)
