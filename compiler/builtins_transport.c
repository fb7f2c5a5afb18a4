/* builtins_transport.c: the optimal transport solvers written in C (runtime/transport_*.c,
 * docs/transport.md): exact transport, on the line and sliced, the stored-kernel Sinkhorn
 * iteration and the Newton stage of Sinkhorn-Newton-Sparse. Each is a runtime call that returns
 * an SnResult, so a row is its signature, its runtime function and its result record, whose
 * leaves are the result's parts in order (builtins.h). The weights of the exact solvers may be any numbers; the solvers work
 * in f64. */
#include "builtins.h"

/* sinkhorn_kernel's kernel is iterated in its own type, which the runtime has for f32 and f64. */
static Val *b_sinkhorn_kernel(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *K = args[2].v;
  if (K->dt != SN_F32 && K->dt != SN_F64) {
    diag_error(s->diags, args[2].span, "`%s`: the kernel `K` must be f32 or f64, not %s", b->name, sema_type_str(s, K));
    return ERR;
  }
  return builtin_runtime(s, b, args, call);
}

/* The sparse plan of an exact solve: nnz entries. */
#define SUPPORT "support: {rows: i64[nnz], cols: i64[nnz], mass: f64[nnz]}"

const Builtin builtins_transport[] = {
    /* exact transport by the network simplex method */
    BUILTIN_RUNTIME("emd", "a: num[n], b: num[m], C: num[n, m], max_iter: int = 0", RT_OT_EMD,
                    "{plan: f64[n, m], cost: f64, f: f64[n], g: f64[m], iterations: i64, converged: bool, " SUPPORT "}"),
    /* exact transport on the line for |x - y|^p */
    BUILTIN_RUNTIME("emd_1d", "x: num[n], y: num[m], a: num[n] = uniform(n), b: num[m] = uniform(m), p: num = 1",
                    RT_OT_EMD_1D, "{cost: f64, distance: f64, " SUPPORT "}"),
    /* the exact linear assignment problem (scipy.optimize.linear_sum_assignment): the pairs
     * (rows[k], cols[k]), rows increasing, of least (or greatest) total cost */
    BUILTIN_RUNTIME("linear_sum_assignment", "C: num[n, m], maximize: bool = false", RT_OT_LINEAR_SUM_ASSIGNMENT,
                    "{rows: i64[k], cols: i64[k], cost: f64}"),
    /* the sliced Wasserstein distance over seeded random directions (POT's
     * sliced_wasserstein_distance) */
    BUILTIN_RUNTIME("sliced_wasserstein",
                    "X: num[n, d], Y: num[m, d], a: num[n] = uniform(n), b: num[m] = uniform(m), projections: int = 50, "
                    "seed: int = 0, p: num = 2",
                    RT_OT_SLICED_WASSERSTEIN, "{distance: f64}.distance"),
    /* Sinkhorn's scaling form on the stored kernel K = exp(-C / eps), both products of an
     * iteration in one pass over K (stdlib's sinkhorn calls it when K fits in memory) */
    {"sinkhorn_kernel", "a: num[n], b: num[m], K: float[n, m], eps: num, g0: num[m], tol: num, max_iter: int",
     b_sinkhorn_kernel, RT_OT_SINKHORN_KERNEL, "{f: f64[n], g: f64[m], err: f64, iterations: i64, converged: bool}", false},
    /* the Newton stage of Sinkhorn-Newton-Sparse from the potentials f0, g0 (stdlib's
     * sinkhorn_newton runs the Sinkhorn warm-up first) */
    BUILTIN_RUNTIME("_sinkhorn_newton",
                    "a: num[n], b: num[m], C: num[n, m], eps: num, f0: num[n], g0: num[m], tol: num, max_iter: int, keep: num",
                    RT_OT_SINKHORN_NEWTON,
                    "{f: f64[n], g: f64[m], err: f64, cost: f64, iterations: i64, converged: bool, nnz: i64, sinkhorn_steps: i64}"),
    {0},
};
