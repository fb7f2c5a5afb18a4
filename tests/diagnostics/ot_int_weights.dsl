let C = zeros([2, 2], dtype=f64)
let w = arange(2)
print(sinkhorn_log(w, uniform(2), C, 0.1).cost)
