# One lemon run writes grammar.c and grammar.h. With the two files as plain targets of one rule,
# make -j ran the recipe once per file, two lemons writing the same files at once; the rule is a
# grouped target (&:) so that it runs once.
. tests/cli/helpers.inc
printf 'deps:\n' >"$TMP/deps.mk"
make -j2 -f Makefile -f "$TMP/deps.mk" BUILD="$TMP/build" \
  "$TMP/build/gen/grammar.c" "$TMP/build/gen/grammar.h" >"$TMP/log" 2>&1 || {
  cat "$TMP/log"
  exit 1
}
runs=$(grep -c '^lemon ' "$TMP/log" || true)
[ "$runs" = 1 ] || fail "lemon ran $runs times, want 1:
$(cat "$TMP/log")"
