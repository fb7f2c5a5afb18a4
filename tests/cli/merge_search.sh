# timeout: 360
# merge_search saves its best recipe as a program that re-runs it: three MLPs trained by train()
# from seeds 1, 2 and 3 (the others aligned to the first), CMA-ES over the 3 x 3 per-layer mixing
# weights within 60 evaluations (6 generations of 10); the program it writes, run on its own,
# prints the loss the search reported, bit for bit. The same seed writes the same program on 1 and
# 2 threads; the log has a line per generation; the search does better than the plain average it
# starts from.
. tests/cli/helpers.inc
# search_prog OUT: the search, writing its program to OUT
search_prog() {
  cat <<DSL
let x = randn([256, 2], seed=1, dtype=f32) * 1.5
let y = i64(sin(2.0 * x[:, 0]) + x[:, 1] > 0) + 2 * i64(x[:, 0]^2 + x[:, 1]^2 > 2.5)
let data = {x: x, y: y}
fn loss(p, x, y) = cross_entropy(mlp_forward(p, x), y)
fn fit(seed) = train(mlp_init(2, 16, 2, 4, seed=seed), loss, adam(lr=0.01), data, epochs=5, batch_size=32, seed=seed).params
let a = fit(1)
let models = {a: a, b: weight_matching(a, fit(2)).params, c: weight_matching(a, fit(3)).params}
let s = merge_search(models, data, 60, loss=loss, seed=3, program="$1", log=true)
let average = loss(mix_layers(models, full([3, 3], 1.0 / 3)), x, y)
print(s.value < average, all(abs(sum(s.weights, axis=0) - 1) < 1e-12))
print(s.value)
DSL
}
search_prog "$TMP/best.dsl" > "$TMP/search.dsl"
SINTER_THREADS=2 "$SINTER" run --quiet "$TMP/search.dsl" > "$TMP/search.txt" || fail "the search"
[ "$(grep -c '^cmaes: generation' "$TMP/search.txt")" = 6 ] || fail "6 generations of 10 logged: $(cat "$TMP/search.txt")"
grep -qx 'true true' "$TMP/search.txt" || fail "no better than the average, or weights not summing to 1: $(cat "$TMP/search.txt")"
[ -s "$TMP/best.dsl" ] && [ -s "$TMP/best.dsl.safetensors" ] || fail "the program and its models were not written"
"$SINTER" run --quiet "$TMP/best.dsl" > "$TMP/rerun.txt" || fail "the saved program: $(cat "$TMP/best.dsl")"
tail -1 "$TMP/search.txt" > "$TMP/value.txt"
cmp -s "$TMP/value.txt" "$TMP/rerun.txt" || fail "the saved program prints $(cat "$TMP/rerun.txt"), the search found $(cat "$TMP/value.txt")"
grep -q '^let W = reshape(\[\([-0-9.e]*, \)\{8\}[-0-9.e]*\], ' "$TMP/best.dsl" || fail "no recipe weights in $(cat "$TMP/best.dsl")"
search_prog "$TMP/again.dsl" > "$TMP/again_search.dsl"
SINTER_THREADS=1 "$SINTER" run --quiet "$TMP/again_search.dsl" > /dev/null || fail "the search again"
sed "s|again.dsl|best.dsl|" "$TMP/again.dsl" | cmp -s - "$TMP/best.dsl" || fail "the same seed wrote another program on 1 thread than on 2"
