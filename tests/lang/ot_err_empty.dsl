# exit: 1
# Empty measures once stopped with "min over an empty range"; the solver says what is empty.
let x = randn([0, 2], seed=1, dtype=f64)
let C[i, j] = sum(k) (x[i, k] - x[j, k])^2
print(sinkhorn_log(uniform(0), uniform(0), C, 0.1).cost)
