# The runtime's own C loops give the same bits on 1, 2 and 3 threads (docs/design.md, "One thread
# pool"): sinkhorn_newton on 300 x 250 points at eps = 3e-5 (its plan, radix counts, sparse
# products, line search and a Sinkhorn fallback step all over 32768 entries, so on threads),
# a cumsum of 2^20 bf16 values (widened to f32 and rounded back in chunks) and the batched
# Philox kernel's rand and randn (65536 draws, its threshold for threads). The outputs, saved
# whole, must be equal byte for byte; the printed values are those of the OpenMP loops before.
. tests/cli/helpers.inc
cat > "$TMP/p.dsl" <<'DSL'
arg out: str
let n = 300
let m = 250
let x = rand([n, 2], seed=1, dtype=f64)
let y = rand([m, 2], seed=2, dtype=f64) + 0.3
let C[i, j] = sum(k) (x[i, k] - y[j, k]) ^ 2
let r = sinkhorn_newton(full([n], 1.0 / f64(n)), full([m], 1.0 / f64(m)), C, 3e-5, tol=1e-11,
                        max_iter=300, warmup=0, keep=0.05)
let c = cumsum(bf16(randn([1048576], seed=5)))
let u = rand([65536], seed=7)
let v = randn([65536], seed=8, dtype=f64)
save(concat(r.f, r.g, f64(c), f64(u), v), out)
print(r.converged, r.iterations, r.newton_steps, r.nnz, r.cost, r.err)
print(c[1000], c[1048575], u[65535], v[40000])
DSL
"$SINTER" build "$TMP/p.dsl" -o "$TMP/prog" || fail "build failed"
for t in 1 2 3; do
  SINTER_THREADS=$t "$TMP/prog" --out="$TMP/t$t.npy" > "$TMP/o$t" || fail "$t threads: exit status $?"
  expect_text "$TMP/o$t" "true 110 91 4400 0.20523272495254458 7.635101318542725e-12
-7.7 596.0 0.2728135 0.1092514053147811"
  cmp -s "$TMP/t1.npy" "$TMP/t$t.npy" || fail "the results on $t threads differ from those on 1"
done
