# Optimizers, learning-rate schedules and gradient clipping (docs/optim.md).
#
# An optimizer is a record of two functions over ONE parameter (a tensor of any shape, or a
# scalar) and its gradient, so that a training loop can apply it to each parameter of a model:
#   init(p)           the optimizer's state for p: a record of tensors and integers, named as
#                     PyTorch's optimizer state (`step`, `exp_avg`, `momentum_buffer`, ...), so a
#                     checkpoint can hold it
#   step(p, g, s)     one update of p from its gradient g and state s: {p: new p, state: new s}
# `step` in the state counts the updates done so far (0 after init), as torch.optim's
# state['step'] does. The learning rate of an update is lr * schedule(k), k the number of updates
# before it (torch.optim.lr_scheduler's last_epoch); `schedule` is one of the lr_ functions below
# (default lr_constant()). Hyper-parameters are cast to p's dtype, so an f32 parameter stays f32.

# --- learning-rate schedules: functions from k = 0, 1, ... to a factor of lr -------------------

fn _opt_check_count(k, what, name) {
  check(k >= 0, "{}: {} must be 0 or more, got {}", what, name, k)
}

# The factor 1 at every step (torch.optim's default: no scheduler).
fn lr_constant() = fn(k) = 1.0

# A linear ramp from `start` at k = 0 to 1 at k = warmup, then 1: torch.optim.lr_scheduler.LinearLR
# with start_factor=start, total_iters=warmup; with start = 0, the default, which LinearLR
# refuses, LambdaLR(lambda k: min(k, warmup) / warmup).
fn lr_warmup(warmup: int, start: float = 0.0) {
  check(warmup > 0, "lr_warmup: warmup must be positive, got {}", warmup)
  check(start >= 0 and start <= 1, "lr_warmup: start must be in [0, 1], got {}", start)
  fn(k) = _lr_ramp(k, warmup, start)
}

fn _lr_ramp(k, warmup, start) = f64(start) + (1 - f64(start)) * f64(min(k, warmup)) / f64(warmup)

# Cosine decay from 1 to `floor` over `total` steps, after a linear warmup from 0 over the first
# `warmup` of them, then `floor`: for k < warmup, k / warmup; else, with q = (k - warmup) /
# (total - warmup) capped at 1, floor + (1 - floor) (1 + cos(pi q)) / 2. Without warmup it is
# torch.optim.lr_scheduler.CosineAnnealingLR(T_max=total, eta_min=floor * lr) (which past T_max
# rises again; this one stays at the floor); with it, the usual warmup-cosine (transformers'
# get_cosine_schedule_with_warmup when floor = 0).
fn lr_cosine(total: int, warmup: int = 0, floor: float = 0.0) {
  _opt_check_count(warmup, "lr_cosine", "warmup")
  check(total > warmup, "lr_cosine: total ({}) must be larger than warmup ({})", total, warmup)
  check(floor >= 0 and floor <= 1, "lr_cosine: floor must be in [0, 1], got {}", floor)
  fn(k) = if k < warmup then _lr_ramp(k, warmup, 0.0)
          else f64(floor) + (1 - f64(floor)) * (1 + cos(pi * min(1.0, f64(k - warmup) / f64(total - warmup)))) / 2
}

# The factor gamma^floor(k / every): torch.optim.lr_scheduler.StepLR(step_size=every, gamma=gamma).
fn lr_step(every: int, gamma: float = 0.1) {
  check(every > 0, "lr_step: every must be positive, got {}", every)
  check(gamma > 0 and gamma <= 1, "lr_step: gamma must be in (0, 1], got {}", gamma)
  fn(k) = f64(gamma) ^ floor(f64(k) / f64(every))
}

# --- clipping ---------------------------------------------------------------------------------

# The factor that clips gradients to a global norm, as torch.nn.utils.clip_grad_norm_ (2-norm):
# total_norm is the norm of all the gradients together, sqrt of the sum over every parameter of
# sum(g^2); each gradient is multiplied by min(1, max_norm / (total_norm + 1e-6)).
fn clip_factor(total_norm: float, max_norm: float) {
  check(max_norm > 0, "clip_factor: max_norm must be positive, got {}", max_norm)
  check(isfinite(total_norm), "clip_factor: the gradients' norm is {}", total_norm,
        hint="a gradient holds NaN or inf: clipping cannot repair it (torch's error_if_nonfinite=True)")
  min(1.0, f64(max_norm) / (f64(total_norm) + 1e-6))
}

# --- argument checks, named as the caller wrote them ------------------------------------------

fn _opt_check_lr(lr, what) {
  check(lr >= 0, "{}: the learning rate lr must be non-negative, got {}", what, lr,
        hint="torch.optim refuses a negative lr too; to maximise a function, minimise its negative")
}

fn _opt_check_beta(beta, name, what) {
  check(beta >= 0 and beta < 1, "{}: {} must be in [0, 1), got {}", what, name, beta,
        hint="it is the decay rate of a moving average: 1 would never move it (PyTorch's defaults are 0.9 and 0.999)")
}

fn _opt_check_eps(eps, what) {
  check(eps > 0, "{}: eps must be positive, got {}", what, eps,
        hint="eps keeps the update finite where the second moment is 0; PyTorch's default is 1e-8")
}

fn _opt_check_decay(weight_decay, what) {
  check(weight_decay >= 0, "{}: weight_decay must be non-negative, got {}", what, weight_decay)
}

# x in p's dtype
fn _opt_as(x, p) = cast(x, dtype=p)

# zeros of p's type and shape (+0.0, whatever p's signs)
fn _opt_zeros(p) = 0 * p + 0

# --- SGD --------------------------------------------------------------------------------------

# torch.optim.SGD: d = g + weight_decay p; with momentum, buf = d at the first step and
# momentum buf + (1 - dampening) d after it, and d = buf, or d + momentum buf (Nesterov); then
# p = p - lr d.
fn sgd(lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0,
       nesterov: bool = false, schedule = lr_constant()) {
  _opt_check_lr(lr, "sgd")
  check(momentum >= 0, "sgd: momentum must be non-negative, got {}", momentum)
  _opt_check_decay(weight_decay, "sgd")
  check(not nesterov or (momentum > 0 and dampening == 0),
        "sgd: Nesterov momentum needs momentum > 0 and dampening 0, got momentum {} and dampening {}",
        momentum, dampening)
  {init: fn(p) = {step: 0, momentum_buffer: _opt_zeros(p)},
   step: fn(p, g, s) {
     let d = g + _opt_as(weight_decay, p) * p
     let mu = _opt_as(momentum, p)
     let buf = if momentum == 0 or s.step == 0 then d
               else mu * s.momentum_buffer + _opt_as(1 - dampening, p) * d
     let dir = if nesterov then d + mu * buf else buf
     {p: p - _opt_as(lr * schedule(s.step), p) * dir, state: {step: s.step + 1, momentum_buffer: buf}}
   }}
}

# --- Adam and AdamW ---------------------------------------------------------------------------

fn _adam_check(lr, beta1, beta2, eps, weight_decay, what) {
  _opt_check_lr(lr, what)
  _opt_check_beta(beta1, "beta1", what)
  _opt_check_beta(beta2, "beta2", what)
  _opt_check_eps(eps, what)
  _opt_check_decay(weight_decay, what)
}

# The state of Adam and AdamW. max_exp_avg_sq is AMSGrad's (kept, unused, without it: a state
# has the same fields whatever the options).
fn _adam_init(p) = {step: 0, exp_avg: _opt_zeros(p), exp_avg_sq: _opt_zeros(p), max_exp_avg_sq: _opt_zeros(p)}

# The moment update of torch.optim.Adam (1.13, single-tensor path) from the gradient d, and p
# moved by lr_t: m = beta1 m + (1 - beta1) d, v = beta2 v + (1 - beta2) d^2 (AMSGrad: vmax =
# max(vmax, v), used for v), p = p - lr_t / (1 - beta1^t) m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
fn _adam_update(p, d, s, lr_t, beta1, beta2, eps, amsgrad) {
  let t = s.step + 1
  let m = _opt_as(beta1, p) * s.exp_avg + _opt_as(1 - beta1, p) * d
  let v = _opt_as(beta2, p) * s.exp_avg_sq + _opt_as(1 - beta2, p) * d * d
  let vmax = if amsgrad then max(s.max_exp_avg_sq, v) else s.max_exp_avg_sq
  let bc1 = 1 - f64(beta1) ^ t
  let bc2 = sqrt(1 - f64(beta2) ^ t)
  let denom = sqrt(if amsgrad then vmax else v) / _opt_as(bc2, p) + _opt_as(eps, p)
  {p: p - _opt_as(lr_t / bc1, p) * (m / denom),
   state: {step: t, exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vmax}}
}

# torch.optim.Adam: weight decay is L2 (d = g + weight_decay p), eps is added to the
# bias-corrected sqrt(v).
fn adam(lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
        weight_decay: float = 0.0, amsgrad: bool = false, schedule = lr_constant()) {
  _adam_check(lr, beta1, beta2, eps, weight_decay, "adam")
  {init: _adam_init,
   step: fn(p, g, s) = _adam_update(p, g + _opt_as(weight_decay, p) * p, s, lr * schedule(s.step),
                                    beta1, beta2, eps, amsgrad)}
}

# torch.optim.AdamW: decoupled weight decay, p = p (1 - lr_t weight_decay) before Adam's step.
fn adamw(lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
         weight_decay: float = 1e-2, amsgrad: bool = false, schedule = lr_constant()) {
  _adam_check(lr, beta1, beta2, eps, weight_decay, "adamw")
  {init: _adam_init,
   step: fn(p, g, s) {
     let lr_t = lr * schedule(s.step)
     _adam_update(p * _opt_as(1 - lr_t * weight_decay, p), g, s, lr_t, beta1, beta2, eps, amsgrad)
   }}
}

# --- sign methods -----------------------------------------------------------------------------

# Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2):
# p = p (1 - lr weight_decay) - lr sign(beta1 m + (1 - beta1) g), then m = beta2 m + (1 - beta2) g.
fn lion(lr: float = 1e-4, beta1: float = 0.9, beta2: float = 0.99, weight_decay: float = 0.0,
        schedule = lr_constant()) {
  _opt_check_lr(lr, "lion")
  _opt_check_beta(beta1, "beta1", "lion")
  _opt_check_beta(beta2, "beta2", "lion")
  _opt_check_decay(weight_decay, "lion")
  {init: fn(p) = {step: 0, exp_avg: _opt_zeros(p)},
   step: fn(p, g, s) {
     let lr_t = lr * schedule(s.step)
     let u = sign(_opt_as(beta1, p) * s.exp_avg + _opt_as(1 - beta1, p) * g)
     {p: p * _opt_as(1 - lr_t * weight_decay, p) - _opt_as(lr_t, p) * u,
      state: {step: s.step + 1, exp_avg: _opt_as(beta2, p) * s.exp_avg + _opt_as(1 - beta2, p) * g}}
   }}
}

# signSGD (Bernstein et al. 2018): p = p - lr sign(g); with momentum, Signum:
# m = momentum m + (1 - momentum) g and p = p - lr sign(m).
fn signsgd(lr: float = 1e-3, momentum: float = 0.0, schedule = lr_constant()) {
  _opt_check_lr(lr, "signsgd")
  _opt_check_beta(momentum, "momentum", "signsgd")
  {init: fn(p) = {step: 0, momentum_buffer: _opt_zeros(p)},
   step: fn(p, g, s) {
     let m = _opt_as(momentum, p) * s.momentum_buffer + _opt_as(1 - momentum, p) * g
     {p: p - _opt_as(lr * schedule(s.step), p) * sign(m), state: {step: s.step + 1, momentum_buffer: m}}
   }}
}

# --- Muon -------------------------------------------------------------------------------------

# One quintic Newton-Schulz step X = a X + (b A + c A A) X with A = X X^T, written with the
# smaller Gram matrix: for a tall X, X^T X on the right, which is the same polynomial.
fn _ns_step(X: float[r, c]) {
  let a = _opt_as(3.4445, X)
  let b = _opt_as(-4.7750, X)
  let k = _opt_as(2.0315, X)
  if r > c then a * X + X @ _ns_poly(transpose(X) @ X, b, k)
  else a * X + _ns_poly(X @ transpose(X), b, k) @ X
}

fn _ns_poly(A, b, k) = b * A + k * A @ A

# The orthogonalisation of G (Keller Jordan's zeropower_via_newtonschulz5): G over its Frobenius
# norm (+ 1e-7), then `steps` Newton-Schulz steps.
fn _newton_schulz(G: float[r, c], steps) {
  let r = iterate X = G / (sqrt(sum(G * G)) + 1e-7) { X = _ns_step(X) } max steps
  r.X
}

# Muon (Keller Jordan 2024, github.com/KellerJordan/Muon, muon.py) for 2-D parameters:
# buf = momentum buf + (1 - momentum) g; u = (1 - momentum) g + momentum buf (Nesterov) or buf;
# p = p (1 - lr weight_decay) - lr sqrt(max(1, rows / cols)) NS(u), NS the Newton-Schulz
# orthogonalisation above in p's dtype (the reference computes it in bf16). Parameters of another
# rank (biases, gains) take `other`, AdamW with the adam_ settings (the reference's
# MuonWithAuxAdam; its defaults).
fn muon(lr: float = 0.02, momentum: float = 0.95, nesterov: bool = true, ns_steps: int = 5,
        weight_decay: float = 0.0, adam_lr: float = 3e-4, adam_beta1: float = 0.9,
        adam_beta2: float = 0.95, adam_eps: float = 1e-10, adam_weight_decay: float = 0.0,
        schedule = lr_constant()) {
  _opt_check_lr(lr, "muon")
  _opt_check_beta(momentum, "momentum", "muon")
  _opt_check_decay(weight_decay, "muon")
  _opt_check_count(ns_steps, "muon", "ns_steps")
  {init: fn(p: float[r, c]) = {step: 0, momentum_buffer: _opt_zeros(p)},
   step: fn(p: float[r, c], g: float[r, c], s) {
     let lr_t = lr * schedule(s.step)
     let mu = _opt_as(momentum, p)
     let buf = mu * s.momentum_buffer + _opt_as(1 - momentum, p) * g
     let u = if nesterov then _opt_as(1 - momentum, p) * g + mu * buf else buf
     let scale = lr_t * sqrt(max(1.0, f64(r) / f64(c)))
     {p: p * _opt_as(1 - lr_t * weight_decay, p) - _opt_as(scale, p) * _newton_schulz(u, ns_steps),
      state: {step: s.step + 1, momentum_buffer: buf}}
   },
   other: adamw(lr=adam_lr, beta1=adam_beta1, beta2=adam_beta2, eps=adam_eps,
                weight_decay=adam_weight_decay, schedule=schedule)}
}
