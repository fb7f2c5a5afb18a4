# modes: jit interp
# The gradient of sort: each element's is the output's at the place the element was sorted to
# (the inverse of its stable argsort), equal elements at the places the stable sort gave them,
# as the same gradient through x[argsort(x)] (a gather) and torch.sort's backward give it.
let x = randn([7], seed=1, dtype=f64)
let w = randn([7], seed=2, dtype=f64)
fn close(name, a, b) { print(name, max(abs(a - b)) == 0) }
let inv = argsort(argsort(x))
close("vector", grad(fn(x) = sum(sort(x) * w))(x), w[inv])
close("against the gather", grad(fn(x) = sum(sort(x) * w))(x), grad(fn(x) = sum(x[argsort(x)] * w))(x))
# ties: the stable order sends the first of equal elements to the first place
let t = f64([3, 1, 3, 2, 1])
let wt = f64([10, 20, 30, 40, 50])
print("ties", grad(fn(t) = sum(sort(t) * wt))(t))
# along each axis of a matrix, and a chain through sort (the sorted values squared)
let m = randn([3, 4], seed=3, dtype=f64)
let wm = randn([3, 4], seed=4, dtype=f64)
let p0 = argsort(argsort(m, axis=0), axis=0)
let d0[i < 3, j < 4] = wm[p0[i, j], j]
close("axis 0", grad(fn(m) = sum(sort(m, axis=0) * wm))(m), d0)
let p1 = argsort(argsort(m, axis=1), axis=1)
let d1[i < 3, j < 4] = wm[i, p1[i, j]]
close("axis 1", grad(fn(m) = sum(sort(m, axis=1) * wm))(m), d1)
fn report(name, r) { print(name, r.error < 1) }
report("gradcheck", gradcheck(fn(m) = sum(sort(m, axis=1)^2 * wm), m))
