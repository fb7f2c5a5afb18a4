# modes: jit interp
# Gradients of quantile and median, as torch.quantile's: NumPy's linear method interpolates
# between the elements of ranks floor(h) and floor(h) + 1, h = (n - 1) q, so they get
# 1 - (h - floor(h)) and h - floor(h) of the gradient; the median is q = 1/2 (the mean of the
# two middle elements of an even line).
let x = f64([3, 1, 4, 1.5, 5])
print("q = 0.3", grad(fn(x) = quantile(x, 0.3))(x))
print("q = 1", grad(fn(x) = quantile(x, 1.0))(x))
print("median, even", grad(fn(x) = median(x))(f64([4, 1, 3, 2])))
print("median, odd", grad(fn(x) = median(x))(x))
# a vector of q: each statistic's gradient, added
let w = f64([1, 10, 100])
print("q vector", grad(fn(x) = sum(quantile(x, f64([0.3, 0.5, 1.0])) * w))(x))
# along an axis, over all elements of a matrix, and with a vector of q along an axis
let m = randn([3, 5], seed=1, dtype=f64)
let wm = randn([3], seed=2, dtype=f64)
let w5 = randn([5], seed=3, dtype=f64)
fn report(name, r) { print(name, r.error < 1) }
report("axis 1", gradcheck(fn(m) = sum(quantile(m, 0.7, axis=1) * wm), m))
report("axis 0", gradcheck(fn(m) = sum(median(m, axis=0) * w5), m))
report("all elements", gradcheck(fn(m) = quantile(m, 0.35)^2, m))
report("median of all", gradcheck(fn(m) = median(m) * 3, m))
let wq = randn([2, 5], seed=4, dtype=f64)
report("q vector, axis 0", gradcheck(fn(m) = sum(quantile(m, f64([0.25, 0.9]), axis=0) * wq), m))
