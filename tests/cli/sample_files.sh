# sample(out=, plot=): a built executable and the JIT save the samples (.npy and .safetensors) and
# draw them (a scatter and a density PNG, 800 x 600), atomically (no temporary file left), the
# same bytes on both paths; the saved samples load back equal to those printed; and out= naming
# a file the program read is refused, the file left as it was.
. tests/cli/helpers.inc
cat > "$TMP/p.dsl" <<'DSL'
let g = gmm_isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.2, 0.2])
schedule ks = schedule("karras", 12)
sample a = sample(g.denoiser, ks, [500, 2], sampler="dpmpp_2m", seed=1, out="a.npy", plot="a.png")
sample b = sample(g.denoiser, ks, [500, 2], sampler="euler_ancestral", seed=2, out="b.safetensors", plot="b.png",
                  plot_kind="density")
print(sum(a.x), sum(b.x))
DSL
expect_status 0 "$SINTER" build "$TMP/p.dsl" -o "$TMP/prog"
mkdir "$TMP/exe" "$TMP/jit"
(cd "$TMP/exe" && "$TMP/prog") >"$TMP/exe.txt"
sinter=$(cd "$(dirname "$SINTER")" && pwd)/$(basename "$SINTER")
(cd "$TMP/jit" && "$sinter" run --no-cache "$TMP/p.dsl") >"$TMP/jit.txt"
cmp -s "$TMP/exe.txt" "$TMP/jit.txt" || fail "the executable and the JIT print different sums"
for f in a.npy b.safetensors a.png b.png; do
  cmp -s "$TMP/exe/$f" "$TMP/jit/$f" || fail "$f differs between the executable and the JIT"
done
for f in a b; do
  head=$(od -An -tx1 -N24 "$TMP/exe/$f.png" | tr -d ' \n')
  [ "$(echo "$head" | cut -c1-16)" = 89504e470d0a1a0a ] || fail "$f.png: not a PNG: $head"
  [ "$(echo "$head" | cut -c25-48)" = 494844520000032000000258 ] || fail "$f.png: not an 800 x 600 IHDR: $head"
done
[ -z "$(find "$TMP/exe" "$TMP/jit" -name '*.tmp-*')" ] || fail "a temporary file was left: $(ls -a "$TMP/exe" "$TMP/jit")"
# the files hold the samples: their sums, printed by another program, are those printed above
cat > "$TMP/back.dsl" <<'DSL'
let a: f64[n, d] = load("a.npy")
let b = load("b.safetensors")
print(sum(a), sum(b.tensor), n, d)
DSL
(cd "$TMP/exe" && "$sinter" run --no-cache "$TMP/back.dsl") >"$TMP/back.txt"
expect_text "$TMP/back.txt" "$(cat "$TMP/exe.txt") 500 2"
# out= over an input is refused
cat > "$TMP/over.dsl" <<'DSL'
let old = load("a.npy")
let g = gmm_isotropic([1.0], [[0.0, 0.0]], [1.0])
print(sample(g.denoiser, schedule("karras", 4), [500, 2], out="a.npy").steps, sum(old))
DSL
cp "$TMP/exe/a.npy" "$TMP/a.before"
(cd "$TMP/exe" && expect_status 1 "$sinter" run --no-cache "$TMP/over.dsl") 2>"$TMP/over.err" >/dev/null
grep -q "a.npy: refusing to overwrite a file this program read as an input" "$TMP/over.err" || fail "no refusal: $(cat "$TMP/over.err")"
cmp -s "$TMP/exe/a.npy" "$TMP/a.before" || fail "a.npy was overwritten"
