# merge_search saves its best recipe as a program that re-runs it: two MLPs trained by train()
# from seeds 1 and 2 (the second aligned to the first), CMA-ES over the three per-layer weights
# within 60 evaluations; the program it writes, run on its own, prints the loss the search
# reported, bit for bit. The same seed writes the same program; the log has a line per generation.
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
let b = weight_matching(a, fit(2)).params
let s = merge_search(a, b, data, 60, loss=loss, seed=3, program="$1", log=true)
print(s.value)
DSL
}
search_prog "$TMP/best.dsl" > "$TMP/search.dsl"
"$SINTER" run --quiet "$TMP/search.dsl" > "$TMP/search.txt" || fail "the search"
[ "$(grep -c '^cmaes: generation' "$TMP/search.txt")" = 8 ] || fail "8 generations of 7 logged: $(cat "$TMP/search.txt")"
[ -s "$TMP/best.dsl" ] && [ -s "$TMP/best.dsl.safetensors" ] || fail "the program and its models were not written"
"$SINTER" run --quiet "$TMP/best.dsl" > "$TMP/rerun.txt" || fail "the saved program: $(cat "$TMP/best.dsl")"
tail -1 "$TMP/search.txt" > "$TMP/value.txt"
cmp -s "$TMP/value.txt" "$TMP/rerun.txt" || fail "the saved program prints $(cat "$TMP/rerun.txt"), the search found $(cat "$TMP/value.txt")"
grep -q '^let t = \[[-0-9.e]*, [-0-9.e]*, [-0-9.e]*\]$' "$TMP/best.dsl" || fail "no recipe weights in $(cat "$TMP/best.dsl")"
search_prog "$TMP/again.dsl" > "$TMP/again_search.dsl"
"$SINTER" run --quiet "$TMP/again_search.dsl" > /dev/null || fail "the search again"
sed "s|again.dsl|best.dsl|" "$TMP/again.dsl" | cmp -s - "$TMP/best.dsl" || fail "the same seed wrote another program"
