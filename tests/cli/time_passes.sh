# --time-passes prints a line per stage, and one per IR pass in the order of the pipeline's
# table (compiler/passes.c), each with a time in milliseconds.
. tests/cli/helpers.inc

printf 'let x = randn([100], seed=1)\nprint(sum(i) x[i] * x[i])\n' > "$TMP/p.dsl"
"$SINTER" build --time-passes -o "$TMP/p" "$TMP/p.dsl" 2> "$TMP/err" || fail "build failed: $(cat "$TMP/err")"
grep -q '^  sema  *[0-9.]* ms$' "$TMP/err" || fail "no sema line: $(cat "$TMP/err")"
sed -n 's/^  pass \([a-z]*\)  *[0-9][0-9.]* ms$/\1/p' "$TMP/err" > "$TMP/passes"
expect_text "$TMP/passes" "dce
fuse
layout
loops
unroll
cse
jam
cse
dce
rc"
