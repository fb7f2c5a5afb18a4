/* sinter/mathpoly.h: the constants of sinter's exp and log (runtime/math/mathfn.c) and of its
 * Philox generator (runtime/math/rng.c), shared with the code generator, which emits the same
 * operation sequence inline so compiled code and the interpreter agree bit for bit. Float
 * constants are written as float literals so both sides round them the same way. */
#ifndef SINTER_MATHPOLY_H
#define SINTER_MATHPOLY_H

/* expf: Cody-Waite split of ln 2 and the Cephes polynomial for exp(r), |r| <= ln2/2 */
#define SN_EXPF_LO (-104.0f)
#define SN_EXPF_HI 89.0f
#define SN_EXPF_LOG2E 1.44269504088896341f
#define SN_EXPF_LN2_HI (-0.693359375f)
#define SN_EXPF_LN2_LO 2.12194440e-4f
static const float sn_expf_poly[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                      4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

/* exp: fdlibm's split of ln 2 and the Taylor coefficients 1/k! for k = 13 down to 2 */
#define SN_EXP_LO (-746.0)
#define SN_EXP_HI 710.0
#define SN_EXP_LOG2E 1.44269504088896338700e+00
#define SN_EXP_LN2_HI (-6.93147180369123816490e-01)
#define SN_EXP_LN2_LO (-1.90821492927058770002e-10)
static const double sn_exp_poly[12] = {
    1.6059043836821614599e-10, 2.0876756987868098979e-09, 2.5052108385441718775e-08,
    2.7557319223985890653e-07, 2.7557319223985890653e-06, 2.4801587301587301587e-05,
    1.9841269841269841270e-04, 1.3888888888888888889e-03, 8.3333333333333333333e-03,
    4.1666666666666666667e-02, 1.6666666666666666667e-01, 5.0000000000000000000e-01};

/* logf: Cephes; m in [sqrt(1/2), sqrt(2)) - 1 */
#define SN_LOGF_MIN_NORMAL 1.17549435e-38f
#define SN_LOGF_SUBNORMAL_SCALE 8388608.0f
#define SN_LOGF_SQRTHF 0.707106781186547524f
#define SN_LOGF_LN2_HI 0.693359375f
#define SN_LOGF_LN2_LO (-2.12194440e-4f)
static const float sn_logf_poly[9] = {7.0376836292e-2f,  -1.1514610310e-1f, 1.1676998740e-1f,
                                      -1.2420140846e-1f, 1.4249322787e-1f,  -1.6668057665e-1f,
                                      2.0000714765e-1f,  -2.4999993993e-1f, 3.3333331174e-1f};

/* log: 2 atanh(s), s = (m-1)/(m+1), with 1/(2k+1) for k = 11 down to 1 */
#define SN_LOG_MIN_NORMAL 2.2250738585072014e-308
#define SN_LOG_SUBNORMAL_SCALE 4503599627370496.0
#define SN_LOG_SQRT2 1.41421356237309504880
#define SN_LOG_LN2_HI 6.93147180369123816490e-01
#define SN_LOG_LN2_LO 1.90821492927058770002e-10
static const double sn_log_poly[11] = {
    4.3478260869565217391e-02, 4.7619047619047619048e-02, 5.2631578947368421053e-02,
    5.8823529411764705882e-02, 6.6666666666666666667e-02, 7.6923076923076923077e-02,
    9.0909090909090909091e-02, 1.1111111111111111111e-01, 1.4285714285714285714e-01,
    2.0000000000000000000e-01, 3.3333333333333333333e-01};

/* Philox4x32-10 (Salmon et al., SC'11): the round multipliers and the Weyl sequence's key
 * increments */
#define SN_PHILOX_M0 0xD2511F53u
#define SN_PHILOX_M1 0xCD9E8D57u
#define SN_PHILOX_W0 0x9E3779B9u /* golden ratio */
#define SN_PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */
#define SN_PHILOX_ROUNDS 10

#endif
