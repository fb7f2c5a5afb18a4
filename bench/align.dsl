# align.dsl: linear_sum_assignment on a cost from a .npy file (the best of three calls), and
# weight matching of two MLPs 784-512-512-512-10; prints the two times in seconds and the cost.
# (bench/align.sh)
arg costs: str
let C: f64[n, m] = load(costs)
let r = iterate t = inf, k = 0, cost = 0.0 {
  let t0 = now()
  let a = linear_sum_assignment(C)
  t = min(t, now() - t0)
  cost = a.cost
  k = k + 1
} max 3
let a = mlp_init(784, 512, 3, 10, seed=1)
let b = mlp_init(784, 512, 3, 10, seed=2)
let t1 = now()
let w = weight_matching(a, b)
print(r.t, now() - t1, r.cost, w.sweeps)
