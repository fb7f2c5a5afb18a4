/* sum.c: the fixed order of float sums and products, shared by generated code and the
 * interpreter (compiler/loops.c stores a reduction's terms and calls these), so that both give
 * the same bits on any number of threads.
 *
 * A sum of terms t_0 .. t_{n-1} is taken in leaves of SN_SUM_LEAF terms (the last one shorter).
 * In a leaf, each complete round of SN_SUM_LANES (32) terms goes to the lanes, lane l taking
 * terms l, l + 32, ..., each adding left to right from the first; the lanes are then added as a
 * tree, lane l + 16 into lane l, then l + 8, l + 4, l + 2, l + 1, and the terms after the last
 * complete round are added to lane 0's total, left to right (a leaf of fewer than 32 terms is
 * added in order, from +0.0). A sum of zeros of either sign is +0.0, as NumPy's and PyTorch's.
 * The leaves combine as a
 * perfect binary tree padded on the right: the first 2^k and the rest, 2^k the largest power of
 * two below their number. A binary counter builds that tree in one pass: stack[l] holds the
 * pending subtree of 2^l leaves; pushing leaf k merges the subtrees below its lowest clear bit,
 * and after n leaves the pending ones are the set bits of n, folded right to left. A run over
 * leaves [c 2^p, (c+1) 2^p) builds exactly the subtree that the whole run builds there, so chunks
 * of 2^p leaves can be reduced apart and their results reduced again as leaves: a parallel run
 * gives the serial run's bits. Products are the same with *. */
#include "sinter/abi.h"

#include <string.h>

#define SUM_CHUNKS 64 /* sn_sum_chunk keeps the parallel chunks to this many */

/* The lanes are vectors of 8 (a GCC vector type: one AVX-512 register of f64, or what the
 * machine has), so the compiler keeps them in registers; every lane adds on its own, so the
 * result is that of the scalar loop. */
typedef double f64x8 __attribute__((vector_size(64)));
typedef float f32x8 __attribute__((vector_size(32)));
#define VECS (SN_SUM_LANES / 8)
_Static_assert(SN_SUM_LANES == 32, "the lanes' tree below is written for 32 lanes");

/* One definition for both float types: T the element, VT its vector of lanes, SUFFIX the entry
 * points' suffix ("" for f64, f for f32). */
#define SUM_KERNELS(T, VT, SUFFIX)                                                                \
  T sn_sum_leaf##SUFFIX(const T *x, int64_t off, int64_t n, int32_t mul) {                        \
    x += off;                                                                                     \
    int64_t rounds = n / SN_SUM_LANES, j = rounds * SN_SUM_LANES;                                 \
    T acc = mul ? 1 : 0;                                                                          \
    if (rounds > 0) {                                                                             \
      VT lane[VECS];                                                                              \
      memcpy(lane, x, sizeof lane);                                                               \
      for (int64_t r = 1; r < rounds; r++)                                                        \
        for (int v = 0; v < VECS; v++) {                                                          \
          VT t;                                                                                   \
          memcpy(&t, x + r * SN_SUM_LANES + 8 * v, sizeof t);                                     \
          lane[v] = mul ? lane[v] * t : lane[v] + t;                                              \
        }                                                                                         \
      /* the lanes' tree: lane l + 16 into lane l, then l + 8, l + 4, l + 2, l + 1 */             \
      VT half[2] = {mul ? lane[0] * lane[2] : lane[0] + lane[2],                                  \
                    mul ? lane[1] * lane[3] : lane[1] + lane[3]};                                 \
      half[0] = mul ? half[0] * half[1] : half[0] + half[1];                                      \
      /* then l + 4, l + 2, l + 1, in registers (an array on the stack stalled on its stores) */ \
      VT h = half[0];                                                                             \
      T a0 = mul ? h[0] * h[4] : h[0] + h[4], a1 = mul ? h[1] * h[5] : h[1] + h[5];               \
      T a2 = mul ? h[2] * h[6] : h[2] + h[6], a3 = mul ? h[3] * h[7] : h[3] + h[7];               \
      T b0 = mul ? a0 * a2 : a0 + a2, b1 = mul ? a1 * a3 : a1 + a3;                               \
      acc = mul ? b0 * b1 : b0 + b1;                                                              \
    }                                                                                             \
    for (; j < n; j++) acc = mul ? acc * x[j] : acc + x[j];                                       \
    return mul ? acc : acc + 0; /* a sum of -0.0s is +0.0, as from a start at +0.0 (NumPy) */     \
  }                                                                                               \
                                                                                                  \
  void sn_sum_push##SUFFIX(T *stack, int64_t k, T v, int32_t mul) {                               \
    int l = 0;                                                                                    \
    for (; (k >> l) & 1; l++) v = mul ? stack[l] * v : stack[l] + v;                              \
    stack[l] = v;                                                                                 \
  }                                                                                               \
                                                                                                  \
  /* After n pushes: the subtrees of the set bits of n, smallest (rightmost) first. An empty sum \
   * is +0.0 (as NumPy's), an empty product 1.0. */                                              \
  T sn_sum_fold##SUFFIX(const T *stack, int64_t n, int32_t mul) {                                 \
    if (n <= 0) return mul ? 1 : 0;                                                               \
    int l = __builtin_ctzll((unsigned long long)n);                                               \
    T acc = stack[l];                                                                             \
    for (l++; l < 63 && (n >> l); l++) /* up to n's highest set bit */                            \
      if ((n >> l) & 1) acc = mul ? stack[l] * acc : stack[l] + acc;                              \
    return acc;                                                                                   \
  }

SUM_KERNELS(double, f64x8, )
SUM_KERNELS(float, f32x8, f)

/* Column sums: the same steps as above, each on a vector of W columns, so every column gets its
 * own sum's bits (vector additions are the scalar ones, lane by lane). */
typedef double f64xc __attribute__((vector_size(SN_SUM_COLS_BYTES)));
typedef float f32xc __attribute__((vector_size(SN_SUM_COLS_BYTES)));
#define SUM_COLS_KERNELS(T, VT, SUFFIX)                                                           \
  void sn_sum_leaf_cols##SUFFIX(const T *x, int64_t n, T *stack, int64_t k) {                     \
    const int w = SN_SUM_COLS_BYTES / sizeof(T);                                                  \
    int64_t rounds = n / SN_SUM_LANES, j = rounds * SN_SUM_LANES;                                 \
    VT acc = {0}, t;                                                                              \
    if (rounds > 0) {                                                                             \
      VT lane[SN_SUM_LANES];                                                                      \
      memcpy(lane, x, sizeof lane);                                                               \
      for (int64_t r = 1; r < rounds; r++)                                                        \
        for (int l = 0; l < SN_SUM_LANES; l++) {                                                  \
          memcpy(&t, x + (r * SN_SUM_LANES + l) * w, sizeof t);                                   \
          lane[l] = lane[l] + t;                                                                  \
        }                                                                                         \
      for (int h = SN_SUM_LANES / 2; h >= 1; h /= 2) /* lane l + 16 into lane l, ..., l + 1 */    \
        for (int l = 0; l < h; l++) lane[l] = lane[l] + lane[l + h];                              \
      acc = lane[0];                                                                              \
    }                                                                                             \
    for (; j < n; j++) {                                                                          \
      memcpy(&t, x + j * w, sizeof t);                                                            \
      acc = acc + t;                                                                              \
    }                                                                                             \
    acc = acc + (VT){0}; /* -0.0 sums to +0.0, as sn_sum_leaf's */                                \
    int l = 0;                                                                                    \
    VT s;                                                                                         \
    for (; (k >> l) & 1; l++) {                                                                   \
      memcpy(&s, stack + l * w, sizeof s);                                                        \
      acc = s + acc;                                                                              \
    }                                                                                             \
    memcpy(stack + l * w, &acc, sizeof acc);                                                      \
  }                                                                                               \
                                                                                                  \
  void sn_sum_fold_cols##SUFFIX(const T *stack, int64_t n, T *out) {                              \
    const int w = SN_SUM_COLS_BYTES / sizeof(T);                                                  \
    VT acc = {0}, s;                                                                              \
    if (n > 0) {                                                                                  \
      int l = __builtin_ctzll((unsigned long long)n);                                             \
      memcpy(&acc, stack + l * w, sizeof acc);                                                    \
      for (l++; l < 63 && (n >> l); l++)                                                          \
        if ((n >> l) & 1) {                                                                       \
          memcpy(&s, stack + l * w, sizeof s);                                                    \
          acc = s + acc;                                                                          \
        }                                                                                         \
    }                                                                                             \
    memcpy(out, &acc, sizeof acc);                                                                \
  }

SUM_COLS_KERNELS(double, f64xc, )
SUM_COLS_KERNELS(float, f32xc, f)

int64_t sn_sum_chunk(int64_t nleaves, int64_t least) {
  int64_t c = 1;
  while (c < INT64_MAX / 2 && (c < least || c * SUM_CHUNKS < nleaves)) c *= 2;
  return c;
}
