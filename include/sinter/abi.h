/* sinter/abi.h: the contract between the compiler and libsinter that user C programs need not see:
 * SnTensor's field offsets, the checks and failures generated code reports, the fixed order of
 * float sums, the lse tile, the program entry (arguments, sn_main), load and save as the
 * language calls them, the results of kernels with several outputs, the solvers and the
 * pictures as generated code calls them. compiler/rtabi.def lists what generated code calls. Only core.h
 * is included: a result is opaque here. */
#ifndef SINTER_ABI_H
#define SINTER_ABI_H

#include "sinter/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Generated code reads SnTensor's `data` and `shape` fields directly, at these offsets. */
#define SN_TENSOR_DATA_OFFSET 0
#define SN_TENSOR_RANK_OFFSET 8
#define SN_TENSOR_SHAPE_OFFSET 16

/* --- checks generated code calls when a run-time value breaks a rule ------------------------ */
/* Each returns a non-zero status with a message that starts with `where` (file:line:col); after
 * an SN_WHERE_SNIPPET byte, `where` may carry the source line and a caret, shown below it. */
#define SN_WHERE_SNIPPET '\x1f'
SnStatus sn_fail_index(const char *where, const char *what, int64_t index, int64_t extent);
SnStatus sn_fail_dims(const char *where, const char *what, int64_t a, int64_t b);
SnStatus sn_fail_msg(const char *where, const char *msg);
SnStatus sn_fail_size(const char *where, const char *what, int64_t n);
/* The pending message of a function that knows no source location (an allocation that failed,
 * sn_matmul), put after `where`: generated code calls it when such a function fails. */
SnStatus sn_fail_at(const char *where);
/* A failed `check(cond, msg, values..., hint=...)`: each "{}" in msg is replaced by the next of
 * the n values, written as its kind says (2 bits per value: SN_CHECK_F64, _F32, _INT, _BOOL);
 * the hint (may be NULL) is shown below the source line. */
enum { SN_CHECK_F64, SN_CHECK_F32, SN_CHECK_INT, SN_CHECK_BOOL };
#define SN_CHECK_MAX_VALUES 4
SnStatus sn_fail_check(const char *where, const char *msg, const char *hint, int32_t n,
                       const double *values, int32_t kinds);
/* The message of a failed check, written into text (cap bytes, at least 41; a long message is
 * cut): the compiler reports a check that fails whatever the input with the same words. Returns
 * its length. */
int32_t sn_check_format(char *text, int32_t cap, const char *msg, int32_t n, const double *values, int32_t kinds);
/* Checks t's shape against `expected` (rank entries; -1 matches any size). `declared` is the
 * type as written ("f32[n, 3]"), for the message; `usage` is non-zero for a program argument,
 * whose mismatch sn_main reports with exit code 2. */
SnStatus sn_check_shape(const char *where, const char *what, const char *declared, int32_t usage,
                        const SnTensor *t, int64_t rank, const int64_t *expected);
/* base^exponent for integers, wrapping on overflow; exponent >= 0 (checked by the caller). */
int64_t sn_ipow(int64_t base, int64_t exponent);

/* --- float sums and products in one order (runtime/core/sum.c) ----------------------------------
 * sum_leaf: the value of one leaf, x[off .. off + n), n <= SN_SUM_LEAF (lanes, then in order).
 * push adds leaf v, the k-th (from 0), to the tree in `stack` (64 entries); fold gives the tree
 * over the n leaves pushed: the first 2^p and the rest, 2^p the largest power of two below n.
 * mul: products instead of sums. chunk: the leaves per parallel chunk, a power of two, at least
 * `least` and enough for at most 64 chunks (a chunk's tree is then a subtree of the whole one). */
#define SN_SUM_LANES 32
#define SN_SUM_LEAF 256
double sn_sum_leaf(const double *x, int64_t off, int64_t n, int32_t mul);
float sn_sum_leaff(const float *x, int64_t off, int64_t n, int32_t mul);
void sn_sum_push(double *stack, int64_t k, double v, int32_t mul);
void sn_sum_pushf(float *stack, int64_t k, float v, int32_t mul);
double sn_sum_fold(const double *stack, int64_t n, int32_t mul);
float sn_sum_foldf(const float *stack, int64_t n, int32_t mul);
int64_t sn_sum_chunk(int64_t nleaves, int64_t least);
/* Sums of SN_SUM_COLS_BYTES of columns at once (16 f32, 8 f64: one vector register), each with
 * the bits of its own sum above: leaf_cols takes x[t * W + w], t < n <= SN_SUM_LEAF, as term t
 * of column w's k-th leaf and pushes the W leaves onto their trees (stack: 64 vectors of W);
 * fold_cols writes the W folds over n leaves to out. Only sums (compiler/loops.c, sum_cols). */
#define SN_SUM_COLS_BYTES 64
void sn_sum_leaf_cols(const double *x, int64_t n, double *stack, int64_t k);
void sn_sum_leaf_colsf(const float *x, int64_t n, float *stack, int64_t k);
void sn_sum_fold_cols(const double *stack, int64_t n, double *out);
void sn_sum_fold_colsf(const float *stack, int64_t n, float *out);

/* --- the shared lse tile and random tensors ------------------------------------------------ */
/* The sum of exp(v[i] - m), i < n, where m is the maximum of v: one tile of lse
 * (runtime/math/expsum.c). Each term is within 1.25 ulp (f64) or 1.1 ulp (f32); exps below
 * exp(-600) (f64) or exp(-64) (f32) count as that much, which cannot change a sum >= 1. */
double sn_expsum(const double *v, int64_t n, double m);
float sn_expsumf(const float *v, int64_t n, float m);
/* rand and randn: a tensor of dtype drawn from sn_rng(seed), uniform or normal (dist, SnDist). */
typedef enum { SN_DIST_UNIFORM, SN_DIST_NORMAL } SnDist;
SnTensor *sn_random(SnDtype dtype, int64_t rank, const int64_t *shape, int64_t seed, int32_t dist);
/* x[mask]: the row-major positions of mask's true elements, an i64 vector (runtime/core/flatnonzero.c). */
SnTensor *sn_flatnonzero(const SnTensor *mask);

/* --- results of several parts (runtime/core/result.c) ------------------------------------------
 * A kernel with several outputs (a solver's plan, cost and iterations; eigh's values and vectors)
 * returns an SnResult: parts 0 .. n-1, each named and each a tensor or an f64 or i64 scalar.
 * The compiler's row of the builtin that calls the kernel gives the result's type as a record,
 * "{plan: f64[n, m], cost: f64, support: {rows: i64[nnz], ...}}": its fields, flattened depth
 * first, are the parts in order (part k is the k-th leaf), and the kernel names each part as
 * that leaf's path ("plan", "support.rows"), for C callers (sn_result_find) and messages. A
 * tensor field is read with sn_result_tensor, a float field with sn_result_f64, an integer or
 * bool field with sn_result_i64 (bools are 0 or 1), so a new kernel needs only its row and its
 * C function. Generated code reads the parts it uses and then frees the result (the compiler's
 * rc pass owns the handle like a tensor); a result still open when a run stops on an error is
 * freed by sn_run_cleanup. A kernel fails by returning NULL with the message set, starting with
 * the caller's location (sn_result_failed). */
typedef struct SnResult SnResult;
typedef enum { SN_PART_NONE, SN_PART_TENSOR, SN_PART_F64, SN_PART_I64 } SnPartKind;
#define SN_RESULT_MAX_PARTS 64
/* A result of nparts parts, all SN_PART_NONE; NULL (message set) when memory runs out. */
SnResult *sn_result_new(int32_t nparts);
/* Set part k (0 <= k < nparts), releasing a tensor it held. `name` must outlive r (a string
 * literal). set_tensor takes over the caller's reference to t (NULL leaves the part empty). */
void sn_result_set_tensor(SnResult *r, int32_t k, const char *name, SnTensor *t);
void sn_result_set_f64(SnResult *r, int32_t k, const char *name, double v);
void sn_result_set_i64(SnResult *r, int32_t k, const char *name, int64_t v);
int32_t sn_result_count(const SnResult *r);
const char *sn_result_name(const SnResult *r, int32_t k); /* "" for an empty part or no part k */
int32_t sn_result_kind(const SnResult *r, int32_t k);     /* SnPartKind; NONE for no part k */
int32_t sn_result_find(const SnResult *r, const char *name); /* the part called name, or -1 */
/* Part k as a new reference; NULL (message set) when it is not a tensor. */
SnTensor *sn_result_tensor(SnResult *r, int32_t k);
/* Part k as a number: an f64 part, or an i64 one converted (NaN when part k is no scalar). */
double sn_result_f64(const SnResult *r, int32_t k);
/* Part k as an integer: an i64 part, or an f64 one truncated toward zero and clamped (0 when
 * part k is no scalar). */
int64_t sn_result_i64(const SnResult *r, int32_t k);
void sn_result_free(SnResult *r); /* r may be NULL */
/* A kernel's failure: puts `where` before the current message, frees r (may be NULL), and
 * returns NULL. */
SnResult *sn_result_failed(const char *where, SnResult *r);
/* A result of the n tensors parts[k], named names[k], taken over (the caller's references). A
 * NULL part (its computation failed, message set) or running out of memory releases the others
 * and fails as sn_result_failed does. */
SnResult *sn_result_of_tensors(const char *where, int32_t n, const char *const *names, SnTensor *const *parts);
/* Frees every result not yet freed (sn_run_cleanup calls it: a run stopped between a kernel
 * and its readers leaves its result open). */
void sn_result_free_open(void);

/* --- running a program -------------------------------------------------------------------- */
typedef enum { SN_ARG_I64, SN_ARG_F64, SN_ARG_BOOL, SN_ARG_STR, SN_ARG_TENSOR } SnArgKind;
typedef struct SnArgSpec {
  const char *name;
  int32_t kind;        /* SnArgKind */
  int32_t dtype;       /* element type for SN_ARG_TENSOR */
  int32_t rank;        /* for SN_ARG_TENSOR */
  const char *type;    /* the declared type as written, for messages ("f32[n, 3]") */
  const char *def;     /* default value as text, NULL when the argument is required */
} SnArgSpec;
typedef union SnArgValue { int64_t i; double f; const char *s; SnTensor *t; } SnArgValue;
/* Parses --name=value / --name value / positional arguments into values (one per spec).
 * `prog` names the program in messages and --help. Returns 0, 1 on a bad argument (message
 * set), or 2 when --help was asked for (usage printed to stdout). */
int sn_args_parse(const char *prog, int argc, char **argv, const SnArgSpec *spec, int nspec,
                  SnArgValue *out);
void sn_args_free(const SnArgSpec *spec, int nspec, SnArgValue *vals);
/* a == b for strings a program compares when it runs (a string argument): 1 or 0. */
int32_t sn_str_eq(const char *a, const char *b);

/* A compiled program's body: reads its arguments from `args` and (in the REPL) its persistent
 * values from `slots`; returns 0, or non-zero with the message set. */
typedef int32_t (*SnProgramFn)(void *user, SnArgValue *args, SnArgValue *slots);
/* Parses arguments, runs the program, reports an error with its location and frees what the
 * program held. Returns the process exit code: 0 ok, 1 the program failed, 2 bad arguments. */
int sn_main(const char *prog, int argc, char **argv, const SnArgSpec *spec, int nspec, SnProgramFn fn,
            void *user);
/* What a run leaves open (files load keeps between tensors, progress reports of a loop and
 * results of a kernel when it stopped on an error) is let go; sn_main calls it, and the REPL after each input. */
void sn_run_cleanup(void);

/* --- load and save (the language's functions) ------------------------------------------------
 * `where` (file:line:col of the call, see SN_WHERE_SNIPPET) starts every message. A loaded
 * tensor must have the dtype and rank the program was compiled for; it comes back row-major. */
SnTensor *sn_load_tensor(const char *where, const char *path, int32_t dtype, int64_t rank); /* .npy, or a one-tensor .safetensors */
SnTensor *sn_load_named(const char *where, const char *path, const char *name, int32_t dtype, int64_t rank);
/* load_csv: the parts "x", the features (of `dtype`), and unless `label` is "" (none) "y", the
 * labels (which must be of `ydtype`); `label`, `delimiter` and `header` as SnCsvSpec's. */
SnResult *sn_load_csv(const char *where, const char *path, const char *label, int32_t dtype, int32_t ydtype,
                      int32_t delimiter, int32_t header);
/* load_idx: an IDX file's data as `dtype`, its trailing dimensions flattened into dimension
 * rank - 1 when rank is below the file's; each of `expected` (rank entries) that is not -1 must
 * be that dimension's size. */
/* The sizes a file of file_rank dimensions has at `rank` (1 <= rank <= file_rank, else 1). */
SnStatus sn_idx_fold(int64_t file_rank, const int64_t *file_shape, int64_t rank, int64_t *shape);
SnTensor *sn_load_idx(const char *where, const char *path, int32_t dtype, int64_t rank, const int64_t *expected);
/* load(path, like=template): a checkpoint read against a known structure. sn_load_names checks
 * that the file holds exactly the tensors named in `names` (one per line), naming the first
 * missing or extra one; sn_load_like reads one of them, which must have `dtype` and the sizes
 * `shape` (rank entries), else an error names the tensor, the file and both types. */
SnStatus sn_load_names(const char *where, const char *path, const char *names);
SnTensor *sn_load_like(const char *where, const char *path, const char *name, int32_t dtype, int64_t rank,
                       const int64_t *shape);
void sn_load_close(void);     /* closes the safetensors files load keeps open between tensors */
SnStatus sn_save_tensor(const char *where, const char *path, const SnTensor *t); /* .npy or .safetensors */
/* text with each `{}` replaced by the next number of the vector values and `{*}` by the numbers
 * left, written atomically to path (runtime/io/text.c) */
SnStatus sn_write_text(const char *where, const char *path, const char *text, const SnTensor *values);
/* A record: begin, add each field (the saver retains it), end writes the file (or a directory of
 * shards for a path ending in '/'). A failing add or end frees the saver. */
void *sn_save_begin(const char *where, const char *path);
SnStatus sn_save_add(void *saver, const char *name, SnTensor *t);
SnStatus sn_save_end(void *saver);
/* What the compiler learns from a file when a program loads it with a literal path. */
typedef struct SnFileInfo {
  int32_t record; /* 0: one tensor (.npy); 1: a record of named tensors */
  int64_t n;
  char **names;
  int32_t *dtypes;
  int64_t *ranks;
} SnFileInfo;
SnStatus sn_load_describe(const char *path, SnFileInfo *info);
void sn_file_info_free(SnFileInfo *info);

/* --- pictures as the language draws them (runtime/plot/plot.c) -------------------------------
 * sinter/plot.h's functions, with a failure located at `where`. `labels` holds the names of the
 * legend separated by newlines ("" for none); x (lines) or y (scatter) is read only when has_x
 * or has_y is set. */
SnStatus sn_plot_lines_call(const char *where, const char *path, const SnTensor *y, const SnTensor *x, int32_t has_x,
                            const char *labels, const char *title, const char *xlabel, const char *ylabel, int32_t logy);
SnStatus sn_plot_scatter_call(const char *where, const char *path, const SnTensor *x, const SnTensor *y, int32_t has_y,
                              const char *labels, const char *title, const char *xlabel, const char *ylabel);
SnStatus sn_plot_density_call(const char *where, const char *path, const SnTensor *x, int64_t bins, const char *title,
                              const char *xlabel, const char *ylabel);

/* --- map over the tensors of checkpoints (runtime/io/stmap.c) ---------------------------------
 * The inputs matched by name: each must hold the same names with the same dtypes and shapes.
 * sn_stmap_open fails with a message naming the checkpoint, the file and the tensor, and *bad
 * the input at fault (-1 for none in particular); the compiler calls it on files that exist when
 * it compiles, the program again when it runs. Tensor k is input 0's k-th, in file order. */
typedef struct SnStMap SnStMap;
/* How the rows of the embedding and output matrices (2-D tensors named with embed_tokens or
 * lm_head) are matched: SAME, they must agree as every other tensor; BASE and UNION (save's
 * vocab=, mergekit's tokenizer_source), each model's rows are matched by token string (its
 * directory's tokenizer.json) onto the output vocabulary, the base's (input 0's) or the base's
 * followed by the others' new tokens; HEADERS, their rows are not compared and no tokenizer is
 * read (the compiler's first look, before it knows save's vocab=). */
enum { SN_VOCAB_SAME, SN_VOCAB_BASE, SN_VOCAB_UNION, SN_VOCAB_HEADERS };
SnStMap *sn_stmap_open(int64_t n, const char *const *paths, int32_t vocab, int64_t *bad);
void sn_stmap_close(SnStMap *m);
int64_t sn_stmap_count(const SnStMap *m);
/* Tensor k's dtype and rank. */
void sn_stmap_info(const SnStMap *m, int64_t k, int32_t *dtype, int64_t *rank);
/* Fails when `out` (a .safetensors file, or a directory ending in '/') is one of the inputs. */
SnStatus sn_stmap_check_output(const SnStMap *m, const char *out);
/* A program's map: begin, each input's path, each (dtype, rank) it was compiled for, then start
 * (opens and checks everything, declares the output, of out_dtype or of each input's dtype);
 * then per group, count its tensors, each taken from every input (get), computed and written
 * (put, which gives the inputs' pages back); end renames the output into place. A failing call frees the run and locates its
 * message at `where`; sn_run_cleanup abandons a run that an error stopped (no output). */
void *sn_map_begin(const char *where, int64_t ninputs);
SnStatus sn_map_input(void *run, const char *path);
SnStatus sn_map_accept(void *run, int32_t dtype, int64_t rank);
/* out_dtype -1 keeps each tensor's; files_from "" copies nothing, else a directory whose files other
 * than weights (config, tokenizer) the output directory gets when the map ends; vocab an SN_VOCAB_*
 * (BASE and UNION also write the output vocabulary's tokenizer.json, and UNION config.json's
 * vocab_size); with BASE and UNION, vocab_pad > 1 pads the embedding and output matrices' rows to
 * a multiple of it (save's pad_to_multiple_of=, and config.json's vocab_size) */
SnStatus sn_map_start(void *run, const char *out, int64_t shard_bytes, int32_t out_dtype, const char *files_from,
                      int32_t vocab, int64_t vocab_pad);
int64_t sn_map_count(void *run, int32_t dtype, int64_t rank);
SnTensor *sn_map_get(void *run, int32_t dtype, int64_t rank, int64_t k, int64_t input);
SnStatus sn_map_put(void *run, int32_t dtype, int64_t rank, int64_t k, const SnTensor *value);
SnStatus sn_map_end(void *run);
/* The tensor k of a group as its name tells (docs/merge.md): its layer number (its first
 * dot-separated part of digits alone, or -1), whether it contains `text`, its index among the
 * checkpoint's tensors; and 1 + the largest layer number of the checkpoint (0 when none). */
int64_t sn_map_layer(void *run, int32_t dtype, int64_t rank, int64_t k);
int64_t sn_map_has(void *run, int32_t dtype, int64_t rank, int64_t k, const char *text);
int64_t sn_map_id(void *run, int32_t dtype, int64_t rank, int64_t k);
int64_t sn_map_layers(void *run);
void sn_map_abandon_all(void);
/* mergekit's passthrough with slices (docs/merge.md): "a/[0:16] b/[8:24]" stacked into `out`, the
 * layers renumbered, the tensors of no layer from the first slice's checkpoint; shard_bytes and
 * files_from as sn_map_start's. */
SnStatus sn_passthrough(const char *where, const char *slices, const char *out, int64_t shard_bytes, const char *files_from);

/* --- linear algebra of several outputs (runtime/math/linalg.c) --------------------------------
 * As sn_solve and the others in sinter/math.h (an f32 or f64 matrix, finite), each taking the
 * caller's location first and giving an SnResult whose parts are its builtin's record:
 * slogdet {sign, logabsdet} (f64 scalars; a singular matrix gives 0 and -inf, as NumPy); eigh
 * {values [n] ascending, vectors [n, n] as columns} of a symmetric A, from its lower triangle;
 * svd {U [m, k], S [k] descending, Vt [k, n]}, qr {Q [m, k], R [k, n]}, k = min(m, n): the
 * reduced forms (full_matrices=False, mode='reduced'). */
SnResult *sn_slogdet(const char *where, const SnTensor *A);
SnResult *sn_eigh(const char *where, const SnTensor *A);
SnResult *sn_svd(const char *where, const SnTensor *A);
SnResult *sn_qr(const char *where, const SnTensor *A);

/* As torch.topk(x, k, largest): the k largest (largest != 0) or smallest elements of each line
 * along x's last axis, in that order, as {values (x's dtype), indices (i64)}, both of x's shape
 * with the last dimension k (0 <= k <= it). Ties keep the lower index first; NaN counts as the
 * largest value (runtime/math/sort.c). */
SnResult *sn_topk(const char *where, const SnTensor *x, int64_t k, int32_t largest);
/* The k-th largest of all of x's elements (1 <= k <= numel, topk's order: NaN the largest, ties
 * in index order) as {value (f64), index (i64, the flat index of that element)}: the last of
 * topk(flatten(x), k), in O(n) by radix selection (runtime/math/sort.c). */
SnResult *sn_kth_largest(const char *where, SnTensor *x, int64_t k);

/* --- the transport solvers as generated code calls them ---------------------------------------
 * Each takes the caller's location first (`where`) and returns an SnResult whose parts are the
 * fields of its builtin's result record (compiler/builtins_transport.c), in that order and under
 * those names; emd's plan is dense, emd_1d gives the sparse support. */
SnResult *sn_ot_emd_call(const char *where, const SnTensor *a, const SnTensor *b,
                         const SnTensor *C, int64_t max_iter);
SnResult *sn_ot_emd_1d_call(const char *where, const SnTensor *x, const SnTensor *y,
                            const SnTensor *a, const SnTensor *b, double p);
/* sn_ot_linear_sum_assignment_f64 on a matrix of any numeric dtype: parts rows, cols (i64
 * [min(n, m)]) and cost. */
SnResult *sn_ot_linear_sum_assignment_call(const char *where, const SnTensor *C, int32_t maximize);
SnResult *sn_ot_sliced_wasserstein_call(const char *where, const SnTensor *X, const SnTensor *Y,
                                        const SnTensor *a, const SnTensor *b, int64_t nproj, int64_t seed,
                                        double p);
/* sn_ot_sinkhorn_newton_f64 on tensors of any numeric dtype: a [n], b [m] (each may be NULL: uniform),
 * C [n, m], and starting potentials f0 [n], g0 [m] (each may be NULL: zeros). A run that stops
 * at max_iter is a result (converged 0), not a failure. Parts: f, g (f64), err, cost,
 * iterations, converged, nnz (the entries kept in the last Newton step), sinkhorn_steps (the
 * steps that were Sinkhorn's). */
SnResult *sn_ot_sinkhorn_newton_call(const char *where, const SnTensor *a, const SnTensor *b,
                                     const SnTensor *C, double eps, const SnTensor *f0, const SnTensor *g0,
                                     double tol, int64_t max_iter, double keep);
/* sn_ot_sinkhorn_kernel_f64 from u = 1 and v = exp(g0 / eps) (g0 NULL: zeros), on weights of
 * any numeric dtype. Parts: f, g, the potentials eps log u and eps log v (f64), err,
 * iterations, converged. */
SnResult *sn_ot_sinkhorn_kernel_call(const char *where, const SnTensor *a, const SnTensor *b,
                                     const SnTensor *K, double eps, const SnTensor *g0, double tol,
                                     int64_t max_iter);

#ifdef __cplusplus
}
#endif
#endif
