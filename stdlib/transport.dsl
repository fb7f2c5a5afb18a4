# Optimal transport between discrete measures (docs/transport.md).
#
# The entropic solvers take weights a [n] and b [m] and a cost C [n, m]. C is usually a lazy
# comprehension over two point clouds, `let C[i, j] = sum(k) (x[i, k] - y[j, k])^2`: it is fused
# into the solvers' reductions and never stored, so memory stays O(n + m). They compute in C's
# element type (f32 or f64) and return a record:
#   plan        P[i, j] = a[i] b[j] exp((f[i] + g[j] - C[i, j]) / eps), lazy like C
#   cost        <P, C>, the transport cost of the plan (POT's sinkhorn2)
#   value       <a, f> + <b, g>, the entropic OT value: <P, C> + eps KL(P | a x b) at the optimum
#   f, g        the dual potentials (GeomLoss's convention; f + c, g - c is the same solution)
#   err         the marginal error of the plan, sum(i) |sum(j) P[i, j] - a[i]| (its columns
#               sum to b exactly)
#   iterations, converged

# Uniform weights 1/n, in f64.
fn uniform(n: int) = full(n, 1 / f64(n), dtype=f64)

# --- input checks, named as the solver's caller wrote them -------------------------------------

fn _ot_check_weights(w: float[n], name, solver, normalised) {
  check(min(w) >= 0, "{}: the weights `{}` must be non-negative, but {}[{}] is {}", solver, name, name, argmin(w), min(w))
  check(isfinite(sum(w)), "{}: the weights `{}` must be finite, but {}[{}] is {}", solver, name, name, argmax(w), max(w))
  check(sum(w) > 0, "{}: the weights `{}` are all zero", solver, name)
  check(not normalised or abs(sum(w) - 1) <= sqrt(epsilon(w)),
        "{}: the weights `{}` must sum to 1, but they sum to {}", solver, name, sum(w),
        hint="divide them by their total, as in a / sum(a); sinkhorn_unbalanced takes any masses")
}

# Checks a, b, C and eps; returns the largest |C[i, j]| (a pass over C, fused like the solvers').
fn _ot_check(a: float[n], b: float[m], C: float[n, m], eps, solver, normalised) {
  check(n > 0 and m > 0, "{}: the measures are empty: `a` has {} points and `b` {}; each needs at least one",
        solver, n, m)
  _ot_check_weights(a, "a", solver, normalised)
  _ot_check_weights(b, "b", solver, normalised)
  check(eps > 0 and isfinite(eps), "{}: eps must be positive and finite, got {}", solver, eps)
  let cmax = max(i, j) abs(C[i, j])
  check(isfinite(cmax), "{}: the cost `C` must be finite, but C[{}, {}] is {}", solver,
        _first_nonfinite(C).i, _first_nonfinite(C).j, _first_nonfinite(C).value)
  # The plan's exponents (f[i] + g[j] - C[i, j]) / eps are differences of numbers as large as
  # C, so C's type resolves them to about epsilon(C) max|C| / eps: beyond 2^-7 (eps below
  # max|C| 2^-45 in f64, 2^-16 in f32) no potentials of that type give a plan right to 1%, and
  # smaller eps only make it worse (at 1e-18 a 3 x 3 plan had mass 1e-25).
  let least = f64(cmax) * 128 * f64(epsilon(C))
  check(f64(eps) >= least,
        "{}: eps = {} is too small for this cost: C's type resolves the plan only for eps >= {} (max |C| = {} times 2^-45 in f64, 2^-16 in f32)",
        solver, eps, least, cmax,
        hint="as eps goes to 0 the plan becomes the exact transport plan, which emd(a, b, C) computes; an f32 cost resolves a smaller eps as f64(C)")
  cmax
}

fn _ot_check_iterations(tol, max_iter, solver) {
  check(tol >= 0, "{}: tol must be non-negative, got {}", solver, tol)
  check(max_iter >= 0, "{}: max_iter must be non-negative, got {}", solver, max_iter)
}

# A plan with columns summing to b has rows summing to sum(b), so the marginal error is at least
# the gap between the totals; the iterations stop below tol / 2 (sinkhorn_log): a larger gap
# would run every iteration in vain. (tol = 0 asks for max_iter iterations.)
fn _ot_check_masses(a: float[n], b: float[m], tol, solver) {
  let gap = abs(sum(i) f64(a[i]) - sum(j) f64(b[j]))
  check(tol == 0 or gap < tol / 2,
        "{}: the weights' totals differ by {}, and a plan's marginal error cannot go below that, but tol / 2 = {}",
        solver, gap, tol / 2, hint="divide both by their totals in f64, as f64(a) / sum(f64(a)), or raise tol")
}

# --- balanced entropic OT ----------------------------------------------------------------------

# Log-domain (stabilised) Sinkhorn: no overflow or underflow at any eps down to the smallest
# that C's type resolves (_ot_check). Alternates
#   f[i] = -eps lse(j) (log b[j] + (g[j] - C[i, j]) / eps)
#   g[j] = -eps lse(i) (log a[i] + (f[i] - C[i, j]) / eps)
# until the plan's marginal error is below tol. g0 warm-starts from an earlier solution's g.
# Each iteration estimates the marginal error from the change of f, at no cost, and stops once
# the estimate is below tol / 2: the record's err, measured on the plan itself, also carries the
# rounding of the plan's entries, and the margin keeps it below tol (for about 5% more
# iterations at tol = 1e-6).
fn sinkhorn_log(a: float[n], b: float[m], C: float[n, m], eps: num, tol = 1e-6, max_iter = 1000,
                g0 = zeros(m, dtype=C)) {
  let cmax = _ot_check(a, b, C, eps, "sinkhorn_log", true)
  _ot_check_iterations(tol, max_iter, "sinkhorn_log")
  _ot_check_masses(a, b, tol, "sinkhorn_log")
  let e = cast(eps, dtype=C)
  let inv = 1 / e
  let la = log(cast(a, dtype=C))
  let lb = log(cast(b, dtype=C))
  let r = iterate f = zeros(n, dtype=C), g = cast(g0, dtype=C) {
    let gb[j] = lb[j] + g[j] * inv
    let fnew[i] = -e * lse(j) (gb[j] - C[i, j] * inv)
    # the rows of the plan (f, g) sum to a[i] exp((f[i] - fnew[i]) / eps)
    let err = sum(i) (if a[i] > 0 then a[i] * abs(expm1((f[i] - fnew[i]) * inv)) else 0)
    # a plan within tol is returned as it is, so `err` and `converged` describe the result
    let done = err < tol / 2
    let fa[i] = la[i] + fnew[i] * inv
    let gnew[j] = -e * lse(i) (fa[i] - C[i, j] * inv)
    f = if done then f else fnew
    g = if done then g else gnew
  } until done max max_iter
  _ot_result(a, b, C, e, r.f, r.g, r.iterations, tol)
}

# The record every balanced entropic solver returns, from its potentials. `err` is measured on
# the plan as returned, P computed as the record's `plan` is and its sums taken in f64: the
# iterations' own estimate (from the potentials' change) cannot see the rounding of the plan's
# exponents, which in f32, or near the smallest eps that _ot_check allows, is what is left.
# `converged` is that err below tol, so the record never contradicts itself.
fn _ot_result(a: float[n], b: float[m], C: float[n, m], e, f: float[n], g: float[m], iterations, tol) {
  let inv = 1 / e
  let la = log(cast(a, dtype=C))
  let lb = log(cast(b, dtype=C))
  let P[i, j] = exp(la[i] + lb[j] + (f[i] + g[j] - C[i, j]) * inv)
  let rows[i] = sum(j) f64(P[i, j])
  let cols[j] = sum(i) f64(P[i, j])
  let err = sum(i) abs(rows[i] - f64(a[i])) + sum(j) abs(cols[j] - f64(b[j]))
  {plan: P, cost: sum(i, j) P[i, j] * C[i, j],
   value: sum(i) cast(a[i], dtype=C) * f[i] + sum(j) cast(b[j], dtype=C) * g[j],
   f: f, g: g, err: err, iterations: iterations, converged: err < tol}
}

# Sinkhorn-Newton-Sparse (Tang et al. 2024): a warm start, then Newton steps on the dual whose
# Hessian keeps the largest `keep` share of the plan's entries (at least 8 per row and column;
# conjugate gradients, Armijo line search; runtime/ot/sinkhorn_newton.c). Newton converges
# quadratically where Sinkhorn crawls: small eps and tight tol. The warm start is
# sinkhorn_eps_scaling's annealing from the largest cost down to eps (one iteration an eps,
# halving it) and then `warmup` iterations at eps: from potentials at eps alone, Sinkhorn needs
# hundreds of iterations at eps = 1e-4 before every marginal is within the factor e^5 that Newton
# steps need (until then the runtime takes Sinkhorn steps in their place). The Newton stage
# holds the dense cost and plan (2 n m f64), so it is for problems that fit in memory.
# `iterations` counts the warm start and every step after it, `newton_steps` the Newton steps.
fn sinkhorn_newton(a: float[n], b: float[m], C: float[n, m], eps: num, tol = 1e-9, max_iter = 100,
                   warmup = 20, keep = 0.03) {
  let cmax = _ot_check(a, b, C, eps, "sinkhorn_newton", true)
  _ot_check_iterations(tol, max_iter, "sinkhorn_newton")
  _ot_check_masses(a, b, tol, "sinkhorn_newton")
  check(keep > 0 and keep <= 1, "sinkhorn_newton: keep must be in (0, 1], got {}", keep)
  check(warmup >= 0, "sinkhorn_newton: warmup must be non-negative, got {}", warmup)
  # the halvings from the largest cost down to eps, then warmup iterations at eps
  let halvings = max(0, ceil(log(f64(cmax) / f64(eps)) / log(2.0)))
  let w = sinkhorn_eps_scaling(a, b, C, eps, tol=tol, max_iter=i64(halvings) + warmup + 1)
  # at least about 8 entries per row and column, so small problems keep a useful Hessian
  let share = min(1.0, max(f64(keep), 8 * f64(n + m) / (f64(n) * f64(m))))
  let r = _sinkhorn_newton(a, b, C, eps, w.f, w.g, tol, max_iter, share)
  let e = cast(eps, dtype=C)
  let res = _ot_result(a, b, C, e, cast(r.f, dtype=C), cast(r.g, dtype=C), w.iterations + r.iterations, tol)
  {plan: res.plan, cost: res.cost, value: res.value, f: res.f, g: res.g, err: res.err,
   iterations: res.iterations, newton_steps: r.iterations - r.sinkhorn_steps,
   converged: res.converged, nnz: r.nnz}
}

# K independent log-domain problems solved together: weights A [K, n] and B [K, m] (rows sum to
# 1), costs C [K, n, m] (lazy like any cost). The fields of the result gain a leading K axis;
# iteration stops when every problem's marginal error is below tol.
fn sinkhorn_batch(A: float[K, n], B: float[K, m], C: float[K, n, m], eps: num, tol = 1e-6, max_iter = 1000) {
  _for_each_histogram_check(A, "sinkhorn_batch")
  _for_each_histogram_check(B, "sinkhorn_batch")
  check(eps > 0 and isfinite(eps), "sinkhorn_batch: eps must be positive and finite, got {}", eps)
  _ot_check_iterations(tol, max_iter, "sinkhorn_batch")
  let e = cast(eps, dtype=C)
  let inv = 1 / e
  let lA = log(cast(A, dtype=C))
  let lB = log(cast(B, dtype=C))
  let Ac = cast(A, dtype=C)
  let r = iterate F = zeros([K, n], dtype=C), G = zeros([K, m], dtype=C) {
    let Fn[k, i] = -e * lse(j) (lB[k, j] + G[k, j] * inv - C[k, i, j] * inv)
    let errs[k] = sum(i) (if Ac[k, i] > 0 then Ac[k, i] * abs(expm1((F[k, i] - Fn[k, i]) * inv)) else 0)
    let done = max(errs) < tol
    let Gn[k, j] = -e * lse(i) (lA[k, i] + Fn[k, i] * inv - C[k, i, j] * inv)
    F = if done then F else Fn
    G = if done then G else Gn
  } until done max max_iter
  let F = r.F
  let G = r.G
  let P[k, i, j] = exp(lA[k, i] + lB[k, j] + (F[k, i] + G[k, j] - C[k, i, j]) * inv)
  let Ft[k, i] = -e * lse(j) (lB[k, j] + G[k, j] * inv - C[k, i, j] * inv)
  let cost[k] = sum(i, j) P[k, i, j] * C[k, i, j]
  let value[k] = sum(i) Ac[k, i] * F[k, i] + sum(j) cast(B[k, j], dtype=C) * G[k, j]
  let err[k] = sum(i) (if Ac[k, i] > 0 then Ac[k, i] * abs(expm1((F[k, i] - Ft[k, i]) * inv)) else 0)
  {plan: P, cost: cost, value: value, f: F, g: G, err: err, iterations: r.iterations, converged: r.converged}
}

# sinkhorn's iterations with the kernel K recomputed in each (a lazy K is fused into the
# reductions): {f, g (f64), err, iterations, converged}, as the runtime's sinkhorn_kernel.
fn _sinkhorn_online(a: float[n], b: float[m], K: float[n, m], e, g0, tol, max_iter) {
  let ac = cast(a, dtype=K)
  let bc = cast(b, dtype=K)
  let r = iterate u = ones(n, dtype=K), v = exp(cast(g0 / e, dtype=K)), err = f64(0) {
    let bv[j] = bc[j] * v[j]
    let unew[i] = 1 / sum(j) K[i, j] * bv[j]
    err = f64(sum(i) (if a[i] > 0 then ac[i] * abs(u[i] / unew[i] - 1) else 0))
    let done = err < tol or not isfinite(err)
    u[i] = if done then u[i] else unew[i]
    let au[i] = ac[i] * u[i]
    v[j] = if done then v[j] else 1 / sum(i) K[i, j] * au[i]
  } until done max max_iter
  {f: f64(e * log(r.u)), g: f64(e * log(r.v)), err: r.err, iterations: r.iterations, converged: r.converged}
}

# Sinkhorn's scaling form, u = 1 / K (b v), v = 1 / K^T (a u) with K = exp(-C / eps): the
# textbook algorithm (POT's sinkhorn). When K takes at most kernel_memory bytes (n m entries of
# 8 bytes in f64, 4 in f32) it is computed once and stored, and each iteration is one pass over
# it (the runtime's sinkhorn_kernel); otherwise K is recomputed in every iteration, fused into
# the reductions, and memory stays O(n + m). exp(-C / eps) underflows once C / eps passes about
# 708 (about 87 in f32); where that drops mass of the plan, the solver stops with an error that
# points to sinkhorn_log.
fn sinkhorn(a: float[n], b: float[m], C: float[n, m], eps: num, tol = 1e-6, max_iter = 1000,
            g0 = zeros(m, dtype=C), kernel_memory = 1e9) {
  let cmax = _ot_check(a, b, C, eps, "sinkhorn", true)
  _ot_check_iterations(tol, max_iter, "sinkhorn")
  _ot_check_masses(a, b, tol, "sinkhorn")
  let e = cast(eps, dtype=C)
  let inv = 1 / e
  # K in C's type, or f32 for 16-bit costs (whose exp(-C / eps) would underflow early)
  let kt = cast(1, dtype=C) * f32(1)
  let K[i, j] = cast(exp(-C[i, j] * inv), dtype=kt)
  let stored = f64(n) * f64(m) * (if epsilon(kt) < 1e-10 then 8.0 else 4.0) <= kernel_memory
  let r = if stored then sinkhorn_kernel(a, b, K, e, g0, tol / 2, max_iter)
          else _sinkhorn_online(a, b, K, e, g0, tol / 2, max_iter)
  let res = _ot_result(a, b, C, e, cast(r.f, dtype=C), cast(r.g, dtype=C), r.iterations, tol)
  # exp(-C / eps) leaves the normal range of K's type past C / eps = 708.4 (f64) or 87.3 (f32):
  # harmless where the plan has no mass, but where it has, the iterations run on a K that is
  # not exp(-C / eps), and the plan, recomputed from C, misses its marginals (an f32 case: err
  # 0.55 and cost 14.2 for 8.04, with converged = true), or their scalings overflow. (tol = 0
  # asks for max_iter iterations, whatever the err.)
  let deep = if epsilon(kt) < 1e-10 then 708.4 else 87.3
  let wrong = tol > 0 and not res.converged and f64(cmax) * f64(inv) > deep
  check(isfinite(r.err) and isfinite(sum(r.f) + sum(r.g)) and not wrong,
        "sinkhorn: exp(-C/eps) underflows at eps = {} where the plan has mass (C/eps reaches {}, past {}), so the scaling form fails",
        e, cmax * inv, deep, hint="use sinkhorn_log(...), the log-domain form, which does not underflow")
  res
}

# Log-domain Sinkhorn with eps-scaling (annealing, as GeomLoss does it): one iteration at each
# eps of the schedule eps0, eps0 * scaling, ... down to eps, then iterations at eps until the
# marginal error is below tol. Far fewer iterations than sinkhorn_log at small eps.
# eps0 = 0 starts from the largest cost. max_iter counts the annealing too: stopped before it
# reaches eps, the solver returns the plan at eps of its last f (g made to fit it, so that the
# columns sum to b and the mass is 1), with its err, not converged.
fn sinkhorn_eps_scaling(a: float[n], b: float[m], C: float[n, m], eps: num, scaling = 0.5, eps0 = 0.0,
                        tol = 1e-6, max_iter = 1000) {
  let cmax = _ot_check(a, b, C, eps, "sinkhorn_eps_scaling", true)
  _ot_check_iterations(tol, max_iter, "sinkhorn_eps_scaling")
  _ot_check_masses(a, b, tol, "sinkhorn_eps_scaling")
  check(scaling > 0 and scaling < 1, "sinkhorn_eps_scaling: scaling must be between 0 and 1, got {}", scaling)
  let e = cast(eps, dtype=C)
  let start = cast(if eps0 > 0 then eps0 else max(cmax, eps), dtype=C)
  let la = log(cast(a, dtype=C))
  let lb = log(cast(b, dtype=C))
  # ec: the eps of the next iteration; at: the eps that f and g were computed at
  let r = iterate f = zeros(n, dtype=C), g = zeros(m, dtype=C), ec = max(start, e), at = max(start, e) {
    let inv = 1 / ec
    let gb[j] = lb[j] + g[j] * inv
    let fnew[i] = -ec * lse(j) (gb[j] - C[i, j] * inv)
    let err = sum(i) (if a[i] > 0 then a[i] * abs(expm1((f[i] - fnew[i]) * inv)) else 0)
    let done = ec <= e and err < tol / 2
    f[i] = if done then f[i] else fnew[i]
    let fa[i] = la[i] + f[i] * inv
    g[j] = if done then g[j] else -ec * lse(i) (fa[i] - C[i, j] * inv)
    at = ec
    ec = max(ec * cast(scaling, dtype=C), e)
  } until done max max_iter
  let inv = 1 / e
  let fe[i] = la[i] + r.f[i] * inv
  let ge[j] = -e * lse(i) (fe[i] - C[i, j] * inv)
  _ot_result(a, b, C, e, r.f, if r.at > e then ge else r.g, r.iterations, tol)
}

# --- unbalanced entropic OT --------------------------------------------------------------------

# Entropic OT with the marginal constraints relaxed by KL penalties of strength rho (POT's reg_m):
# minimises <P, C> + eps KL(P | a x b) + rho KL(P 1 | a) + rho KL(P^T 1 | b), KL the generalised
# one, sum p log(p / q) - p + q. The weights may have any positive masses. Give rho, or reach
# (GeomLoss's, the distance beyond which mass is rather destroyed than moved): rho = reach^2, for a
# squared-distance cost. The potentials are damped,
#   f[i] = -rho/(rho + eps) eps lse(j) (log b[j] + (g[j] - C[i, j]) / eps),
# and iteration stops when they change by less than tol (relative to eps). `value` is the
# objective at the optimum, from the potentials; `mass` the plan's total mass.
# (POT's sinkhorn_unbalanced takes the entropy relative to 1, not to a x b: its plan is this
# solver's for the cost C[i, j] + eps log a[i] + eps log b[j].)
fn sinkhorn_unbalanced(a: float[n], b: float[m], C: float[n, m], eps: num, rho = 0.0, reach = 0.0, tol = 1e-6,
                       max_iter = 1000) {
  let cmax = _ot_check(a, b, C, eps, "sinkhorn_unbalanced", false)
  _ot_check_iterations(tol, max_iter, "sinkhorn_unbalanced")
  check(rho >= 0 and reach >= 0 and (rho > 0) != (reach > 0),
        "sinkhorn_unbalanced: give one of rho or reach, positive (got rho = {}, reach = {})", rho, reach,
        hint="rho is the strength of the KL penalty on the marginals; reach = sqrt(rho)")
  let strength = if reach > 0 then f64(reach)^2 else f64(rho)
  let e = cast(eps, dtype=C)
  let inv = 1 / e
  let damp = cast(strength / (strength + eps), dtype=C)
  let la = log(cast(a, dtype=C))
  let lb = log(cast(b, dtype=C))
  let r = iterate f = zeros(n, dtype=C), g = zeros(m, dtype=C) {
    let gb[j] = lb[j] + g[j] * inv
    let fnew[i] = -damp * e * lse(j) (gb[j] - C[i, j] * inv)
    let fa[i] = la[i] + fnew[i] * inv
    let gnew[j] = -damp * e * lse(i) (fa[i] - C[i, j] * inv)
    let change = (max(i) abs(fnew[i] - f[i])) * inv + (max(j) abs(gnew[j] - g[j])) * inv
    f = fnew
    g = gnew
  } until change < tol max max_iter
  let f = r.f
  let g = r.g
  let P[i, j] = exp(la[i] + lb[j] + (f[i] + g[j] - C[i, j]) * inv)
  let rh = cast(strength, dtype=C)
  let mass = sum(i, j) P[i, j]
  let ac = cast(a, dtype=C)
  let bc = cast(b, dtype=C)
  {plan: P, cost: sum(i, j) P[i, j] * C[i, j],
   value: sum(i) ac[i] * rh * -expm1(-f[i] / rh) + sum(j) bc[j] * rh * -expm1(-g[j] / rh) - e * (mass - sum(ac) * sum(bc)),
   f: f, g: g, mass: mass, rho: strength,
   iterations: r.iterations, converged: r.converged}
}

# --- Sinkhorn divergence -----------------------------------------------------------------------

# OT(a, a) for a symmetric cost C [n, n]: its potentials are equal, f = g, and the averaged
# update f = (f + T(f)) / 2, T(f)[i] = -eps lse(j) (log a[j] + (f[j] - C[i, j]) / eps), converges
# in a few dozen iterations where alternating Sinkhorn crawls (GeomLoss's symmetric update).
fn sinkhorn_symmetric(a: float[n], C: float[n, n], eps: num, tol = 1e-6, max_iter = 1000) {
  let cmax = _ot_check(a, a, C, eps, "sinkhorn_symmetric", true)
  _ot_check_iterations(tol, max_iter, "sinkhorn_symmetric")
  let e = cast(eps, dtype=C)
  let inv = 1 / e
  let la = log(cast(a, dtype=C))
  let r = iterate f = zeros(n, dtype=C) {
    let fa[j] = la[j] + f[j] * inv
    let tf[i] = -e * lse(j) (fa[j] - C[i, j] * inv)
    let err = sum(i) (if a[i] > 0 then a[i] * abs(expm1((f[i] - tf[i]) * inv)) else 0)
    let done = err < tol / 2
    f = if done then f else (f + tf) / 2
  } until done max max_iter
  _ot_result(a, a, C, e, r.f, r.f, r.iterations, tol)
}

# The debiased Sinkhorn divergence S = OT(a, b) - OT(a, a)/2 - OT(b, b)/2 (Feydy et al.), from
# the costs between and within the two measures. `value` uses the entropic OT values (GeomLoss's
# definition: S >= 0, and 0 only when a and b are equal); `cost` uses the plans' transport costs
# (POT's empirical_sinkhorn_divergence).
fn sinkhorn_divergence(a: float[n], b: float[m], Cab: float[n, m], Caa: float[n, n], Cbb: float[m, m],
                       eps: num, tol = 1e-6, max_iter = 10000) {
  _ot_divergence(a, b, Cab, Caa, Cbb, eps, tol, max_iter, "sinkhorn_divergence")
}

# GeomLoss's Sinkhorn loop (Feydy's thesis, algorithm 3.5): the three problems are solved
# together, with eps annealed from the largest cost down to eps (halved each iteration, as
# sinkhorn_eps_scaling) and every potential updated simultaneously, f = f + w (T(g) - f) with
# T(g)[i] = -eps lse(j) (log b[j] + (g[j] - C[i, j]) / eps), g likewise from the old f. The cross
# problem moves as the self ones do, and S = <a, f_ab - f_aa> + <b, g_ab - g_bb> is a difference
# of like quantities, exactly 0 for equal measures (solved apart, S was -1.4e-8 there). It
# iterates at eps until the three plans' estimated marginal errors are below tol / 2, as
# sinkhorn_log. The weight w: near the solution the cross problem's slowest mode contracts by
# 1 - w (1 - k) an iteration (k near 1 at small eps or between nearly equal clouds), and the
# self problems' and the mode (f + c, g + c) by |1 - 2 w|. GeomLoss's w = 1/2 makes the second 0;
# w = 0.9 keeps it at 0.8 and takes 1.8 times fewer iterations on the first: 500 points, y = x
# + 0.01 noise, eps = 0.1, tol 1e-6: 10,349 iterations at 1/2, 3918 at 0.9 (sinkhorn_log's
# alternating updates, k^2 an iteration, cannot be used: for equal measures they would not
# compute the self problems' bits, and on the self problems they crawl where averaging does
# not). Any w in (0, 1) converges: T is nonexpansive, and this is a Krasnoselskii-Mann iteration.
fn _ot_divergence(a: float[n], b: float[m], Cab: float[n, m], Caa: float[n, n], Cbb: float[m, m],
                  eps, tol, max_iter, solver) {
  let cab = _ot_check(a, b, Cab, eps, solver, true)
  let caa = _ot_check(a, a, Caa, eps, solver, true)
  let cbb = _ot_check(b, b, Cbb, eps, solver, true)
  _ot_check_iterations(tol, max_iter, solver)
  _ot_check_masses(a, b, tol, solver)
  let e = cast(eps, dtype=Cab)
  let la = log(cast(a, dtype=Cab))
  let lb = log(cast(b, dtype=Cab))
  let start = cast(max(max(cab, max(caa, cbb)), eps), dtype=Cab)
  # GeomLoss's start: each potential the transform of the other measure's log-weights at start
  let f0[i] = -start * lse(j) (lb[j] - Cab[i, j] / start)
  let g0[j] = -start * lse(i) (la[i] - Cab[i, j] / start)
  let a0[i] = -start * lse(j) (la[j] - Caa[i, j] / start)
  let b0[j] = -start * lse(i) (lb[i] - Cbb[j, i] / start)
  # ec: the eps of the next iteration; at: the eps that the potentials were computed at
  let r = iterate fab = f0, gab = g0, faa = a0, gbb = b0, ec = start, at = start {
    let inv = 1 / ec
    let hg[j] = lb[j] + gab[j] * inv
    let hf[i] = la[i] + fab[i] * inv
    let ha[i] = la[i] + faa[i] * inv
    let hb[j] = lb[j] + gbb[j] * inv
    let tf[i] = -ec * lse(j) (hg[j] - Cab[i, j] * inv)
    let tg[j] = -ec * lse(i) (hf[i] - Cab[i, j] * inv)
    let ta[i] = -ec * lse(j) (ha[j] - Caa[i, j] * inv)
    let tb[j] = -ec * lse(i) (hb[i] - Cbb[j, i] * inv)
    # the rows of the plan (f, g) sum to a[i] exp((f[i] - T(g)[i]) / eps), its columns likewise
    let err_ab = (sum(i) (if a[i] > 0 then a[i] * abs(expm1((fab[i] - tf[i]) * inv)) else 0)
                  + sum(j) (if b[j] > 0 then b[j] * abs(expm1((gab[j] - tg[j]) * inv)) else 0))
    let err_aa = sum(i) (if a[i] > 0 then a[i] * abs(expm1((faa[i] - ta[i]) * inv)) else 0)
    let err_bb = sum(j) (if b[j] > 0 then b[j] * abs(expm1((gbb[j] - tb[j]) * inv)) else 0)
    let done = ec <= e and max(err_ab, max(err_aa, err_bb)) < tol / 2
    let w = cast(0.9, dtype=Cab)
    fab = if done then fab else fab + w * (tf - fab)
    gab = if done then gab else gab + w * (tg - gab)
    faa = if done then faa else faa + w * (ta - faa)
    gbb = if done then gbb else gbb + w * (tb - gbb)
    at = ec
    ec = max(ec * cast(0.5, dtype=Cab), e)
  } until done max max_iter
  # stopped by max_iter before reaching eps: g made to fit f at eps, so that the columns sum to b
  let inv = 1 / e
  let fe[i] = la[i] + r.fab[i] * inv
  let ge[j] = -e * lse(i) (fe[i] - Cab[i, j] * inv)
  let g = if r.at > e then ge else r.gab
  let ab = _ot_result(a, b, Cab, e, r.fab, g, r.iterations, tol)
  let aa = _ot_result(a, a, Caa, e, r.faa, r.faa, r.iterations, tol)
  let bb = _ot_result(b, b, Cbb, e, r.gbb, r.gbb, r.iterations, tol)
  {value: sum(i) cast(a[i], dtype=Cab) * (r.fab[i] - r.faa[i]) + sum(j) cast(b[j], dtype=Cab) * (g[j] - r.gbb[j]),
   cost: ab.cost - (aa.cost + bb.cost) / 2,
   ab: ab, aa: aa, bb: bb, iterations: r.iterations, converged: ab.converged and aa.converged and bb.converged}
}

# The Sinkhorn divergence between point clouds x [n, d] and y [m, d] with weights a and b for the
# squared Euclidean cost |x - y|^2, with its gradients (envelope theorem, through the potentials):
#   grad_x[i] = 2 sum(j) P_ab[i, j] (x[i] - y[j]) - 2 sum(j) P_aa[i, j] (x[i] - x[j])
#   grad_a[i] = f_ab[i] - f_aa[i]      (less its mean: a stays on the simplex)
# and likewise for y and b. A loss to minimise over point positions or weights.
fn sinkhorn_loss(x: float[n, d], y: float[m, d], eps: num, a = uniform(n), b = uniform(m), tol = 1e-6,
                 max_iter = 10000) {
  let Cab[i, j] = sum(k) (x[i, k] - y[j, k])^2
  let Caa[i, j] = sum(k) (x[i, k] - x[j, k])^2
  let Cbb[i, j] = sum(k) (y[i, k] - y[j, k])^2
  let s = _ot_divergence(a, b, Cab, Caa, Cbb, eps, tol, max_iter, "sinkhorn_loss")
  let Pab = s.ab.plan
  let Paa = s.aa.plan
  let Pbb = s.bb.plan
  let gx[i, k] = 2 * sum(j) Pab[i, j] * (x[i, k] - y[j, k]) - 2 * sum(j) Paa[i, j] * (x[i, k] - x[j, k])
  let gy[j, k] = 2 * sum(i) Pab[i, j] * (y[j, k] - x[i, k]) - 2 * sum(i) Pbb[j, i] * (y[j, k] - y[i, k])
  let ga[i] = s.ab.f[i] - s.aa.f[i]
  let gb[j] = s.ab.g[j] - s.bb.g[j]
  {value: s.value, cost: s.cost, grad_x: gx, grad_y: gy, grad_a: ga - mean(ga), grad_b: gb - mean(gb),
   iterations: s.iterations, converged: s.converged}
}

# --- barycenters -------------------------------------------------------------------------------

# The entropic Wasserstein barycenter of the histograms A [K, n] (row k sums to 1) on a fixed
# support with cost C [n, n], weighted by w [K] (iterative Bregman projections, in log domain as
# POT's barycenter(method="sinkhorn_log")). Stops when the K plans' second marginals agree to
# tol: sum(j) std(k) of exp(G[k, j] + log(K^T u_k)[j]), POT's criterion.
fn barycenter(A: float[K, n], C: float[n, n], eps: num, w = full(K, 1 / f64(K), dtype=f64), tol = 1e-9,
              max_iter = 1000) {
  _for_each_histogram_check(A, "barycenter")
  check(eps > 0 and isfinite(eps), "barycenter: eps must be positive and finite, got {}", eps)
  check(min(w) >= 0 and abs(sum(w) - 1) <= sqrt(epsilon(w)), "barycenter: the weights `w` must be non-negative and sum to 1, but they sum to {}", sum(w))
  let e = cast(eps, dtype=C)
  let inv = 1 / e
  let lA = log(cast(A, dtype=C))
  let wc = cast(w, dtype=C)
  let r = iterate G = zeros([K, n], dtype=C) {
    let lf[k, i] = lA[k, i] - lse(j) (G[k, j] - C[i, j] * inv)
    let lKu[k, j] = lse(i) (lf[k, i] - C[i, j] * inv)
    let lbar[j] = sum(k) wc[k] * lKu[k, j]
    let q[k, j] = exp(G[k, j] + lKu[k, j])
    let err = sum(j) sqrt(mean(k) (q[k, j] - mean(k2) q[k2, j])^2)
    G[k, j] = lbar[j] - lKu[k, j]
  } until err < tol max max_iter
  let G = r.G
  let lf[k, i] = lA[k, i] - lse(j) (G[k, j] - C[i, j] * inv)
  let lKu[k, j] = lse(i) (lf[k, i] - C[i, j] * inv)
  let bar[j] = exp(sum(k) wc[k] * lKu[k, j])
  {barycenter: bar, iterations: r.iterations, converged: r.converged}
}

fn _for_each_histogram_check(A: float[K, n], solver) {
  check(min(A) >= 0 and isfinite(sum(A)), "{}: the histograms `A` must be finite and non-negative, but A has {} at flat index {}", solver, min(A), argmin(A))
  let tot[k] = sum(i) A[k, i]
  check(max(k) abs(tot[k] - 1) <= sqrt(epsilon(A)), "{}: each histogram (row of `A`) must sum to 1, but row {} sums to {}", solver,
        argmax(k) abs(tot[k] - 1), tot[argmax(k) abs(tot[k] - 1)])
}

# The free-support Wasserstein barycenter (POT's ot.lp.free_support_barycenter): points X [k, d]
# with weights wb [k] that minimise sum(l) w[l] W_2^2(X, measure l), for L measures of m points
# Y [L, m, d] with weights B [L, m], starting from X0. Each iteration solves the L exact
# transports T_l to the current X and moves X to sum(l) w[l] T_l Y_l / wb; it stops when the
# points move by less than tol (sum of squared displacements).
fn free_support_barycenter(Y: float[L, m, d], B: float[L, m], X0: float[k, d], wb = uniform(k),
                           w = full(L, 1 / f64(L), dtype=f64), tol = 1e-7, max_iter = 100) {
  _ot_check_iterations(tol, max_iter, "free_support_barycenter")
  let r = iterate X = cast(X0, dtype=f64) {
    let s = iterate l = 0, T = zeros([k, d], dtype=f64) {
      let M[i, j] = sum(c) (X[i, c] - Y[l, j, c])^2
      let Bl[j] = B[l, j]
      let t = emd(wb, Bl, M)
      let P = t.plan
      T[i, c] = T[i, c] + w[l] * (sum(j) P[i, j] * Y[l, j, c]) / wb[i]
      l = l + 1
    } until l >= L max L
    let move = sum(i, c) (s.T[i, c] - X[i, c])^2
    X = s.T
  } until move < tol max max_iter
  {points: r.X, iterations: r.iterations, converged: r.converged}
}

# --- doubly stochastic matrices and balanced assignment --------------------------------------

# The Birkhoff projection: the doubly stochastic matrix P = diag(e^f) exp(L / tau) diag(e^g)
# (rows and columns sum to 1) nearest to the logits L [n, n] in KL, by Sinkhorn-Knopp in log
# domain (stable for any logits and tau); used for learned mixing matrices such as
# hyper-connections'. birkhoff_backward gives its gradient.
fn birkhoff(L: float[n, n], tau = 1.0, tol = 1e-6, max_iter = 1000) {
  check(tau > 0 and isfinite(tau), "birkhoff: tau must be positive and finite, got {}", tau)
  check(isfinite(max(i, j) abs(L[i, j])), "birkhoff: the logits `L` must be finite, but L[{}, {}] is {}",
        _first_nonfinite(L).i, _first_nonfinite(L).j, _first_nonfinite(L).value)
  _ot_check_iterations(tol, max_iter, "birkhoff")
  let t = cast(tau, dtype=L)
  let r = iterate f = zeros(n, dtype=L), g = zeros(n, dtype=L) {
    let fnew[i] = -lse(j) (L[i, j] / t + g[j])
    let err = sum(i) abs(expm1(f[i] - fnew[i]))
    let done = err < tol
    let gnew[j] = -lse(i) (L[i, j] / t + fnew[i])
    f = if done then f else fnew
    g = if done then g else gnew
  } until done max max_iter
  let f = r.f
  let g = r.g
  let P[i, j] = exp(L[i, j] / t + f[i] + g[j])
  let rows[i] = sum(j) P[i, j]
  {P: P, f: f, g: g, err: sum(i) abs(rows[i] - 1), iterations: r.iterations, converged: r.converged}
}

# The gradient through the Birkhoff projection by implicit differentiation: for P =
# birkhoff(L, tau).P and the gradient G [n, n] of a loss with respect to P, returns the gradient
# with respect to L: P * (G - alpha[i] - beta[j]) / tau, where (alpha, beta) solve
# alpha + P beta = rowsum(P * G), P^T alpha + beta = colsum(P * G) (by conjugate gradients).
fn birkhoff_backward(P: float[n, n], G: float[n, n], tau = 1.0, tol = 1e-10, max_iter = 1000) {
  let Q[i, j] = P[i, j] * G[i, j]
  let r[i] = sum(j) Q[i, j]
  let c[j] = sum(i) Q[i, j]
  # eliminate alpha = r - P beta: (I - P^T P) beta = c - P^T r. The matrix is positive
  # semi-definite with the constant vector as its null space (beta + s, alpha - s is the same
  # gradient), so conjugate gradients run on the vectors of zero mean.
  let rhs0[j] = c[j] - sum(i) P[i, j] * r[i]
  let rhs = rhs0 - mean(rhs0)
  let goal = tol * (1 + sqrt(sum(j) rhs[j]^2))
  let cg = iterate beta = zeros(n, dtype=P), res = rhs, dir = rhs, rr = sum(j) rhs[j]^2 {
    let Pd[i] = sum(j) P[i, j] * dir[j]
    let Ad0[j] = dir[j] - sum(i) P[i, j] * Pd[i]
    let Ad = Ad0 - mean(Ad0)
    let curv = sum(j) dir[j] * Ad[j]
    let step = if curv > 0 then rr / curv else 0
    beta[j] = beta[j] + step * dir[j]
    res[j] = res[j] - step * Ad[j]
    let rr_new = sum(j) res[j]^2
    dir[j] = res[j] + (if rr > 0 then rr_new / rr else 0) * dir[j]
    rr = rr_new
  } until sqrt(rr) <= goal or curv <= 0 max max_iter
  let beta = cg.beta
  let alpha[i] = r[i] - sum(j) P[i, j] * beta[j]
  let dL[i, j] = P[i, j] * (G[i, j] - alpha[i] - beta[j]) / cast(tau, dtype=P)
  dL
}

# Balanced token-to-expert routing (Sinkhorn routing, as in BASE layers and S-BASE): scores S
# [T, E] are turned into a plan where every token sends mass 1 and every expert receives T / E,
# by log-domain Sinkhorn at temperature tau; each token then goes to the expert its plan row
# favours, and an expert over `capacity` keeps the tokens it values most (expert -1: dropped).
fn sinkhorn_route(S: float[T, E], capacity: num, tau = 1.0, tol = 1e-6, max_iter = 1000) {
  check(capacity >= 0, "sinkhorn_route: capacity must be non-negative, got {}", capacity)
  let B = _birkhoff_rect(S, tau, tol, max_iter)
  let P = B.P
  let choice[t] = argmax(e) P[t, e]
  let score[t] = P[t, choice[t]]
  # the tokens an expert prefers to t, among those that chose it
  let ahead[t] = sum(u) (if choice[u] == choice[t] and (score[u] > score[t] or (score[u] == score[t] and u < t)) then 1 else 0)
  let expert[t] = if ahead[t] < capacity then choice[t] else -1
  let load[e < E] = sum(t) (if expert[t] == e then 1 else 0)
  {plan: P, expert: expert, load: load, dropped: sum(t) (if expert[t] < 0 then 1 else 0),
   iterations: B.iterations, converged: B.converged}
}

# Sinkhorn-Knopp on rectangular logits S [T, E]: rows sum to 1, columns to T / E.
fn _birkhoff_rect(S: float[T, E], tau, tol, max_iter) {
  check(tau > 0 and isfinite(tau), "sinkhorn_route: tau must be positive and finite, got {}", tau)
  check(isfinite(max(i, j) abs(S[i, j])), "sinkhorn_route: the scores `S` must be finite, but S[{}, {}] is {}",
        _first_nonfinite(S).i, _first_nonfinite(S).j, _first_nonfinite(S).value)
  let t = cast(tau, dtype=S)
  let lcol = log(cast(f64(T) / f64(E), dtype=S))
  let r = iterate f = zeros(T, dtype=S), g = zeros(E, dtype=S) {
    let fnew[i] = -lse(j) (S[i, j] / t + g[j])
    let err = sum(i) abs(expm1(f[i] - fnew[i]))
    let done = err < tol
    let gnew[j] = lcol - lse(i) (S[i, j] / t + fnew[i])
    f = if done then f else fnew
    g = if done then g else gnew
  } until done max max_iter
  let f = r.f
  let g = r.g
  let P[i, j] = exp(S[i, j] / t + f[i] + g[j])
  {P: P, iterations: r.iterations, converged: r.converged}
}
