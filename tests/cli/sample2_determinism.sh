# The seeded samplers of stdlib/sample_discrete.dsl, sample_flow.dsl and mcmc.dsl draw their noise
# with Philox from the seed and the step alone: a seed gives bit-identical samples through a built
# executable, the JIT and the interpreter, on 1 and 2 threads (20000 particles, enough for the
# parallel loops to split); another seed gives other samples.
. tests/cli/helpers.inc
cat > "$TMP/p.dsl" <<'DSL'
arg seed: i64 = 1
let g2 = gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5])
let D = g2.denoiser
let abar = cumprod(1.0 - linspace(0.0001, 0.02, 1000, dtype=f64))
let eps = fn(y, t) = (y - sqrt(abar[t]) * D(y / sqrt(abar[t]), sqrt((1 - abar[t]) / abar[t]))) / sqrt(1 - abar[t])
let x = randn([20000, 2], seed=seed, dtype=f64)
let ts[i < 10] = 999 - 100 * i
fn show(name, y) = print(name, sum(y), sum(y * y), y[0], y[19999])
show("ddpm", ddpm(eps, x, ts, abar, seed=seed))
show("ddim", ddim(eps, x, ts, abar, eta=1.0, seed=seed))
show("unipc", unipc(eps, x, ts, abar))
show("flow", flow_heun(fn(y, s) = y - D(y, 1.0), x, linspace(1.0, 0.0, 6, dtype=f64)))
let score = fn(y) = (D(y, 0.3) - y) / 0.09
show("langevin", langevin(score, x, 0.01, 10, seed=seed))
show("annealed", annealed_langevin(fn(y, s) = (D(y, s) - y) / (s * s), x, [1.0, 0.5], steps_per_level=3, step_lr=0.01, seed=seed))
let lp = fn(y) = -0.5 * sum(y * y, axis=1)
let m = mala(lp, x, 0.3, 10, seed=seed)
show("mala", m.x)
print(m.acceptance)
let s = smc(fn(i, y) = 0.9 * y + 0.5 * randn(y.shape, seed=seed * 100 + i, dtype=f64), fn(i, y) = -0.5 * sum((y - 1.0)^2, axis=1), x, 8, seed=seed)
show("smc", s.x)
print(s.log_normalizer, s.resamples)
show("pfgmpp", pfgmpp_prior(20000, 2, 16, 5.0, seed=seed))
DSL
"$SINTER" build "$TMP/p.dsl" -o "$TMP/prog" || fail "build"
SINTER_THREADS=1 "$TMP/prog" --quiet > "$TMP/exe1" || fail "exe, 1 thread"
SINTER_THREADS=2 "$TMP/prog" --quiet > "$TMP/exe2" || fail "exe, 2 threads"
SINTER_THREADS=1 "$SINTER" run --no-cache --quiet "$TMP/p.dsl" > "$TMP/jit1" || fail "jit, 1 thread"
SINTER_THREADS=2 "$SINTER" run --no-cache --quiet "$TMP/p.dsl" > "$TMP/jit2" || fail "jit, 2 threads"
SINTER_THREADS=2 "$SINTER" run --interp --quiet "$TMP/p.dsl" > "$TMP/interp" || fail "interpreter"
[ "$(wc -l < "$TMP/exe1")" = 11 ] || fail "expected 11 lines: $(cat "$TMP/exe1")"
for f in exe2 jit1 jit2 interp; do
  cmp -s "$TMP/exe1" "$TMP/$f" || fail "$f differs from the executable on 1 thread:
$(diff "$TMP/exe1" "$TMP/$f")"
done
"$TMP/prog" --quiet --seed=2 > "$TMP/seed2" || fail "seed 2"
# every stochastic sampler's line changes with the seed (flow and unipc take x, drawn from it too)
[ "$(paste -d '\n' "$TMP/exe1" "$TMP/seed2" | awk 'NR % 2 { a = $0; next } a == $0' | wc -l)" = 0 ] ||
  fail "a line is the same for seeds 1 and 2"
