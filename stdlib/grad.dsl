# Checking gradients: autodiff (grad) against central finite differences, as
# torch.autograd.gradcheck does.

# grad(f) at the float tensor x against (f(x + h e_k) - f(x - h e_k)) / 2h for every element k:
# {analytic, numeric} (both flattened, row-major) and `error`, the largest
# |analytic - numeric| / (atol + rtol |numeric|); below 1 passes. In f64 with h = 1e-6 the
# difference quotient is good to about 1e-9 relative on smooth functions.
fn gradcheck(f: fn, x: float[...], h = 1e-6, atol = 1e-7, rtol = 1e-6) {
  let df = grad(f)
  let a = flatten(df(x))
  let n = numel(x)
  let r = iterate k = 0, fd = zeros(n, dtype=f64) {
    let d = (f(_perturb(x, k, h)) - f(_perturb(x, k, -h))) / (2 * h)
    fd = where(arange(n) == k, d, fd)
    k = k + 1
  } max n
  let err = max(i) abs(a[i] - r.fd[i]) / (atol + rtol * abs(r.fd[i]))
  {analytic: a, numeric: r.fd, error: err}
}
