# Every public header compiles on its own, included alone in a C file (and twice: its guard
# holds), and a user's C program built on the umbrella sinter.h (every family: a tensor, random
# numbers, a .npy file, an exact transport) runs without seeing the compiler's contract
# (sinter/abi.h).
. tests/cli/helpers.inc

for h in include/sinter.h include/sinter/*.h; do
  name=${h#include/}
  printf '#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' "$name" "$name" >"$TMP/alone.c"
  cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude -c "$TMP/alone.c" -o "$TMP/alone.o" \
    >"$TMP/log" 2>&1 || fail "$name does not compile alone: $(cat "$TMP/log")"
done

cat >"$TMP/user.c" <<'END'
#include "sinter.h"

#include <string.h>

#ifdef SN_WHERE_SNIPPET
#error "sinter.h shows the compiler contract"
#endif

int main(int argc, char **argv) {
  (void)argc;
  double cost[4] = {0, 1, 1, 0};
  SnOtEmdResult r;
  if (sn_ot_emd_f64(2, 2, NULL, NULL, cost, NULL, &r) || r.cost != 0) return 1;
  sn_ot_emd_free(&r);
  int64_t shape[1] = {3};
  SnTensor *t = sn_rng_normal(sn_rng(1), SN_F64, 1, shape);
  if (!t || sn_npy_write(argv[1], t)) return 2;
  SnTensor *u = sn_npy_read(argv[1]);
  int same = u && memcmp(t->data, u->data, 3 * sizeof(double)) == 0;
  sn_tensor_release(t);
  sn_tensor_release(u);
  return same ? 0 : 3;
}
END
# A sanitized build's library (make SAN=1) links with the sanitizers' runtimes.
san=
if nm "$BUILD/lib/libsinter.a" 2>/dev/null | grep -q __asan_; then san=-fsanitize=address,undefined; fi
cc -std=c11 -Wall -Wextra -Werror -Iinclude $san "$TMP/user.c" "$BUILD/lib/libsinter.a" \
  -lopenblas -lcjson -lm -lpthread -o "$TMP/user" >"$TMP/log" 2>&1 ||
  fail "a C program using sinter.h does not build: $(cat "$TMP/log")"
expect_status 0 "$TMP/user" "$TMP/x.npy"
