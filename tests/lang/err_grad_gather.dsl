# exit: 1
# modes: jit interp
# A gradient that needs no forward value still checks the index tensor's values as the forward
# read would (the gradient groups idx's positions by value: tests/lang/grad_gather_group.dsl).
let W = randn([5, 3], seed=1, dtype=f64)
let idx = i32([[4, 0, 4], [1, 1, 7]])
fn f(W) {
  let y[i < 3, z < 2, k < 3] = W[idx[z, i], k]
  sum(y)
}
print(grad(f)(W))
