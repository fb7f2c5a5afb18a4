# Denoisers for diffusion sampling (docs/sampling.md, "Denoisers" and "Guidance").
#
# A denoiser is a function value `fn(x, sigma) -> denoised`: given x = x0 + sigma n (n standard
# normal noise), it estimates x0, and its output has x's shape (k-diffusion's and EDM's D(x;
# sigma)). Any function or model method of that form is one; this file adds the exact denoiser
# of a Gaussian mixture, whose posterior mean is analytic at every sigma (for tests, examples and
# benchmarks), exact samples and moments of the mixture, and classifier-free guidance.

# --- calling a denoiser ---------------------------------------------------------------------

# The denoiser's output at (x, sigma), checked to have x's shape (a sampler's every call goes
# through here, so a denoiser of the wrong shape is an error at the sampler's call).
fn _denoise(model, x, sigma, what) {
  let D = model(x, sigma)
  let r = numel(x.shape)
  check(numel(D.shape) == r, "{}: the denoiser returns a tensor of rank {}, but x has rank {}", what,
        numel(D.shape), r, hint="a denoiser maps x to its estimate of the clean x: its output has x's shape")
  check(all(j < r) D.shape[j] == x.shape[j],
        "{}: dimension {} of the denoiser's output is {}, but of x it is {}", what,
        _first_difference(D.shape, x.shape), D.shape[_first_difference(D.shape, x.shape)],
        x.shape[_first_difference(D.shape, x.shape)],
        hint="a denoiser maps x to its estimate of the clean x: its output has x's shape")
  D
}

fn _first_difference(a, b) = argmax(j < numel(a)) i64(a[j] != b[j])

# The Philox key of the draw `tag` of a seeded sampler or sample: the seed in the high 32 bits
# (plus one, so seed 0 stays apart from a program's small seeds), the tag in the low ones.
fn _noise_key(seed, tag) = (i64(seed) + 1) * 4294967296 + i64(tag)

# --- Gaussian mixtures ----------------------------------------------------------------------
#
# A mixture is a record {weights [k] (summing to 1), means [k, d], variances [k, d]}: component c
# is N(means[c], diag(variances[c])) with probability weights[c]. Weights are normalised by the
# constructors; variances may be 0 (a point mass).

fn _gmm_check(weights: float[k], means: float[k, d], variances: float[k, d], what) {
  check(k > 0 and d > 0, "{}: the mixture needs at least one component and one dimension, got {} x {}",
        what, k, d)
  check(min(weights) >= 0 and isfinite(sum(weights)) and sum(weights) > 0,
        "{}: the weights must be non-negative and finite, not all zero; weights[{}] is {}", what,
        argmin(weights), min(weights))
  check(isfinite(sum(means)), "{}: the means must be finite", what)
  check(min(variances) >= 0 and isfinite(sum(variances)),
        "{}: the variances must be non-negative and finite; the smallest is {}", what, min(variances))
}

# Component c is N(means[c], diag(variances[c])).
fn gmm_diagonal(weights: float[k], means: float[k, d], variances: float[k, d]) {
  _gmm_check(weights, means, variances, "gmm_diagonal")
  {weights: cast(weights / sum(weights), dtype=means), means: means, variances: cast(variances, dtype=means)}
}

# Component c is N(means[c], variances[c] I).
fn gmm_isotropic(weights: float[k], means: float[k, d], variances: float[k]) {
  let v[c, j < d] = cast(variances[c], dtype=means)
  _gmm_check(weights, means, v, "gmm_isotropic")
  {weights: cast(weights / sum(weights), dtype=means), means: means, variances: v}
}

# The mixture's mean, sum_c w_c mu_c.
fn gmm_mean(g) = sum(g.means * reshape(g.weights, [-1, 1]), axis=0)

# The mixture's covariance, sum_c w_c (diag(v_c) + mu_c mu_c^T) - m m^T, with m its mean
# (computed as sum_c w_c (diag(v_c) + (mu_c - m)(mu_c - m)^T), which does not cancel).
fn gmm_cov(g) {
  let m = gmm_mean(g)
  let w = g.weights
  let mu = g.means
  let v = g.variances
  let S[i, j] = sum(c) w[c] * ((mu[c, i] - m[i]) * (mu[c, j] - m[j]) + (if i == j then v[c, i] else 0))
  S
}

# n exact samples [n, d] of the mixture, in its dtype: the component of sample i is the first c
# whose cumulative weight exceeds u_i, u = rand(n, f64), then mu_c + sqrt(v_c) z_i, z normal.
# The two draws use the Philox keys (seed + 1) 2^32 + 1 and + 2, apart from a program's own small
# seeds (below 2^32) and from the samplers' noise (docs/sampling.md).
fn gmm_sample(g, n: int, seed: int = 0) {
  check(n >= 0, "gmm_sample: the number of samples must be non-negative, got {}", n)
  let mu = g.means
  let k = size(mu, 0)
  let cw = cumsum(f64(g.weights))
  let u = rand(n, seed=_noise_key(seed, 1), dtype=f64) * cw[k - 1]
  let comp[i] = min(k - 1, sum(c) i64(cw[c] <= u[i]))
  let z = randn([n, size(mu, 1)], seed=_noise_key(seed, 2), dtype=mu)
  let x[i, j] = mu[comp[i], j] + sqrt(g.variances[comp[i], j]) * z[i, j]
  x
}

# The exact denoiser of the mixture g: the posterior mean D(x, sigma) = E[x0 | x0 + sigma n = x]
# for x [n, d], in x's dtype. Given component c, x is N(mu_c, V_c + sigma^2 I) and the posterior
# mean is Wiener's shrink mu_c + V_c / (V_c + sigma^2) (x - mu_c); the components are weighted by
# their responsibilities softmax_c(log w_c + log N(x; mu_c, V_c + sigma^2 I)), computed with lse,
# so no magnitude of x underflows them. sigma must be positive.
fn gmm_denoiser(g) = fn(x, sigma) = _gmm_posterior_mean(g, x, sigma)

fn _gmm_posterior_mean(g, x: float[n, d], sigma) {
  check(sigma > 0, "gmm_denoiser: sigma must be positive, got {}", sigma,
        hint="at sigma = 0 there is no noise to remove: the clean sample is x itself")
  let mu = cast(g.means, dtype=x)
  check(size(mu, 1) == d, "gmm_denoiser: the mixture has dimension {}, but x has {} columns", size(mu, 1), d)
  let s2 = cast(sigma, dtype=x) * cast(sigma, dtype=x)
  let tot = cast(g.variances, dtype=x) + s2
  let inv = 1 / tot
  let shrink = cast(g.variances, dtype=x) * inv
  # log w_c - 1/2 sum_j log(v_cj + sigma^2): the Gaussian's normaliser without 2 pi, common to all
  let lnorm = log(cast(g.weights, dtype=x)) - 0.5 * sum(log(tot), axis=1)
  let ll[i, c] = lnorm[c] - 0.5 * sum(j) (x[i, j] - mu[c, j])^2 * inv[c, j]
  let lz[i] = lse(c) ll[i, c]
  let D[i, j] = sum(c) exp(ll[i, c] - lz[i]) * (mu[c, j] + shrink[c, j] * (x[i, j] - mu[c, j]))
  D
}

# --- guidance -------------------------------------------------------------------------------

# Classifier-free guidance (Ho & Salimans 2022) as a denoiser: u + scale (c - u), with c and u
# the conditional and unconditional denoisers' outputs; scale 1 gives c. With rescale phi > 0,
# the guidance rescale of Lin et al. 2023 ("Common Diffusion Noise Schedules and Sample Steps are
# Flawed", eq. 15-16), as diffusers' rescale_noise_cfg writes it: the guided output g is scaled
# to the conditional output's standard deviation, each sample (first axis) over all its other
# elements with torch.std's ddof = 1, and mixed: phi g std(c) / std(g) + (1 - phi) g.
fn cfg(cond, uncond, scale: float, rescale: float = 0.0) {
  check(rescale >= 0 and rescale <= 1, "cfg: rescale must be in [0, 1], got {}", rescale)
  fn(x, sigma) {
    let c = _denoise(cond, x, sigma, "cfg (the conditional denoiser)")
    let u = _denoise(uncond, x, sigma, "cfg (the unconditional denoiser)")
    let guided = u + cast(scale, dtype=x) * (c - u)
    if rescale == 0 then guided else _cfg_rescale(c, guided, cast(rescale, dtype=x))
  }
}

fn _cfg_rescale(c, guided, phi) {
  let b = size(c, 0)
  let cr = reshape(c, [b, -1])
  let gr = reshape(guided, [b, -1])
  let factor = phi * std(cr, axis=1, ddof=1) / std(gr, axis=1, ddof=1) + (1 - phi)
  let out[i, j] = gr[i, j] * factor[i]
  reshape(out, c.shape)
}
