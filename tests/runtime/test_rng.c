/* test_rng.c: Philox4x32-10 against the Random123 known answers, the documented stream layout,
 * the batched kernels against the one-block reference, and statistical sanity of every
 * distribution with fixed seeds (tolerances are 5 standard errors, or the 0.1% critical value
 * of the test statistic, so a pass is deterministic and a real bias fails). */
#include "rt_test.h"

#include "math/rt_math.h"

/* Random123's tests/kat_vectors, the three philox4x32 10-round lines: ctr[4] key[2] out[4]. */
TEST(philox_known_answers) {
  static const uint32_t kat[3][10] = {
      {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
      {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
       0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
      {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
       0x94fdcceb, 0x5001e420, 0x24126ea1},
  };
  for (int i = 0; i < 3; i++) {
    uint32_t out[4];
    sn_philox4x32_10(kat[i], kat[i] + 4, out);
    for (int k = 0; k < 4; k++) CHECK_EQ_INT(out[k], kat[i][6 + k]);
  }
}

/* The layout in rng.c's header: uniform f32 element i is word i%4 of block i/4, top 24 bits,
 * with the stream in counter words 2 and 3 and the offset added to the block number. */
TEST(layout_uniform_f32) {
  SnRng r = {0x0123456789abcdefull, 0xfeedface12345678ull, 1000};
  float got[12];
  sn_rng_uniform_f32(r, 0, 12, got);
  for (int i = 0; i < 12; i++) {
    uint64_t b = 1000 + (uint64_t)i / 4;
    const uint32_t ctr[4] = {(uint32_t)b, 0, 0x12345678, 0xfeedface};
    const uint32_t key[2] = {0x89abcdef, 0x01234567};
    uint32_t w[4];
    sn_philox4x32_10(ctr, key, w);
    CHECK(got[i] == (float)(w[i % 4] >> 8) * 0x1.0p-24f);
  }
  /* An offset of k blocks shifts a draw by 4k elements. */
  SnRng r0 = {7, 3, 0}, r5 = {7, 3, 5};
  float a[40], b[20];
  sn_rng_uniform_f32(r0, 0, 40, a);
  sn_rng_uniform_f32(r5, 0, 20, b);
  CHECK(memcmp(a + 20, b, sizeof b) == 0);
}

TEST(layout_uniform_f64) {
  SnRng r = {42, 9, 0};
  double got[4];
  sn_rng_uniform_f64(r, 0, 4, got);
  for (int i = 0; i < 4; i++) {
    const uint32_t ctr[4] = {(uint32_t)(i / 2), 0, 9, 0}, key[2] = {42, 0};
    uint32_t w[4];
    sn_philox4x32_10(ctr, key, w);
    int h = i % 2;
    uint64_t x = ((uint64_t)w[2 * h] << 32) | w[2 * h + 1];
    CHECK(got[i] == (double)(x >> 11) * 0x1.0p-53);
  }
}

/* Every kind through the batched kernels equals the one-block reference, bit for bit, over
 * ranges that start and end mid-block and mid-batch. */
TEST(batched_kernels_equal_reference) {
  SnRng r = {123456789, 77, 3};
  static float f[5000];
  static double d[5000];
  const int64_t starts[] = {0, 1, 3, 63, 64, 65, 1000003};
  const int64_t lens[] = {1, 5, 63, 64, 65, 257, 4999};
  for (int si = 0; si < 7; si++)
    for (int li = 0; li < 7; li++) {
      int64_t s = starts[si], n = lens[li];
      int bad = 0;
      sn_rng_uniform_f32(r, s, n, f);
      for (int64_t i = 0; i < n; i++) bad += f[i] != (float)snrt_rng_reference(r, SNRT_UNIFORM_F32, s + i);
      sn_rng_normal_f32(r, s, n, f);
      for (int64_t i = 0; i < n; i++) bad += f[i] != (float)snrt_rng_reference(r, SNRT_NORMAL_F32, s + i);
      sn_rng_uniform_f64(r, s, n, d);
      for (int64_t i = 0; i < n; i++) bad += d[i] != snrt_rng_reference(r, SNRT_UNIFORM_F64, s + i);
      sn_rng_normal_f64(r, s, n, d);
      for (int64_t i = 0; i < n; i++) bad += d[i] != snrt_rng_reference(r, SNRT_NORMAL_F64, s + i);
      if (bad) FAIL_AT("start %lld, length %lld: %d differ", (long long)s, (long long)n, bad);
    }
}

/* rand's element i alone (what generated code computes where it reads it) is the batched
 * kernel's element i of the seed's stream 0, at offsets past 2^32 blocks and for negative seeds. */
TEST(rand_element_equals_batched) {
  const int64_t seeds[] = {0, 7, -1, 1099511627779};
  const int64_t starts[] = {0, 5, 1000003, (int64_t)1 << 34, ((int64_t)1 << 40) + 3};
  float f[67];
  double d[67];
  for (int k = 0; k < 4; k++)
    for (int si = 0; si < 5; si++) {
      int64_t s = starts[si];
      int bad = 0;
      sn_rng_uniform_f32(sn_rng((uint64_t)seeds[k]), s, 67, f);
      sn_rng_uniform_f64(sn_rng((uint64_t)seeds[k]), s, 67, d);
      for (int64_t i = 0; i < 67; i++) bad += f[i] != sn_rand_f32(seeds[k], s + i) || d[i] != sn_rand_f64(seeds[k], s + i);
      if (bad) FAIL_AT("seed %lld, start %lld: %d differ", (long long)seeds[k], (long long)s, bad);
    }
}

/* A tensor filled on many threads equals one sequential fill, and pieces filled separately. */
TEST(same_numbers_whatever_the_chunking) {
  int64_t n = 300007;
  SnRng r = {99, 5, 0};
  SnTensor *t = sn_rng_normal(r, SN_F32, 1, &n);
  float *seq = malloc((size_t)n * sizeof *seq), *parts = malloc((size_t)n * sizeof *parts);
  sn_rng_normal_f32(r, 0, n, seq);
  for (int64_t lo = 0, step = 1; lo < n; lo += step, step = step * 3 + 1) {
    int64_t len = lo + step > n ? n - lo : step;
    sn_rng_normal_f32(r, lo, len, parts + lo);
  }
  CHECK(memcmp(t->data, seq, (size_t)n * 4) == 0);
  CHECK(memcmp(parts, seq, (size_t)n * 4) == 0);
  SnTensor *u = sn_random(SN_F32, 1, &n, 99, SN_DIST_NORMAL);
  SnTensor *v = sn_rng_normal(sn_rng(99), SN_F32, 1, &n);
  CHECK(memcmp(u->data, v->data, (size_t)n * 4) == 0);
  free(seq);
  free(parts);
  sn_tensor_release(t);
  sn_tensor_release(u);
  sn_tensor_release(v);
}

/* Box-Muller's polynomials against libm in double on the same uniforms. */
TEST(normal_transform_accuracy) {
  SnRng r = {2024, 0, 0};
  int64_t n = 1 << 16;
  float *f = malloc((size_t)n * 4);
  double *d = malloc((size_t)n * 8);
  sn_rng_normal_f32(r, 0, n, f);
  sn_rng_normal_f64(r, 0, n, d);
  double worst32 = 0, worst64 = 0;
  for (int64_t i = 0; i < n; i++) {
    const uint32_t ctr[4] = {(uint32_t)(i / 4), 0, 0, 0}, key[2] = {2024, 0};
    uint32_t w[4];
    sn_philox4x32_10(ctr, key, w);
    int p = (int)(i % 4) / 2;
    double u1 = ((double)(w[2 * p] >> 8) + 1) * 0x1.0p-24, u2 = (double)(w[2 * p + 1] >> 8) * 0x1.0p-24;
    double want = sqrt(-2 * log(u1)) * (i % 2 ? sin(2 * M_PI * u2) : cos(2 * M_PI * u2));
    double e = fabs(f[i] - want);
    if (e > worst32) worst32 = e;
    const uint32_t ctr2[4] = {(uint32_t)(i / 2), 0, 0, 0};
    sn_philox4x32_10(ctr2, key, w);
    double v1 = 1 - (double)((((uint64_t)w[0] << 32) | w[1]) >> 11) * 0x1.0p-53;
    double v2 = (double)((((uint64_t)w[2] << 32) | w[3]) >> 11) * 0x1.0p-53;
    double want64 = sqrt(-2 * log(v1)) * (i % 2 ? sin(2 * M_PI * v2) : cos(2 * M_PI * v2));
    e = fabs(d[i] - want64);
    if (e > worst64) worst64 = e;
  }
  /* |x| < 6: a few f32 ulps at the largest values; f64 a few ulps too. */
  CHECK(worst32 < 3e-6);
  CHECK(worst64 < 1e-14);
  free(f);
  free(d);
}

typedef struct {
  double mean, var, skew, kurt; /* kurt: excess kurtosis */
} Moments;

static Moments moments_f32(const float *x, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; i++) m += x[i];
  m /= (double)n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = x[i] - m, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= (double)n;
  m3 /= (double)n;
  m4 /= (double)n;
  return (Moments){m, m2, m3 / pow(m2, 1.5), m4 / (m2 * m2) - 3};
}

/* Standard errors for N(0, 1): mean 1/sqrt(n), variance sqrt(2/n), skewness sqrt(6/n),
 * excess kurtosis sqrt(24/n); 5 of them is the tolerance. */
static void check_normal_moments(Moments m, int64_t n) {
  double s = sqrt((double)n);
  CHECK_NEAR(m.mean, 0, 5 / s);
  CHECK_NEAR(m.var, 1, 5 * sqrt(2.0) / s);
  CHECK_NEAR(m.skew, 0, 5 * sqrt(6.0) / s);
  CHECK_NEAR(m.kurt, 0, 5 * sqrt(24.0) / s);
}

TEST(normal_moments) {
  int64_t n = 1 << 22;
  SnTensor *t = sn_rng_normal(sn_rng(1), SN_F32, 1, &n);
  check_normal_moments(moments_f32(t->data, n), n);
  SnTensor *d = sn_rng_normal(sn_rng(2), SN_F64, 1, &n);
  float *tmp = malloc((size_t)n * 4);
  for (int64_t i = 0; i < n; i++) tmp[i] = (float)((double *)d->data)[i];
  check_normal_moments(moments_f32(tmp, n), n);
  free(tmp);
  sn_tensor_release(t);
  sn_tensor_release(d);
}

TEST(uniform_moments) {
  int64_t n = 1 << 22;
  SnTensor *t = sn_rng_uniform(sn_rng(3), SN_F32, 1, &n);
  Moments m = moments_f32(t->data, n);
  double s = sqrt((double)n);
  CHECK_NEAR(m.mean, 0.5, 5 * sqrt(1.0 / 12) / s);
  CHECK_NEAR(m.var, 1.0 / 12, 5 * sqrt(1.0 / 180) / s); /* Var of (U - 1/2)^2 is 1/180 */
  float lo = 1, hi = 0;
  for (int64_t i = 0; i < n; i++) {
    float v = ((float *)t->data)[i];
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  CHECK(lo >= 0 && hi < 1);
  sn_tensor_release(t);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov distance between the sample and cdf. */
static double ks_distance(double *x, int64_t n, double (*cdf)(double)) {
  qsort(x, (size_t)n, sizeof *x, cmp_double);
  double dmax = 0;
  for (int64_t i = 0; i < n; i++) {
    double f = cdf(x[i]), a = f - (double)i / (double)n, b = (double)(i + 1) / (double)n - f;
    if (a > dmax) dmax = a;
    if (b > dmax) dmax = b;
  }
  return dmax;
}

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }
static double uniform_cdf(double x) { return x; }

/* The 0.1% critical value of the KS distance is about 1.95 / sqrt(n). */
TEST(kolmogorov_smirnov) {
  int64_t n = 200000;
  double *x = malloc((size_t)n * sizeof *x);
  float *f = malloc((size_t)n * sizeof *f);
  double crit = 1.95 / sqrt((double)n);
  for (uint64_t seed = 10; seed < 13; seed++) {
    sn_rng_normal_f32(sn_rng(seed), 0, n, f);
    for (int64_t i = 0; i < n; i++) x[i] = f[i];
    CHECK(ks_distance(x, n, normal_cdf) < crit);
    sn_rng_normal_f64(sn_rng(seed), 0, n, x);
    CHECK(ks_distance(x, n, normal_cdf) < crit);
    sn_rng_uniform_f64(sn_rng(seed), 0, n, x);
    CHECK(ks_distance(x, n, uniform_cdf) < crit);
    sn_rng_uniform_f32(sn_rng(seed), 0, n, f);
    for (int64_t i = 0; i < n; i++) x[i] = f[i];
    CHECK(ks_distance(x, n, uniform_cdf) < crit);
  }
  /* A shifted sample fails, so the test has teeth. */
  sn_rng_normal_f64(sn_rng(10), 0, n, x);
  for (int64_t i = 0; i < n; i++) x[i] += 0.02;
  CHECK(ks_distance(x, n, normal_cdf) > crit);
  free(x);
  free(f);
}

TEST(half_precision_draws) {
  int64_t shape[2] = {100, 1000};
  SnTensor *h = sn_rng_normal(sn_rng(5), SN_BF16, 2, shape);
  SnTensor *f = sn_rng_normal(sn_rng(5), SN_F32, 2, shape);
  CHECK(h->dtype == SN_BF16);
  for (int64_t i = 0; i < 100000; i++)
    CHECK_EQ_INT(((uint16_t *)h->data)[i], sn_f32_to_bf16(((float *)f->data)[i]));
  CHECK(sn_rng_normal(sn_rng(5), SN_I32, 2, shape) == NULL);
  CHECK_HAS(sn_error_message(), "floating point");
  sn_tensor_release(h);
  sn_tensor_release(f);
}

TEST(bernoulli) {
  int64_t n = 1000000;
  SnTensor *t = sn_rng_bernoulli(sn_rng(8), 0.3, 1, &n);
  CHECK(t->dtype == SN_BOOL);
  int64_t k = 0;
  for (int64_t i = 0; i < n; i++) k += ((uint8_t *)t->data)[i];
  CHECK_NEAR((double)k / (double)n, 0.3, 5 * sqrt(0.3 * 0.7 / (double)n));
  /* Element i is word i%4 of block i/4 below floor(0.3 2^32). */
  for (int64_t i = 0; i < 64; i++) {
    const uint32_t ctr[4] = {(uint32_t)(i / 4), 0, 0, 0}, key[2] = {8, 0};
    uint32_t w[4];
    sn_philox4x32_10(ctr, key, w);
    CHECK_EQ_INT(((uint8_t *)t->data)[i], w[i % 4] < (uint32_t)(0.3 * 4294967296.0));
  }
  sn_tensor_release(t);
  SnTensor *none = sn_rng_bernoulli(sn_rng(8), 0.0, 1, &n), *all = sn_rng_bernoulli(sn_rng(8), 1.0, 1, &n);
  int64_t a = 0, b = 0;
  for (int64_t i = 0; i < n; i++) a += ((uint8_t *)none->data)[i], b += ((uint8_t *)all->data)[i];
  CHECK_EQ_INT(a, 0);
  CHECK_EQ_INT(b, n);
  sn_tensor_release(none);
  sn_tensor_release(all);
  CHECK(sn_rng_bernoulli(sn_rng(8), 1.5, 1, &n) == NULL);
  CHECK_HAS(sn_error_message(), "p must be in [0, 1]");
  CHECK(sn_rng_bernoulli(sn_rng(8), NAN, 1, &n) == NULL);
}

/* Pearson's chi-square of counts against expected probabilities. */
static double chi_square(const int64_t *count, const double *p, int k, int64_t n) {
  double x = 0;
  for (int i = 0; i < k; i++) {
    double e = p[i] * (double)n;
    if (e > 0) x += (count[i] - e) * (count[i] - e) / e;
  }
  return x;
}

TEST(categorical) {
  const float w[4] = {1, 0, 2, 7};
  int64_t four = 4;
  SnTensor *wt = sn_tensor_from_data(SN_F32, w, 1, &four);
  int64_t n = 1000000;
  SnTensor *t = sn_rng_categorical(sn_rng(11), wt, n);
  CHECK(t->dtype == SN_I64 && t->rank == 1 && t->shape[0] == n);
  int64_t count[4] = {0};
  for (int64_t i = 0; i < n; i++) count[((int64_t *)t->data)[i]]++;
  CHECK_EQ_INT(count[1], 0);
  const double p[4] = {0.1, 0, 0.2, 0.7};
  /* 2 degrees of freedom: the 0.1% critical value is 13.8. */
  CHECK(chi_square(count, p, 4, n) < 13.8);
  sn_tensor_release(t);

  /* One distribution per row. */
  const double w2[6] = {1, 1, 0, 0, 0, 5};
  int64_t s2[2] = {2, 3};
  SnTensor *wt2 = sn_tensor_from_data(SN_F64, w2, 2, s2);
  SnTensor *t2 = sn_rng_categorical(sn_rng(12), wt2, 1000);
  CHECK(t2->rank == 2 && t2->shape[0] == 2 && t2->shape[1] == 1000);
  int64_t c0 = 0;
  for (int64_t j = 0; j < 1000; j++) {
    int64_t a = ((int64_t *)t2->data)[j], b = ((int64_t *)t2->data)[1000 + j];
    CHECK(a == 0 || a == 1);
    CHECK_EQ_INT(b, 2);
    c0 += a == 0;
  }
  CHECK_NEAR(c0, 500, 5 * sqrt(250.0));
  sn_tensor_release(t2);
  sn_tensor_release(wt2);

  const float bad[3][4] = {{1, -1, 1, 1}, {0, 0, 0, 0}, {1, NAN, 1, 1}};
  const char *msg[3] = {"weight 1 of row 0 is -1", "sum to 0", "weight 1 of row 0 is nan"};
  for (int i = 0; i < 3; i++) {
    SnTensor *b = sn_tensor_from_data(SN_F32, bad[i], 1, &four);
    CHECK(sn_rng_categorical(sn_rng(1), b, 10) == NULL);
    CHECK_HAS(sn_error_message(), msg[i]);
    sn_tensor_release(b);
  }
  sn_tensor_release(wt);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

TEST(permutation) {
  SnTensor *t = sn_rng_permutation(sn_rng(4), 100000);
  char *seen = calloc(100000, 1);
  int ok = 1;
  for (int64_t i = 0; i < 100000; i++) {
    int64_t v = ((int64_t *)t->data)[i];
    if (v < 0 || v >= 100000 || seen[v]) ok = 0;
    else seen[v] = 1;
  }
  CHECK(ok);
  free(seen);
  SnTensor *again = sn_rng_permutation(sn_rng(4), 100000);
  CHECK(memcmp(t->data, again->data, 100000 * 8) == 0);
  sn_tensor_release(t);
  sn_tensor_release(again);
  SnTensor *empty = sn_rng_permutation(sn_rng(4), 0), *one = sn_rng_permutation(sn_rng(4), 1);
  CHECK(empty->shape[0] == 0 && ((int64_t *)one->data)[0] == 0);
  sn_tensor_release(empty);
  sn_tensor_release(one);
  CHECK(sn_rng_permutation(sn_rng(4), -1) == NULL);

  /* All 120 orders of 5 items equally often, over 120000 streams split from one. */
  int64_t count[120] = {0};
  SnRng base = sn_rng(77);
  for (uint64_t s = 0; s < 120000; s++) {
    SnTensor *p = sn_rng_permutation(sn_rng_split(base, s), 5);
    const int64_t *v = p->data;
    /* The Lehmer code of the permutation indexes the 120 cells. */
    int code = 0;
    for (int i = 0; i < 5; i++) {
      int smaller = 0;
      for (int j = i + 1; j < 5; j++) smaller += v[j] < v[i];
      code = code * (5 - i) + smaller;
    }
    count[code]++;
    sn_tensor_release(p);
  }
  double prob[120];
  for (int i = 0; i < 120; i++) prob[i] = 1.0 / 120;
  /* 119 degrees of freedom: the 0.1% critical value is 173.6. */
  CHECK(chi_square(count, prob, 120, 120000) < 173.6);
}

TEST(split_streams) {
  SnRng base = {31337, 0, 0};
  SnRng a = sn_rng_split(base, 0), b = sn_rng_split(base, 1), a2 = sn_rng_split(base, 0);
  CHECK(a.stream == a2.stream && a.seed == base.seed && a.offset == 0);
  CHECK(a.stream != b.stream && a.stream != base.stream);
  CHECK(sn_rng_split(a, 0).stream != a.stream);
  CHECK(sn_rng_split(sn_rng(31338), 0).stream != a.stream);
  /* Different streams are uncorrelated: |r| within 5 standard errors of 0. */
  int64_t n = 1 << 20;
  float *x = malloc((size_t)n * 4), *y = malloc((size_t)n * 4), *z = malloc((size_t)n * 4);
  sn_rng_normal_f32(a, 0, n, x);
  sn_rng_normal_f32(b, 0, n, y);
  sn_rng_normal_f32(base, 0, n, z);
  double sxy = 0, sxz = 0;
  for (int64_t i = 0; i < n; i++) sxy += (double)x[i] * y[i], sxz += (double)x[i] * z[i];
  CHECK_NEAR(sxy / (double)n, 0, 5 / sqrt((double)n));
  CHECK_NEAR(sxz / (double)n, 0, 5 / sqrt((double)n));
  free(x);
  free(y);
  free(z);
}

TEST(no_leaks) { CHECK_EQ_INT(sn_tensor_live_count(), 0); }
