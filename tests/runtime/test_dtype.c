/* test_dtype.c: dtype conversions checked bit for bit against PyTorch
 * (tests/conformance/dtype_torch.txt, from gen_dtype.py), the bulk kernels against the
 * one-at-a-time reference, and the rules torch leaves undefined (saturation) against their
 * definition in sinter/core.h. */
#include "rt_test.h"

#include <stdint.h>

#define TABLE "tests/conformance/dtype_torch.txt"
#define MAX_LINES 20000

typedef struct {
  SnDtype src, dst;
  uint64_t in, out;
  char cls[32];
} Case;

static Case cases[MAX_LINES];
static int ncases;
typedef struct {
  char name[16];
  SnDtype src, dst;
  int64_t count;
  uint64_t hash;
} Sweep;
static Sweep sweeps[64];
static int nsweeps;

static int load_table(void) {
  if (ncases || nsweeps) return 1;
  FILE *f = fopen(TABLE, "r");
  if (!f) return 0;
  char line[256], a[16], b[16], name[16], cls[32];
  unsigned long long in, out, count;
  while (fgets(line, sizeof line, f)) {
    SnDtype s, d;
    if (sscanf(line, "cv %15s %15s %llx %llx %31s", a, b, &in, &out, cls) == 5 &&
        sn_dtype_from_name(a, &s) && sn_dtype_from_name(b, &d) && ncases < MAX_LINES) {
      cases[ncases++] = (Case){s, d, in, out, ""};
      snprintf(cases[ncases - 1].cls, sizeof cases[0].cls, "%s", cls);
    } else if (sscanf(line, "sweep %15s %15s %15s %llu %llx", name, a, b, &count, &out) == 5 &&
               sn_dtype_from_name(a, &s) && sn_dtype_from_name(b, &d) && nsweeps < 64) {
      sweeps[nsweeps++] = (Sweep){"", s, d, (int64_t)count, out};
      snprintf(sweeps[nsweeps - 1].name, sizeof sweeps[0].name, "%s", name);
    }
  }
  fclose(f);
  return ncases > 0;
}

static uint64_t get_bits(const void *p, SnDtype t) {
  switch (sn_dtype_size(t)) {
  case 1: return *(const uint8_t *)p;
  case 2: return *(const uint16_t *)p;
  case 4: return *(const uint32_t *)p;
  default: return *(const uint64_t *)p;
  }
}

static void put_bits(void *p, SnDtype t, uint64_t v) {
  switch (sn_dtype_size(t)) {
  case 1: *(uint8_t *)p = (uint8_t)v; break;
  case 2: *(uint16_t *)p = (uint16_t)v; break;
  case 4: *(uint32_t *)p = (uint32_t)v; break;
  default: *(uint64_t *)p = v; break;
  }
}

TEST(table_loads) {
  CHECK(load_table());
  CHECK(ncases > 5000);
  CHECK_EQ_INT(nsweeps, 11);
}

/* Every table line through sn_convert one element at a time. */
TEST(table_one_by_one) {
  if (!load_table()) return;
  int bad = 0;
  for (int i = 0; i < ncases; i++) {
    Case *c = &cases[i];
    uint64_t src = 0, dst = 0;
    put_bits(&src, c->src, c->in);
    CHECK_EQ_INT(sn_convert(&dst, c->dst, &src, c->src, 1), 0);
    uint64_t got = get_bits(&dst, c->dst);
    if (got != c->out && bad++ < 10)
      FAIL_AT("%s -> %s of %llx (%s): got %llx, torch %llx", sn_dtype_name(c->src),
              sn_dtype_name(c->dst), (unsigned long long)c->in, c->cls, (unsigned long long)got,
              (unsigned long long)c->out);
  }
  CHECK_EQ_INT(bad, 0);
}

/* The same lines converted as one array per dtype pair, so the vectorised loops see them. */
TEST(table_in_bulk) {
  if (!load_table()) return;
  static uint64_t src[MAX_LINES], dst[MAX_LINES];
  static int idx[MAX_LINES];
  int bad = 0;
  for (int s = 0; s < SN_NDTYPES; s++)
    for (int d = 0; d < SN_NDTYPES; d++) {
      int n = 0;
      for (int i = 0; i < ncases; i++)
        if (cases[i].src == (SnDtype)s && cases[i].dst == (SnDtype)d) {
          put_bits((char *)src + (size_t)n * sn_dtype_size(s), s, cases[i].in);
          idx[n++] = i;
        }
      if (!n) continue;
      CHECK_EQ_INT(sn_convert(dst, d, src, s, n), 0);
      for (int k = 0; k < n; k++) {
        uint64_t got = get_bits((char *)dst + (size_t)k * sn_dtype_size(d), d);
        if (got != cases[idx[k]].out && bad++ < 10)
          FAIL_AT("bulk %s -> %s of %llx: got %llx, torch %llx", sn_dtype_name(s),
                  sn_dtype_name(d), (unsigned long long)cases[idx[k]].in,
                  (unsigned long long)got, (unsigned long long)cases[idx[k]].out);
      }
    }
  CHECK_EQ_INT(bad, 0);
}

/* The scalar API (used by printing and element access) agrees with the table too. */
TEST(table_scalar_api) {
  if (!load_table()) return;
  for (int i = 0; i < ncases; i++) {
    Case *c = &cases[i];
    float f;
    uint32_t u = (uint32_t)c->in;
    memcpy(&f, &u, 4);
    if (c->src == SN_F32 && c->dst == SN_F16) CHECK_EQ_INT(sn_f32_to_f16(f), c->out);
    if (c->src == SN_F32 && c->dst == SN_BF16) CHECK_EQ_INT(sn_f32_to_bf16(f), c->out);
    if (c->src == SN_F16 && c->dst == SN_F32) {
      float g = sn_f16_to_f32((uint16_t)c->in);
      memcpy(&u, &g, 4);
      CHECK_EQ_INT(u, c->out);
    }
    if (c->src == SN_BF16 && c->dst == SN_F32) {
      float g = sn_bf16_to_f32((uint16_t)c->in);
      memcpy(&u, &g, 4);
      CHECK_EQ_INT(u, c->out);
    }
  }
}

/* gen_dtype.py's sweep_hash. */
static uint64_t sweep_hash(const void *out, SnDtype t, int64_t n) {
  uint64_t h = 0;
  for (int64_t i = 0; i < n; i++) {
    uint64_t m = (get_bits((const char *)out + (size_t)i * sn_dtype_size(t), t) + 1) *
                 0x9E3779B97F4A7C15ull;
    m ^= m >> 32;
    m *= 0xD6E8FEB86659FD93ull;
    h += m * (2 * (uint64_t)i + 1);
  }
  return h;
}

static const uint16_t grid_lo[] = {0x0000, 0x0001, 0x0FFF, 0x1000, 0x1001, 0x1FFF,
                                   0x2000, 0x3000, 0x5000, 0x7000, 0x7FFF, 0x8000,
                                   0x8001, 0x9000, 0xB000, 0xF000, 0xFFFF};

/* The sweep's inputs as raw bits of its source dtype (see gen_dtype.py). */
static void *sweep_inputs(const Sweep *s) {
  size_t size = sn_dtype_size(s->src);
  char *p = malloc((size_t)s->count * size);
  for (int64_t k = 0; k < s->count; k++) {
    uint64_t v = 0;
    if (!strcmp(s->name, "all16")) v = (uint64_t)k;
    else if (!strcmp(s->name, "grid")) v = ((uint64_t)(k / 17) << 16) | grid_lo[k % 17];
    else if (!strcmp(s->name, "weyl32")) v = (uint32_t)((uint64_t)k * 0x9E3779B1u);
    else v = (uint64_t)k * 0x9E3779B97F4A7C15ull;
    put_bits(p + (size_t)k * size, s->src, v);
  }
  return p;
}

TEST(sweeps_match_torch) {
  if (!load_table()) return;
  for (int i = 0; i < nsweeps; i++) {
    Sweep *s = &sweeps[i];
    void *in = sweep_inputs(s);
    void *out = malloc((size_t)s->count * sn_dtype_size(s->dst));
    CHECK_EQ_INT(sn_convert(out, s->dst, in, s->src, s->count), 0);
    uint64_t h = sweep_hash(out, s->dst, s->count);
    if (h != s->hash)
      FAIL_AT("sweep %s %s -> %s: hash %016llx, torch %016llx", s->name, sn_dtype_name(s->src),
              sn_dtype_name(s->dst), (unsigned long long)h, (unsigned long long)s->hash);
    free(in);
    free(out);
  }
}

/* Every f16 and bf16 pattern through the bulk kernels equals the scalar conversion. */
TEST(all_16_bit_patterns_bulk_equals_scalar) {
  static uint16_t h[65536], back[65536];
  static float f[65536];
  for (int i = 0; i < 65536; i++) h[i] = (uint16_t)i;
  sn_convert(f, SN_F32, h, SN_F16, 65536);
  for (int i = 0; i < 65536; i++) {
    float g = sn_f16_to_f32(h[i]);
    CHECK(memcmp(&g, &f[i], 4) == 0);
  }
  /* f16 -> f32 -> f16 is the identity except that NaN payloads collapse to 0x7E00. */
  sn_convert(back, SN_F16, f, SN_F32, 65536);
  for (int i = 0; i < 65536; i++) {
    int nan = (i & 0x7C00) == 0x7C00 && (i & 0x3FF);
    CHECK_EQ_INT(back[i], nan ? (i & 0x8000) | 0x7E00 : i);
  }
  sn_convert(f, SN_F32, h, SN_BF16, 65536);
  for (int i = 0; i < 65536; i++) {
    float g = sn_bf16_to_f32(h[i]);
    CHECK(memcmp(&g, &f[i], 4) == 0);
  }
  sn_convert(back, SN_BF16, f, SN_F32, 65536);
  for (int i = 0; i < 65536; i++) {
    int nan = (i & 0x7F80) == 0x7F80 && (i & 0x7F);
    CHECK_EQ_INT(back[i], nan ? 0x7FC0 : i);
  }
}

/* The streaming bf16 -> f32 kernel against the plain shift, at every alignment and at sizes
 * that take the parallel and non-temporal paths. */
TEST(bf16_widen_large_and_misaligned) {
  int64_t n = (1 << 21) + 37;
  uint16_t *src = malloc((size_t)n * 2 + 64);
  uint32_t *dst = malloc((size_t)n * 4 + 64);
  for (int64_t i = 0; i < n + 32; i++) src[i] = (uint16_t)(i * 2654435761u >> 7);
  for (int off = 0; off < 16; off += 5) {
    CHECK_EQ_INT(sn_convert(dst + off, SN_F32, src + off, SN_BF16, n - off), 0);
    int64_t bad = 0;
    for (int64_t i = off; i < n; i++) bad += dst[i] != (uint32_t)src[i] << 16;
    CHECK_EQ_INT(bad, 0);
  }
  free(src);
  free(dst);
}

/* Large arrays of every pair match the same conversion done element by element. */
TEST(every_pair_large_matches_elementwise) {
  int64_t n = (1 << 18) + 3;
  uint64_t *src = malloc((size_t)n * 8), *dst = malloc((size_t)n * 8);
  for (int s = 0; s < SN_NDTYPES; s++) {
    size_t ss = sn_dtype_size(s);
    for (int64_t i = 0; i < n; i++) {
      uint64_t v = (uint64_t)i * 0x9E3779B97F4A7C15ull;
      put_bits((char *)src + (size_t)i * ss, s, s == SN_BOOL ? v >> 63 : v >> (64 - 8 * ss));
    }
    for (int d = 0; d < SN_NDTYPES; d++) {
      size_t ds = sn_dtype_size(d);
      CHECK_EQ_INT(sn_convert(dst, d, src, s, n), 0);
      int64_t bad = 0;
      for (int64_t i = 0; i < n; i += 97) {
        uint64_t one = 0;
        sn_convert(&one, d, (char *)src + (size_t)i * ss, s, 1);
        bad += get_bits(&one, d) != get_bits((char *)dst + (size_t)i * ds, d);
      }
      if (bad) FAIL_AT("%s -> %s: %lld mismatches", sn_dtype_name(s), sn_dtype_name(d), (long long)bad);
    }
  }
  free(src);
  free(dst);
}

/* Out-of-range floats into integers saturate, NaN gives 0 (PyTorch leaves these undefined). */
TEST(float_to_int_saturates) {
  const float in[] = {NAN, INFINITY, -INFINITY, 1e10f, -1e10f, 300.5f, -300.5f, -1.5f, 255.9f, -0.9f};
  int32_t i32[10];
  int8_t i8[10];
  uint8_t u8[10];
  int64_t i64[10];
  sn_convert(i32, SN_I32, in, SN_F32, 10);
  sn_convert(i8, SN_I8, in, SN_F32, 10);
  sn_convert(u8, SN_U8, in, SN_F32, 10);
  sn_convert(i64, SN_I64, in, SN_F32, 10);
  const int32_t w32[] = {0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 300, -300, -1, 255, 0};
  const int8_t w8[] = {0, 127, -128, 127, -128, 127, -128, -1, 127, 0};
  const uint8_t wu8[] = {0, 255, 0, 255, 0, 255, 0, 0, 255, 0};
  const int64_t w64[] = {0, INT64_MAX, INT64_MIN, 10000000000, -10000000000, 300, -300, -1, 255, 0};
  for (int i = 0; i < 10; i++) {
    CHECK_EQ_INT(i32[i], w32[i]);
    CHECK_EQ_INT(i8[i], w8[i]);
    CHECK_EQ_INT(u8[i], wu8[i]);
    CHECK_EQ_INT(i64[i], w64[i]);
  }
  double big[] = {9.3e18, -9.3e18, 9223372036854774784.0};
  sn_convert(i64, SN_I64, big, SN_F64, 3);
  CHECK_EQ_INT(i64[0], INT64_MAX);
  CHECK_EQ_INT(i64[1], INT64_MIN);
  CHECK_EQ_INT(i64[2], 9223372036854774784LL);
}

TEST(invalid_dtype_is_an_error) {
  float a = 0, b = 0;
  CHECK(sn_convert(&a, (SnDtype)42, &b, SN_F32, 1) != 0);
  CHECK(strstr(sn_error_message(), "invalid dtype") != NULL);
  CHECK_EQ_INT(sn_convert(&a, SN_F32, &b, SN_F32, 0), 0);
}

TEST(astype_of_a_view) {
  int64_t shape[2] = {3, 4};
  SnTensor *t = sn_tensor_new(SN_F32, 2, shape);
  for (int i = 0; i < 12; i++) ((float *)t->data)[i] = (float)i + 0.5f;
  SnTensor *v = sn_tensor_transpose(t, 0, 1);
  SnTensor *h = sn_tensor_astype(v, SN_BF16);
  CHECK(h && h->dtype == SN_BF16 && h->shape[0] == 4 && h->shape[1] == 3);
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 3; j++)
      CHECK_EQ_INT(((uint16_t *)h->data)[i * 3 + j], sn_f32_to_bf16((float)(j * 4 + i) + 0.5f));
  SnTensor *same = sn_tensor_astype(t, SN_F32);
  CHECK(same == t);
  sn_tensor_release(same);
  sn_tensor_release(h);
  sn_tensor_release(v);
  sn_tensor_release(t);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}
