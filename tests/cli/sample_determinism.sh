# A seed gives bit-identical samples on every path: the samplers of stdlib/sample.dsl with
# Philox noise (Euler with churn, Euler ancestral, DPM-Solver++ 2M SDE) and a deterministic one
# (DPM-Solver++ 2M) on 40000 2-D points (80000 elements, enough for the random draws and the
# loops to run on several threads), saved as .npy by a built executable on 1 and 2 threads, by
# the JIT and by the interpreter; the files must be equal byte for byte.
. tests/cli/helpers.inc
cat > "$TMP/p.dsl" <<'DSL'
arg out: str
let g = gmm_isotropic([0.2, 0.5, 0.3], [[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]], [0.3, 0.1, 0.5])
let D = g.denoiser
let sig = [80.0, 20.0, 5.0, 1.0, 0.2, 0.0]
let x0 = randn([40000, 2], seed=5, dtype=f64) * 80.0
let a = sample_euler(D, x0, sig, s_churn=3.0, seed=11)
let b = sample_euler_ancestral(D, x0, sig, seed=12)
let c = sample_dpmpp_2m_sde(D, f32(x0), sig, seed=13)
let d = sample_dpmpp_2m(D, x0, sig)
save(concat(a, b, f64(c), d), out)
print(any(a != b), all(isfinite(c)))
DSL
"$SINTER" build "$TMP/p.dsl" -o "$TMP/prog" || fail "build failed"
SINTER_THREADS=1 "$TMP/prog" --out="$TMP/t1.npy" > "$TMP/o1" || fail "exe, 1 thread: exit status $?"
SINTER_THREADS=2 "$TMP/prog" --out="$TMP/t2.npy" > "$TMP/o2" || fail "exe, 2 threads: exit status $?"
"$SINTER" run --no-cache "$TMP/p.dsl" --out="$TMP/jit.npy" > "$TMP/o3" || fail "jit: exit status $?"
"$SINTER" run --interp "$TMP/p.dsl" --out="$TMP/interp.npy" > "$TMP/o4" || fail "interp: exit status $?"
expect_text "$TMP/o1" "true true"
for f in t2 jit interp; do
  cmp -s "$TMP/t1.npy" "$TMP/$f.npy" || fail "the samples of $f differ from the executable's on 1 thread"
done
