# rand's draws do not depend on the thread count: tests/lang/rand_lazy.dsl (draws read lazily
# and stored, up to a million elements, so its loops run on several threads) built once and run
# on 1 and 2 threads prints its expected output, written by the runtime's batched kernel.
. tests/cli/helpers.inc
"$SINTER" build tests/lang/rand_lazy.dsl -o "$TMP/prog" || fail "build failed"
for t in 1 2; do
  SINTER_THREADS=$t "$TMP/prog" > "$TMP/o$t" || fail "$t threads: exit status $?"
  cmp -s "$TMP/o$t" tests/lang/rand_lazy.out || fail "$t threads: the draws differ:
$(diff tests/lang/rand_lazy.out "$TMP/o$t")"
done
