# exit: 1
# Sizes known only when the program runs are checked before the solver starts.
arg n: i64 = 4
let x = randn([5, 2], seed=1)
let C[i, j] = sum(k) (x[i, k] - x[j, k])^2
print(sinkhorn_log(uniform(n), uniform(5), C, 0.1).cost)
