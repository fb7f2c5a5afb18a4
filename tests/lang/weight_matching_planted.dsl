# Weight matching recovers a planted permutation exactly: b is a with its hidden units permuted by
# Q (random, per layer), and weight_matching(a, b) finds the inverse, so its b aligned equals a
# bit for bit. One hidden layer (no fixed point to iterate: one assignment), and three of 24
# units. The permuted network computes the same function; interpolating a with itself aligned
# is a, so its loss barrier is 0.
fn planted(depth, width, seed) {
  let a = mlp_init(3, width, depth, 2, seed=seed)
  let Q[l < depth, i < width] = argsort(rand([depth, width], seed=seed + 100))[l, i]
  let b = permute_mlp(a, Q)
  let w = weight_matching(a, b, seed=seed)
  let back[l, i] = w.perm[l, Q[l, i]] == i
  let x = randn([16, 3], seed=seed + 200)
  {same_function: max(abs(mlp_forward(a, x) - mlp_forward(b, x))) < 1e-5, moved: tree_sum(fn(p, q) = sum(abs(p - q)), a, b) > 0,
   recovered: all(back), equal: tree_sum(fn(p, q) = sum(abs(p - q)), a, w.params), converged: w.converged}
}
print(planted(1, 8, 1))
print(planted(3, 24, 2))
let a = mlp_init(3, 8, 2, 2, seed=5)
let x = randn([16, 3], seed=6)
let y = argmax(mlp_forward(a, x), axis=1)
let lb = loss_barrier(a, weight_matching(a, permute_mlp(a, argsort(rand([2, 8], seed=9), axis=1))).params,
                      fn(p) = cross_entropy(mlp_forward(p, x), y), steps=5)
print(lb.alphas, lb.barrier, max(lb.losses) - min(lb.losses))
