# exit: 1
# In f32 exp(-C/eps) underflows past C/eps = 87.3. The stored kernel once converged on its
# underflowed entries to a plan that misses its marginals once recomputed from C (cost 14.23,
# err 0.547, converged = true; the answer is 8.042): where the underflow drops mass of the plan,
# the scaling form stops, as the documented rule says, in f32 as in f64.
let x = randn([50, 2], seed=1)
let C[i, j] = sum(k) (x[i, k] - x[j, k] + 2.0)^2
print(sinkhorn(uniform(50), uniform(50), C, 0.1).cost)
