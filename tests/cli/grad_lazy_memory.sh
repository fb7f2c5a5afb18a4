# The backward of a lazy comprehension stays lazy: the gradient of the pairwise soft-min
# sum(i) lse(j) (g[j] - C[i, j]) / eps, C[i, j] = sum(k) (x[i, k] - y[j, k])^2, with respect to x
# at n = m = 50,000 (an n x m matrix would be 10 GB in f32) recomputes the soft assignment inside
# fused reductions, as KeOps does by hand: the peak RSS stays under 100 MB. Its values are checked
# against finite differences in tests/lang/grad_reduce.dsl.
. tests/cli/helpers.inc
if nm "$BUILD/lib/libsinter.a" 2>/dev/null | grep -q __asan_; then
  echo "not checked: a sanitized build holds freed memory"
  exit 0
fi
cat > "$TMP/pairwise.dsl" <<'DSL'
arg n: i64 = 1000
let x = randn([n, 3], seed=1)
let y = randn([n, 3], seed=2)
let g = randn([n], seed=3)
fn softmin(x) {
  let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
  sum(i) lse(j) (g[j] - C[i, j]) / 0.5
}
let d = grad(softmin)
let dx = d(x)
print(all(isfinite(dx)), size(dx, 0), size(dx, 1))
DSL
"$SINTER" build "$TMP/pairwise.dsl" -o "$TMP/pairwise" || fail "build"
/usr/bin/time -f %M -o "$TMP/rss" "$TMP/pairwise" --n 50000 > "$TMP/out" || fail "run"
[ "$(cat "$TMP/out")" = "true 50000 3" ] || fail "output: $(cat "$TMP/out")"
peak=$(tail -n 1 "$TMP/rss")
echo "peak RSS: $peak KiB for the gradient at n = m = 50000"
[ "$peak" -le 102400 ] || fail "peak RSS $peak KiB is over 100 MB"
