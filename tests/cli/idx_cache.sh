# load_idx with a literal path bakes the file's sizes into the program (they are known when
# compiling), so sinter run's cache must miss when the file's sizes change, and the program then
# runs with the new ones (compiler/cache.c keys on what the compiler read: IrFunc.reads).
. tests/cli/helpers.inc
export XDG_CACHE_HOME="$TMP/cache"

# idx N: an IDX file of N u8 values 1..N (magic 00 00 08 01, then N big-endian)
idx() {
  { printf '\000\000\010\001\000\000\000'; printf "\\$(printf %03o "$1")"; i=1
    while [ "$i" -le "$1" ]; do printf "\\$(printf %03o "$i")"; i=$((i + 1)); done; } > "$TMP/v.idx"
}
run_prog() {
  "$SINTER" run --time-passes "$TMP/p.dsl" > "$TMP/out" 2> "$TMP/err" || fail "exit status $?: $(cat "$TMP/err")"
  grep -q "$1" "$TMP/err" || fail "no '$1' in: $(cat "$TMP/err")"
}
printf 'let v = load_idx("%s")\nprint(v, sum(v))\n' "$TMP/v.idx" > "$TMP/p.dsl"
idx 3
run_prog codegen
expect_text "$TMP/out" "[1, 2, 3] 6"
run_prog "cache hit"
idx 4
run_prog codegen
expect_text "$TMP/out" "[1, 2, 3, 4] 10"
