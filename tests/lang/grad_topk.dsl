# modes: jit interp
# topk's values have a gradient, as torch.topk's: each selected element takes the gradient of its
# place among the k, the others 0 (the values are read from x at the indices; tests/lang/topk*
# check the values and indices themselves).
let x = randn([4, 6], seed=1, dtype=f64)
let w = randn([4, 2], seed=2, dtype=f64)
fn scatter(ind: i64[n, k], g: f64[n, k]) {
  let d[i < n, c < 6] = sum(j < k) if ind[i, j] == c then g[i, j] else 0
  d
}
fn close(name, a, b) { print(name, max(abs(a - b)) == 0) }
let t2 = topk(x, 2)
close("largest", grad(fn(x) = sum(topk(x, 2).values * w))(x), scatter(t2.indices, w))
let s3 = topk(x, 3, largest=false)
let w3 = randn([4, 3], seed=3, dtype=f64)
close("smallest", grad(fn(x) = sum(topk(x, 3, largest=false).values * w3))(x), scatter(s3.indices, w3))
# ties go to the first indices, as the values do
let t = f64([[2, 5, 5, 1, 5, 0]])
print("ties", grad(fn(t) = sum(topk(t, 2).values * f64([[1, 10]])))(t))
# k = 0 and k = n
close("k = 0", grad(fn(x) = sum(topk(x, 0).values))(x), zeros([4, 6], dtype=f64))
close("k = n", grad(fn(x) = sum(topk(x, 6).values * 2))(x), zeros([4, 6], dtype=f64) + 2)
fn report(name, r) { print(name, r.error < 1) }
report("gradcheck", gradcheck(fn(x) = sum(topk(x, 2).values^2 * w), x))
