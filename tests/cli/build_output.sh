# sinter build -o PATH: a place that cannot be written is reported in a line of our own (not the
# linker's), with exit status 1 and nothing left behind; a good path gets a complete executable
# with the usual mode.
. tests/cli/helpers.inc
printf 'print(1 + 2)\n' > "$TMP/p.dsl"

expect_status 1 "$SINTER" build "$TMP/p.dsl" -o /proc/nope/x 2> "$TMP/err"
expect_text "$TMP/err" "sinter: error: cannot write /proc/nope/x: No such file or directory"

mkdir "$TMP/out"
expect_status 1 "$SINTER" build "$TMP/p.dsl" -o "$TMP/out" 2> "$TMP/err"
expect_text "$TMP/err" "sinter: error: cannot write $TMP/out: Is a directory"
[ -z "$(ls "$TMP/out")" ] && [ "$(ls "$TMP" | grep -c tmp)" = 0 ] || fail "a temporary file was left: $(ls "$TMP")"

umask 022
expect_status 0 "$SINTER" build "$TMP/p.dsl" -o "$TMP/prog"
[ "$(stat -c %a "$TMP/prog")" = 755 ] || fail "mode $(stat -c %a "$TMP/prog"), want 755"
"$TMP/prog" > "$TMP/out.txt"
expect_text "$TMP/out.txt" 3
