/* test_expsum_avx2.c: runtime/math/expsum.c's AVX2 kernels, which machines without AVX-512 use.
 * This file includes expsum.c and is built with -march=x86-64-v3 (Makefile), so the kernels run
 * here even where the library itself uses AVX-512: they must give the portable path's bits. */
#include "check.h"

#include "../../runtime/math/expsum.c"

#include <stdint.h>

TEST(avx2_kernels_match_portable) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) SKIP("no AVX2 and FMA on this CPU");
#if !defined(__AVX2__) || defined(__AVX512F__)
  FAIL_AT("built without -march=x86-64-v3: not the AVX2 kernels");
#endif
  enum { N = 2100 };
  static double v[N];
  static float vf[N];
  uint64_t s = 88172645463325252ull;
  for (int64_t n = 0; n <= N; n += n < 300 ? 1 : 450) {
    for (int64_t i = 0; i < n; i++) {
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      v[i] = -(double)(s >> 11) * 0x1.0p-53 * 800; /* down past the clamp, to -800 */
      vf[i] = (float)(v[i] / 8);
    }
    double got = sn_expsum(v, n, 0.0), want = snrt_expsum_portable(v, n, 0.0);
    float gotf = sn_expsumf(vf, n, 0.0f), wantf = snrt_expsumf_portable(vf, n, 0.0f);
    if (memcmp(&got, &want, sizeof got) != 0) FAIL_AT("f64, n = %lld: %.17g, portable %.17g", (long long)n, got, want);
    if (memcmp(&gotf, &wantf, sizeof gotf) != 0) FAIL_AT("f32, n = %lld: %.9g, portable %.9g", (long long)n, gotf, wantf);
  }
}
