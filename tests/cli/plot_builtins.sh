# plot_lines, plot_scatter and plot_density from a program: built into an executable (which links
# PLplot) and run by the JIT, each writes a PNG of the size asked for (signature and IHDR read
# here), atomically (no temporary file left), and the two runs draw the same pictures.
. tests/cli/helpers.inc
cat > "$TMP/p.dsl" <<'DSL'
let t[i < 40] = f64(i)
let curves[k < 2, i < 40] = exp(-t[i] / (4 + 8 * k)) + 0.01
plot_lines("loss.png", curves, labels=["train", "test"], title="loss", xlabel="epoch", logy=true)
plot_lines("one.png", t * t, x=t / 10)
let x = randn([400, 2], seed=1)
plot_scatter("clouds.png", x, randn([300, 2], seed=2) + [3.0, 0.0], labels=["source", "target"])
plot_density("density.png", x, bins=25, title="x")
print("drawn")
DSL
expect_status 0 "$SINTER" build "$TMP/p.dsl" -o "$TMP/prog"
mkdir "$TMP/exe" "$TMP/jit"
(cd "$TMP/exe" && "$TMP/prog") >"$TMP/out.txt"
expect_text "$TMP/out.txt" drawn
sinter=$(cd "$(dirname "$SINTER")" && pwd)/$(basename "$SINTER")
(cd "$TMP/jit" && "$sinter" run --no-cache "$TMP/p.dsl") >"$TMP/out.txt"
expect_text "$TMP/out.txt" drawn
for f in loss one clouds density; do
  for d in exe jit; do
    png=$TMP/$d/$f.png
    # bytes 0-7: the PNG signature; 12-15: IHDR; 16-23: width and height, big-endian
    head=$(od -An -tx1 -N24 "$png" | tr -d ' \n')
    [ "${head%"${head#????????????????}"}" = 89504e470d0a1a0a ] || fail "$png: not a PNG: $head"
    [ "$(echo "$head" | cut -c25-48)" = 494844520000032000000258 ] || fail "$png: not an 800 x 600 IHDR: $head"
  done
  cmp -s "$TMP/exe/$f.png" "$TMP/jit/$f.png" || fail "$f.png differs between the executable and the JIT"
done
[ -z "$(find "$TMP/exe" "$TMP/jit" -name '*.tmp-*')" ] || fail "a temporary file was left: $(ls -a "$TMP/exe" "$TMP/jit")"
