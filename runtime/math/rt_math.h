/* rt_math.h: what the math layer keeps out of the public API: the one-element references its
 * vector kernels are checked against (tests/runtime/test_rng.c, test_mathfn.c). */
#ifndef SN_RT_MATH_H
#define SN_RT_MATH_H

#include "core/rt_core.h"
#include "sinter/abi.h"
#include "sinter/math.h"

/* Element i of a draw, computed alone from its one Philox block: the reference that the batched
 * kernels in rng.c are checked against. */
typedef enum { SNRT_UNIFORM_F32, SNRT_UNIFORM_F64, SNRT_NORMAL_F32, SNRT_NORMAL_F64 } SnRngKind;
double snrt_rng_reference(SnRng r, SnRngKind kind, int64_t i);

/* sn_expsum and sn_expsumf one element at a time: the same bits as the vector kernels
 * (runtime/math/expsum.c), which run them where neither AVX-512 nor AVX2 is present; tests
 * compare the two. */
double snrt_expsum_portable(const double *v, int64_t n, double m);
float snrt_expsumf_portable(const float *v, int64_t n, float m);

#endif
