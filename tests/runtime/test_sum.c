/* test_sum.c: runtime/core/sum.c's order of float sums and products against a plain reference of
 * the order docs/language.md states, and the tree's independence of how the leaves are chunked
 * (what makes parallel sums give the serial bits). */
#include "rt_test.h"

/* The documented order, written as plainly as possible: a leaf of n terms (n <= 256), in doubles
 * (ref_leaf) and in floats (ref_leaff). */
#define REF_LEAF(name, T)                                                                          \
  static T name(const T *x, int n, int mul) {                                                      \
    T acc = mul ? 1 : 0;                                                                           \
    int rounds = n / 32;                                                                           \
    if (rounds > 0) {                                                                              \
      T lane[32];                                                                                  \
      for (int l = 0; l < 32; l++) lane[l] = x[l];                                                 \
      for (int r = 1; r < rounds; r++)                                                             \
        for (int l = 0; l < 32; l++) lane[l] = mul ? lane[l] * x[32 * r + l] : lane[l] + x[32 * r + l]; \
      for (int h = 16; h >= 1; h /= 2)                                                             \
        for (int l = 0; l < h; l++) lane[l] = mul ? lane[l] * lane[l + h] : lane[l] + lane[l + h]; \
      acc = lane[0];                                                                               \
    }                                                                                              \
    for (int j = 32 * rounds; j < n; j++) acc = mul ? acc * x[j] : acc + x[j];                     \
    return mul ? acc : acc + (T)0; /* a sum of -0.0s is +0.0, as sum.c gives */                   \
  }
REF_LEAF(ref_leaf, double)
REF_LEAF(ref_leaff, float)

/* The tree over leaves, recursively: the first 2^k and the rest. */
static double ref_tree(const double *v, int64_t n) {
  if (n == 1) return v[0];
  int64_t p = 1;
  while (2 * p < n) p *= 2;
  return ref_tree(v, p) + ref_tree(v + p, n - p);
}

static double rnd(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return ((double)(*s >> 8) / (1 << 24) - 0.5) * (1 << (*s % 20));
}

static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

TEST(leaf_is_the_documented_order) {
  double x[SN_SUM_LEAF];
  float xf[SN_SUM_LEAF];
  unsigned seed = 7;
  for (int i = 0; i < SN_SUM_LEAF; i++) xf[i] = (float)(x[i] = rnd(&seed));
  for (int n = 0; n <= SN_SUM_LEAF; n++)
    for (int mul = 0; mul < 2; mul++) {
      double got = sn_sum_leaf(x, 0, n, mul), want = ref_leaf(x, n, mul);
      if (!same(got, want)) FAIL_AT("leaf of %d (mul %d): %.17g vs %.17g", n, mul, got, want);
      float gf = sn_sum_leaff(xf, 0, n, mul), wf = ref_leaff(xf, n, mul);
      if (memcmp(&gf, &wf, sizeof gf)) FAIL_AT("f32 leaf of %d (mul %d): %.9g vs %.9g", n, mul, gf, wf);
    }
  CHECK(same(sn_sum_leaf(x, 5, 3, 0), (x[5] + x[6]) + x[7] + 0.0));
}

TEST(fewer_than_32_terms_add_in_order) {
  double x[31];
  unsigned seed = 3;
  double acc = 0.0;
  for (int i = 0; i < 31; i++) {
    x[i] = rnd(&seed);
    acc += x[i];
  }
  CHECK(same(sn_sum_leaf(x, 0, 31, 0), acc));
}

TEST(zeros) {
  double z[40] = {0};
  for (int i = 0; i < 40; i++) z[i] = -0.0;
  double st[64];
  CHECK(same(sn_sum_leaf(z, 0, 40, 0), 0.0)); /* as NumPy: a sum of -0.0 is +0.0 */
  CHECK(same(sn_sum_leaf(z, 0, 3, 0), 0.0));
  CHECK(same(sn_sum_leaf(z, 0, 3, 1), -0.0)); /* a product keeps the sign */
  CHECK(same(sn_sum_fold(st, 0, 0), 0.0));
  CHECK(same(sn_sum_fold(st, 0, 1), 1.0));
}

/* The tree over n leaves built by push/fold is the recursive tree, and chunks of 2^p leaves
 * summed apart and then as leaves give the same bits. */
TEST(tree_and_chunks) {
  enum { N = 1000 };
  static double v[N];
  unsigned seed = 11;
  for (int i = 0; i < N; i++) v[i] = rnd(&seed);
  for (int64_t n = 1; n <= N; n += n < 40 ? 1 : 37) {
    double st[64];
    for (int64_t k = 0; k < n; k++) sn_sum_push(st, k, v[k], 0);
    double whole = sn_sum_fold(st, n, 0);
    if (!same(whole, ref_tree(v, n))) FAIL_AT("tree of %lld", (long long)n);
    for (int64_t per = 1; per <= 64; per *= 2) {
      double parts[N], cst[64], top[64];
      int64_t nch = (n + per - 1) / per;
      for (int64_t c = 0; c < nch; c++) {
        int64_t lo = c * per, hi = lo + per < n ? lo + per : n;
        for (int64_t k = lo; k < hi; k++) sn_sum_push(cst, k - lo, v[k], 0);
        parts[c] = sn_sum_fold(cst, hi - lo, 0);
      }
      for (int64_t c = 0; c < nch; c++) sn_sum_push(top, c, parts[c], 0);
      double chunked = sn_sum_fold(top, nch, 0);
      if (!same(chunked, whole)) FAIL_AT("%lld leaves in chunks of %lld: %.17g vs %.17g", (long long)n, (long long)per, chunked, whole);
    }
  }
}

TEST(chunk_sizes) {
  CHECK_EQ_INT(sn_sum_chunk(1, 1), 1);
  CHECK_EQ_INT(sn_sum_chunk(64, 1), 1);
  CHECK_EQ_INT(sn_sum_chunk(65, 1), 2);
  CHECK_EQ_INT(sn_sum_chunk(1000, 4), 16);
  CHECK_EQ_INT(sn_sum_chunk(10, 128), 128);
}
