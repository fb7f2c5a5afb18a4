/* sinter.h: the public C API of libsinter, and the contract between generated code and the runtime.
 *
 * Generated code reads SnTensor's `data` and `shape` fields directly (their offsets are part of
 * the ABI, see SN_TENSOR_DATA_OFFSET); everything else goes through the functions below.
 * Functions that can fail return NULL or a non-zero SnStatus and leave a message that
 * sn_error_message() returns; the runtime never aborts on bad data. */
#ifndef SINTER_H
#define SINTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most dimensions a tensor may have: ML tensors rarely pass 5, and a fixed bound keeps the
 * header a single allocation with constant field offsets for generated code. */
#define SN_MAX_RANK 8

typedef int SnStatus; /* 0 = ok, anything else = failed with a message (sn_error_message) */

typedef enum SnDtype {
  SN_BOOL, SN_I8, SN_U8, SN_I32, SN_I64, SN_F16, SN_BF16, SN_F32, SN_F64, SN_NDTYPES
} SnDtype;

const char *sn_dtype_name(SnDtype t);
size_t sn_dtype_size(SnDtype t);
int sn_dtype_from_name(const char *name, SnDtype *out); /* 0 when name is not a dtype */

/* --- errors -------------------------------------------------------------------------------- */
SnStatus sn_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *sn_error_message(void); /* the last error on this thread, "" when none */
void sn_error_clear(void);
/* Is the last error a bad program argument (sn_check_shape's with usage set), which sn_main reports with exit
 * code 2 like the errors of sn_args_parse? */
int sn_error_is_usage(void);

/* --- tensors ------------------------------------------------------------------------------- */
typedef struct SnTensor {
  void *data;                    /* element 0; row-major and contiguous when SN_CONTIGUOUS */
  int64_t rank;
  int64_t shape[SN_MAX_RANK];
  int64_t strides[SN_MAX_RANK]; /* in elements */
  int32_t dtype;                 /* SnDtype */
  int32_t flags;
  int64_t refcount;
  struct SnTensor *live_prev, *live_next; /* the list of live tensors, for cleanup after an error */
  uint64_t generation;                    /* allocation order, see sn_tensor_release_since */
  struct SnBuffer *buffer; /* the storage `data` points into, shared with views (one reference) */
} SnTensor;

#define SN_TENSOR_DATA_OFFSET 0
#define SN_TENSOR_RANK_OFFSET 8
#define SN_TENSOR_SHAPE_OFFSET 16
#define SN_CONTIGUOUS 1

/* A new contiguous tensor; its elements are not initialised. NULL (with a message) when the
 * size overflows or memory runs out. */
SnTensor *sn_tensor_new(SnDtype dtype, int64_t rank, const int64_t *shape);
SnTensor *sn_tensor_zeros(SnDtype dtype, int64_t rank, const int64_t *shape);
/* A new tensor holding a copy of `data` (numel elements of dtype, row-major). */
SnTensor *sn_tensor_from_data(SnDtype dtype, const void *data, int64_t rank, const int64_t *shape);
void sn_tensor_retain(SnTensor *t);
void sn_tensor_release(SnTensor *t);
int64_t sn_tensor_numel(const SnTensor *t);
/* Tensors alive now were allocated before this mark; release_since frees every tensor allocated
 * after the mark whatever its count (the cleanup after a program stopped on an error). */
uint64_t sn_tensor_mark(void);
void sn_tensor_release_since(uint64_t mark);
int64_t sn_tensor_live_count(void);

/* Element i (row-major position) converted to double, and stored from a double. */
double sn_tensor_get_f64(const SnTensor *t, int64_t i);
void sn_tensor_set_f64(SnTensor *t, int64_t i, double v);

/* --- dtype conversions (round to nearest even; NaN and Inf preserved) ----------------------- */
float sn_f16_to_f32(uint16_t h);
uint16_t sn_f32_to_f16(float f);
float sn_bf16_to_f32(uint16_t h);
uint16_t sn_f32_to_bf16(float f);

/* --- printing ------------------------------------------------------------------------------ */
/* print(a, b, ...) in a program: values separated by one space, then a newline. */
void sn_print_str(const char *s);
void sn_print_i64(int64_t v);
void sn_print_bool(int32_t v);
void sn_print_f32(float v);
void sn_print_f64(double v);
void sn_print_f16(float v);  /* v holds an f16 value; printed as the shortest text that reads back as it */
void sn_print_bf16(float v); /* v holds a bf16 value; likewise */
void sn_print_tensor(const SnTensor *t);
void sn_print_end(void);
/* Is a print call under way (interrupted by a signal handler)? */
int sn_print_busy(void);
/* Shortest decimal text that reads back as the same value (Python repr layout); at most 40 bytes. */
int sn_format_f64(char *buf, double v);
int sn_format_f32(char *buf, float v);
int sn_format_f16(char *buf, float v);
int sn_format_bf16(char *buf, float v);
void sn_set_output(FILE *f); /* default stdout */

/* --- random numbers (Philox4x32-10, counter-based) ----------------------------------------- */
typedef enum { SN_DIST_UNIFORM, SN_DIST_NORMAL } SnDist;
void sn_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);
SnTensor *sn_random(SnDtype dtype, int64_t rank, const int64_t *shape, int64_t seed, int32_t dist);

/* --- parallel loops ----------------------------------------------------------------------- */
/* [0, n) is cut into nchunks chunks, chunk c being [n*c/nchunks, n*(c+1)/nchunks);
 * sn_parallel_for calls body(ctx, c, lo, hi) for each on the runtime's threads. A body reports
 * failure by returning non-zero; the first failure's message is kept. sn_parallel_chunks picks
 * a chunk count from the size alone (at least `grain` iterations a chunk), so reductions that
 * combine per-chunk results in order are the same on any thread count. */
typedef int32_t (*SnChunkFn)(void *ctx, int64_t chunk, int64_t lo, int64_t hi);
int64_t sn_parallel_chunks(int64_t n, int64_t grain);
SnStatus sn_parallel_for(int64_t n, int64_t nchunks, SnChunkFn body, void *ctx);
/* The same chunks in order on the calling thread (generated code picks it for small loops). */
SnStatus sn_serial_for(int64_t n, int64_t nchunks, SnChunkFn body, void *ctx);
int sn_num_threads(void); /* SINTER_THREADS, else the machine's cores */

/* --- float sums and products in one order (runtime/sum.c) ----------------------------------
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

/* --- linear algebra ----------------------------------------------------------------------- */
/* a @ b for rank 1 or 2 operands of the same float dtype (OpenBLAS). */
SnTensor *sn_matmul(const SnTensor *a, const SnTensor *b);

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
/* Checks t's shape against `expected` (rank entries; -1 matches any size). `declared` is the
 * type as written ("f32[n, 3]"), for the message; `usage` is non-zero for a program argument,
 * whose mismatch sn_main reports with exit code 2. */
SnStatus sn_check_shape(const char *where, const char *what, const char *declared, int32_t usage,
                        const SnTensor *t, int64_t rank, const int64_t *expected);
/* base^exponent for integers, wrapping on overflow; exponent >= 0 (checked by the caller). */
int64_t sn_ipow(int64_t base, int64_t exponent);

/* --- scalar math shared by generated code and the interpreter -------------------------------
 * exp and log are computed by the same operation sequence in generated code (vectorisable),
 * so the interpreter and compiled code agree bit for bit. */
float sn_expf(float x);
double sn_exp(double x);
/* The sum of exp(v[i] - m), i < n, where m is the maximum of v: one tile of lse
 * (runtime/expsum.c). Each term is within 1.25 ulp (f64) or 1.1 ulp (f32); exps below
 * exp(-600) (f64) or exp(-64) (f32) count as that much, which cannot change a sum >= 1. */
double sn_expsum(const double *v, int64_t n, double m);
float sn_expsumf(const float *v, int64_t n, float m);
float sn_logf(float x);
double sn_log(double x);

/* --- program arguments ---------------------------------------------------------------------- */
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
/* Parses a tensor literal such as "[[1, 2], [3, 4]]" into a tensor of `dtype`. */
SnTensor *sn_tensor_parse(const char *text, SnDtype dtype);

/* A compiled program's body: reads its arguments from `args` and (in the REPL) its persistent
 * values from `slots`; returns 0, or non-zero with the message set. */
typedef int32_t (*SnProgramFn)(void *user, SnArgValue *args, SnArgValue *slots);
/* Parses arguments, runs the program, reports an error with its location and frees what the
 * program held. Returns the process exit code: 0 ok, 1 the program failed, 2 bad arguments. */
int sn_main(const char *prog, int argc, char **argv, const SnArgSpec *spec, int nspec, SnProgramFn fn,
            void *user);
/* What a run leaves open (files load keeps between tensors, progress reports of a loop that
 * stopped on an error) is let go; sn_main calls it, and the REPL after each input. */
void sn_run_cleanup(void);

/* --- time ----------------------------------------------------------------------------------- */
double sn_now(void); /* seconds, monotonic */

/* --- tensor storage and views --------------------------------------------------------------
 * A tensor's elements live in a refcounted SnBuffer: memory the runtime allocated (owned) or a
 * file mapped with mmap (private, copy-on-write: writes never reach the file). Views share
 * their base's buffer and hold a reference to it, so a view outlives the tensor it came from.
 * A view need not be contiguous: code that reads `data` as row-major checks SN_CONTIGUOUS in
 * `flags` or calls sn_tensor_contiguous first. Every tensor, view or not, is on the live list. */
typedef struct SnBuffer SnBuffer;
typedef enum SnBufferKind { SN_BUFFER_OWNED, SN_BUFFER_MMAP } SnBufferKind;

SnBuffer *sn_buffer_new(size_t bytes); /* owned, 64-byte aligned, not initialised */
/* The whole of a regular file, mapped; the file is recorded as a program input. */
SnBuffer *sn_buffer_map_file(const char *path);
void sn_buffer_retain(SnBuffer *b);
void sn_buffer_release(SnBuffer *b);
void *sn_buffer_data(const SnBuffer *b);
size_t sn_buffer_size(const SnBuffer *b);
SnBufferKind sn_buffer_kind(const SnBuffer *b);
SnBuffer *sn_tensor_buffer(const SnTensor *t); /* borrowed: retain it to keep it */

/* A contiguous tensor over bytes [offset, offset + numel * size) of b, holding a reference to b.
 * When that address is not aligned for the dtype the elements are copied into an owned buffer,
 * since C forbids misaligned loads. NULL when the bytes lie outside b. */
SnTensor *sn_tensor_from_buffer(SnBuffer *b, size_t offset, SnDtype dtype, int64_t rank,
                                const int64_t *shape);
/* A view of t's buffer: element (i0, i1, ...) is at t->data + offset + sum(ik * strides[k])
 * elements. NULL when an element would fall outside the buffer. */
SnTensor *sn_tensor_as_strided(const SnTensor *t, int64_t rank, const int64_t *shape,
                               const int64_t *strides, int64_t offset);
/* Elements start, start + step, ... below stop along dim; 0 <= start <= stop <= size, step >= 1. */
SnTensor *sn_tensor_slice(const SnTensor *t, int64_t dim, int64_t start, int64_t stop,
                          int64_t step);
SnTensor *sn_tensor_select(const SnTensor *t, int64_t dim, int64_t index); /* drops dim */
SnTensor *sn_tensor_transpose(const SnTensor *t, int64_t dim0, int64_t dim1);
SnTensor *sn_tensor_permute(const SnTensor *t, const int64_t *perm); /* new dim k = old perm[k] */
/* The same elements in row-major order with a new shape (one size may be -1, inferred): a view
 * when the strides allow it (NumPy's rule), else a contiguous copy. */
SnTensor *sn_tensor_reshape(const SnTensor *t, int64_t rank, const int64_t *shape);
int sn_tensor_is_contiguous(const SnTensor *t); /* row-major and dense */
/* t itself, retained, when it is contiguous; else a contiguous copy. */
SnTensor *sn_tensor_contiguous(SnTensor *t);
SnTensor *sn_tensor_copy(const SnTensor *t); /* always a new contiguous tensor */
/* The address of element i in row-major order, whatever the strides (0 <= i < numel). */
void *sn_tensor_at(const SnTensor *t, int64_t i);

/* --- dtype conversions in bulk -------------------------------------------------------------
 * Floats to floats round to nearest even; f64 to f16/bf16 rounds through f32 as PyTorch does.
 * NaN stays NaN (bf16 NaN is 0x7FC0 as in c10::BFloat16, f16 NaN 0x7E00 with its sign), Inf
 * stays Inf. Integers to floats round to nearest even. Floats to integers truncate toward zero
 * and saturate at the type's range, NaN giving 0 (PyTorch leaves these undefined). Integers to
 * narrower integers wrap (two's complement). Anything to bool is x != 0, so NaN is true. */
SnStatus sn_convert(void *dst, SnDtype dst_dtype, const void *src, SnDtype src_dtype, int64_t n);
/* t's elements as `dtype` in a new contiguous tensor, or t retained when it already is one. */
SnTensor *sn_tensor_astype(SnTensor *t, SnDtype dtype);

/* --- random streams (Philox4x32-10; layout in rng.c) ----------------------------------------
 * Block b of a stream is philox(ctr = {b lo, b hi, stream lo, stream hi}, key = {seed lo, seed
 * hi}) with b counted from `offset`. Element i of a draw depends only on (seed, stream, offset,
 * i), so results are the same on every thread count and back end. */
typedef struct SnRng {
  uint64_t seed;
  uint64_t stream;
  uint64_t offset; /* the first block a draw uses */
} SnRng;

SnRng sn_rng(uint64_t seed); /* stream 0, offset 0 */
/* Child stream i of r: a stream number derived by Philox from (r.seed, r.stream, i), so
 * children of one parent, and of different parents, do not overlap in practice. */
SnRng sn_rng_split(SnRng r, uint64_t i);
/* Elements [start, start + n) of a draw, written to out[0..n). Uniform is in [0, 1). */
void sn_rng_uniform_f32(SnRng r, int64_t start, int64_t n, float *out);
void sn_rng_uniform_f64(SnRng r, int64_t start, int64_t n, double *out);
void sn_rng_normal_f32(SnRng r, int64_t start, int64_t n, float *out);
void sn_rng_normal_f64(SnRng r, int64_t start, int64_t n, double *out);
/* Tensors of a floating dtype (f16 and bf16 are drawn in f32 and rounded). */
SnTensor *sn_rng_uniform(SnRng r, SnDtype dtype, int64_t rank, const int64_t *shape);
SnTensor *sn_rng_normal(SnRng r, SnDtype dtype, int64_t rank, const int64_t *shape);
/* A bool tensor, each element true with probability p in [0, 1]. */
SnTensor *sn_rng_bernoulli(SnRng r, double p, int64_t rank, const int64_t *shape);
/* n draws of category k with probability weights[k] / sum(weights): weights f32/f64 [k] gives
 * i64 [n]; weights [b, k] gives i64 [b, n], one distribution per row. Weights must be finite,
 * non-negative, with a positive sum. */
SnTensor *sn_rng_categorical(SnRng r, const SnTensor *weights, int64_t n);
SnTensor *sn_rng_permutation(SnRng r, int64_t n); /* i64 [n]: 0..n-1 shuffled uniformly */

/* --- files: program inputs and atomic writes ------------------------------------------------
 * Every reader records the files it opens (by device and inode); a write refuses to replace one
 * of them. Writes go to a temporary file in the same directory, renamed over the target only
 * when complete, so a failed or interrupted write leaves the old file whole. */
SnStatus sn_io_add_input(const char *path);
SnStatus sn_io_check_output(const char *path); /* fails when path is a recorded input */
void sn_io_clear_inputs(void);
typedef struct SnAtomicFile {
  int fd;     /* the temporary file, open for writing */
  char *path; /* the target */
  char *tmp;  /* the temporary file's name */
} SnAtomicFile;
SnStatus sn_io_atomic_open(SnAtomicFile *f, const char *path);
SnStatus sn_io_atomic_write(SnAtomicFile *f, const void *data, size_t n); /* appends */
SnStatus sn_io_atomic_write_at(SnAtomicFile *f, const void *data, size_t n, uint64_t offset);
SnStatus sn_io_atomic_commit(SnAtomicFile *f); /* flush, rename over the target, free */
void sn_io_atomic_abort(SnAtomicFile *f);      /* remove the temporary file, free */

/* --- safetensors ----------------------------------------------------------------------------
 * Reading maps the files and checks everything before a tensor is handed out; a tensor is a
 * view of the mapping (no copy) when its bytes are aligned for its dtype. */
typedef struct SnStFile SnStFile;
/* A .safetensors file, a sharded model's *.index.json, or a directory holding
 * model.safetensors.index.json or model.safetensors. */
SnStFile *sn_st_open(const char *path);
/* The same checks on bytes in memory (copied); `name` stands for the file in messages. */
SnStFile *sn_st_open_memory(const void *data, size_t size, const char *name);
void sn_st_close(SnStFile *f); /* tensors already taken stay valid */
int64_t sn_st_count(const SnStFile *f);
/* Tensor i in file order (shard by shard, by data offset), 0 <= i < count. */
const char *sn_st_name(const SnStFile *f, int64_t i);
int64_t sn_st_find(const SnStFile *f, const char *name); /* its index, or -1 */
SnStatus sn_st_info(const SnStFile *f, int64_t i, SnDtype *dtype, int64_t *rank,
                    int64_t shape[SN_MAX_RANK]);
SnTensor *sn_st_get(const SnStFile *f, int64_t i);
SnTensor *sn_st_get_named(const SnStFile *f, const char *name); /* NULL with a message if absent */
/* The __metadata__ entries (string to string), of the first shard that has each key. */
int64_t sn_st_metadata_count(const SnStFile *f);
const char *sn_st_metadata_key(const SnStFile *f, int64_t i);
const char *sn_st_metadata(const SnStFile *f, const char *key); /* NULL when absent */

/* Writing: declare every tensor (name, dtype, shape), then write them in any order, then close.
 * With shard_bytes > 0 the tensors are cut into shards of at most that many data bytes (a larger
 * tensor gets a shard of its own) named like Hugging Face's: dir/model.safetensors becomes
 * dir/model-00001-of-00003.safetensors ... with dir/model.safetensors.index.json; a model that
 * fits one shard is written as path itself. Each file is written atomically, the index last. */
typedef struct SnStWriter SnStWriter;
SnStWriter *sn_st_writer_new(const char *path, int64_t shard_bytes);
SnStatus sn_st_writer_metadata(SnStWriter *w, const char *key, const char *value);
SnStatus sn_st_writer_declare(SnStWriter *w, const char *name, SnDtype dtype, int64_t rank,
                              const int64_t *shape);
SnStatus sn_st_writer_write(SnStWriter *w, const char *name, const SnTensor *t);
SnStatus sn_st_writer_close(SnStWriter *w); /* fails if a declared tensor was not written */
void sn_st_writer_abort(SnStWriter *w);     /* removes what was written */
/* Declares and writes n tensors in one call. */
SnStatus sn_st_save(const char *path, int64_t n, const char *const *names,
                    const SnTensor *const *tensors, int64_t shard_bytes);

/* --- .npy -----------------------------------------------------------------------------------
 * NumPy's format, versions 1.0 to 3.0, C or Fortran order, either byte order; the tensor read
 * is always row-major and native (a view of the mapped file when nothing needs converting).
 * Writing gives version 1.0 (2.0 when the header needs it), little-endian, C order. */
SnTensor *sn_npy_read(const char *path);
/* The dtype and shape of a .npy file, checked as sn_npy_read checks them, without its data. */
SnStatus sn_npy_info(const char *path, SnDtype *dtype, int64_t *rank, int64_t shape[SN_MAX_RANK]);
SnTensor *sn_npy_parse(const void *data, size_t size, const char *name); /* copies */
SnStatus sn_npy_write(const char *path, const SnTensor *t);

/* --- CSV ------------------------------------------------------------------------------------
 * A header row of unique column names, then one record per line (RFC 4180 quoting; blank
 * lines skipped). Without a delimiter given, the header line's most frequent of `,` tab `;` `|`
 * separates fields (`,` when it has none). Every column but the label is numeric and goes into x; the label column goes
 * into y: integers as i64, other numbers as f64 (regression targets), text as class indices
 * into `classes` (sorted). */
typedef enum SnCsvType { SN_CSV_INT, SN_CSV_FLOAT, SN_CSV_TEXT } SnCsvType;
/* The first record: column names, an error when it holds only numbers (it looks like data, so
 * the file has no header); names whatever it holds; data (the columns are named 1, 2, ...). */
typedef enum SnCsvHeader { SN_CSV_HEADER_CHECK, SN_CSV_HEADER_YES, SN_CSV_HEADER_NO } SnCsvHeader;
typedef struct SnCsvSpec {
  const char *label; /* the label column: its name, else "first" or "last"; NULL for none */
  int32_t dtype;     /* x's dtype: SN_F32 or SN_F64 */
  char delimiter;    /* 0: found from the header line */
  int32_t header;    /* SnCsvHeader */
} SnCsvSpec;
typedef struct SnCsvData {
  SnTensor *x;         /* [rows, features] */
  SnTensor *y;         /* [rows], NULL without a label column */
  int64_t nfeatures;
  char **names;        /* the feature columns' names */
  int32_t *types;      /* SnCsvType of each feature column */
  char *label_name;    /* NULL without a label column */
  int32_t label_type;  /* SnCsvType */
  int64_t nclasses;
  char **classes;      /* class names for a text label, sorted; y holds indices into them */
} SnCsvData;
SnStatus sn_csv_read(const char *path, const SnCsvSpec *spec, SnCsvData *out);
SnStatus sn_csv_parse(const char *text, size_t size, const char *name, const SnCsvSpec *spec,
                      SnCsvData *out);
void sn_csv_free(SnCsvData *d); /* releases what sn_csv_read filled; safe on a zeroed value */

/* --- load and save (the language's functions) ------------------------------------------------
 * `where` (file:line:col of the call, see SN_WHERE_SNIPPET) starts every message. A loaded
 * tensor must have the dtype and rank the program was compiled for; it comes back row-major. */
SnTensor *sn_load_tensor(const char *where, const char *path, int32_t dtype, int64_t rank); /* .npy, or a one-tensor .safetensors */
SnTensor *sn_load_named(const char *where, const char *path, const char *name, int32_t dtype, int64_t rank);
/* load_csv: part 0 is the features x (of `dtype`), part 1 the labels y (which must be of
 * `ydtype`); `label` ("" for none), `delimiter` and `header` as SnCsvSpec's. */
SnTensor *sn_load_csv_part(const char *where, const char *path, const char *label, int32_t dtype, int32_t part,
                           int32_t ydtype, int32_t delimiter, int32_t header);
void sn_load_close(void);     /* closes the safetensors file load keeps open between tensors */
void sn_load_csv_close(void); /* forgets the CSV file load_csv keeps between its two parts */
SnStatus sn_save_tensor(const char *where, const char *path, const SnTensor *t); /* .npy or .safetensors */
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

/* --- progress -------------------------------------------------------------------------------
 * A bar on stderr for a long loop (bar, count, rate, ETA, a metric) redrawn at most every
 * SN_PROGRESS_REDRAW seconds when stderr is a terminal; otherwise a plain line every
 * SN_PROGRESS_LOG_EVERY seconds; nothing in SN_PROGRESS_OFF mode (--quiet). */
typedef enum SnProgressMode {
  SN_PROGRESS_AUTO, /* TTY when the output is a terminal, else LOG */
  SN_PROGRESS_TTY,
  SN_PROGRESS_LOG,
  SN_PROGRESS_OFF
} SnProgressMode;
/* Process-wide settings: the stream (stderr when NULL), the mode, and the clock (sn_now when
 * NULL; tests pass a fake one). */
void sn_progress_configure(FILE *out, SnProgressMode mode, double (*clock)(void));
typedef struct SnProgress SnProgress;
/* total <= 0 when unknown; unit names what is counted ("steps", "epochs", "tensors"). */
SnProgress *sn_progress_start(const char *label, int64_t total, const char *unit);
/* done items so far, and a metric to show (metric_name NULL for none). */
void sn_progress_update(SnProgress *p, int64_t done, const char *metric_name, double metric);
void sn_progress_finish(SnProgress *p); /* prints the final line and frees p */
/* Ends every report still open (a loop stopped by an error): its line is ended and it is freed. */
void sn_progress_abandon_all(void);

/* --- exact optimal transport -----------------------------------------------------------------
 * Unregularised transport between discrete measures, in f64. The *_f64 functions take plain
 * row-major arrays; the others take tensors of any numeric dtype (converted to f64) and check
 * their ranks and sizes. Weights a (n) and b (m) must be finite and >= 0 with a positive total;
 * NULL means uniform (1/n each). Totals that agree to a relative 1.5e-7 are rounding and b is
 * rescaled to a's total (POT's rule); a larger gap is an error naming both sums. Every array
 * result is a tensor the caller owns (free a result with its _free function, which is safe on a
 * zeroed struct); on failure nothing is left allocated, except as noted for max_iter. */

/* A sparse plan: entry k moves mass[k] from row (source) rows[k] to column (target) cols[k];
 * entries are sorted by (row, column) and every mass is > 0. */
typedef struct SnOtSparsePlan {
  int64_t nnz;
  SnTensor *rows; /* i64 [nnz] */
  SnTensor *cols; /* i64 [nnz] */
  SnTensor *mass; /* f64 [nnz] */
} SnOtSparsePlan;
void sn_ot_sparse_free(SnOtSparsePlan *plan);

/* EMD returns this status, not 1, when it stops at max_iter; the result is then filled with the
 * last basis (not optimal; converged = 0) and must still be freed. sn_ot_sns_f64 returns it too,
 * with its last iterate in f and g. */
#define SN_OT_NOT_CONVERGED 2

typedef struct SnOtEmdOptions {
  int64_t max_iter;  /* pivots before giving up; <= 0: 1000 (n + m) */
  int32_t dense;     /* also return the dense n x m plan */
  int32_t reference; /* price arcs with the plain scalar loop (tests check the fast one against it) */
} SnOtEmdOptions;

typedef struct SnOtEmdResult {
  double cost;            /* <P, C> */
  SnOtSparsePlan support; /* the plan's nonzeros, at most n + m - 1 (a basic solution) */
  SnTensor *plan;         /* f64 [n, m], the same plan dense; NULL unless options.dense */
  SnTensor *u;            /* f64 [n] dual potentials: u_i + v_j <= C_ij, with equality on the */
  SnTensor *v;            /* f64 [m] support; centred so that a.u = b.v, as POT's emd does */
  int64_t iterations;     /* network simplex pivots */
  int32_t converged;      /* 1: optimal */
} SnOtEmdResult;

/* Exact EMD, min <P, C> over P >= 0 with rows summing to a and columns to b, by the network
 * simplex method (as POT's ot.emd, from LEMON) on C [n, m] (finite, row-major, read in place).
 * opt may be NULL. Rows and columns of zero weight get no mass; their potentials are the
 * tightest feasible ones (u_i = min_j C_ij - v_j). Runs on one thread. */
SnStatus sn_ot_emd_f64(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                       const SnOtEmdOptions *opt, SnOtEmdResult *out);
/* The same on tensors: a [n] and b [m] (each may be NULL), C [n, m]. */
SnStatus sn_ot_emd(const SnTensor *a, const SnTensor *b, const SnTensor *C,
                   const SnOtEmdOptions *opt, SnOtEmdResult *out);
void sn_ot_emd_free(SnOtEmdResult *r);

/* Exact transport on the line between sum_i a_i delta(x_i) and sum_j b_j delta(y_j) for the cost
 * |x - y|^p, p >= 1, by sorting and merging the quantile functions (POT's wasserstein_1d):
 * *cost = W_p^p (take the p-th root for W_p). When plan is not NULL it receives the monotone
 * optimal plan, at most n + m - 1 entries, in the original indices. */
SnStatus sn_ot_emd_1d_f64(int64_t n, int64_t m, const double *x, const double *y,
                          const double *a, const double *b, double p, double *cost,
                          SnOtSparsePlan *plan);
SnStatus sn_ot_emd_1d(const SnTensor *x, const SnTensor *y, const SnTensor *a, const SnTensor *b,
                      double p, double *cost, SnOtSparsePlan *plan);

/* nproj unit directions in R^d (out [nproj, d], row-major): direction k is elements
 * [k d, (k + 1) d) of sn_rng_normal_f64(sn_rng(seed), ...) normalised, so it is uniform on the
 * sphere and the same on any thread count. */
SnStatus sn_ot_sliced_directions(uint64_t seed, int64_t nproj, int64_t d, double *out);
/* Sliced Wasserstein between point clouds X [n, d] and Y [m, d] with weights a, b:
 * *out = (mean over directions theta of W_p^p(theta.X, theta.Y))^(1/p), as POT's
 * sliced_wasserstein_distance. The directions are dirs [nproj, d] when given (POT's
 * `projections` transposed; used as they are), else nproj drawn by sn_ot_sliced_directions from
 * seed. Directions are processed in parallel on the runtime's threads; the result does not
 * depend on the thread count. */
SnStatus sn_ot_sliced_f64(int64_t n, int64_t m, int64_t d, const double *X, const double *Y,
                          const double *a, const double *b, int64_t nproj, const double *dirs,
                          uint64_t seed, double p, double *out);
/* The same on tensors; with dirs [k, d] given, nproj is ignored. */
SnStatus sn_ot_sliced(const SnTensor *X, const SnTensor *Y, const SnTensor *a, const SnTensor *b,
                      int64_t nproj, const SnTensor *dirs, uint64_t seed, double p, double *out);

/* --- entropic optimal transport: Sinkhorn-Newton-Sparse ---------------------------------------
 * The dual of min <P, C> + eps KL(P | a b^T) over plans with marginals a and b, in GeomLoss's
 * convention: potentials f (n) and g (m) give the plan P_ij = a_i b_j exp((f_i + g_j - C_ij) /
 * eps), and the dual objective <a, f> + <b, g> - eps (sum_ij P_ij - 1) is maximised where P has
 * marginals a and b. The solver is the Newton stage of SNS (Tang et al. 2024, "Accelerating
 * Sinkhorn algorithm with sparse Newton iterations"): from warm potentials (a few Sinkhorn
 * iterations), Newton steps whose Hessian keeps only the largest keep * n * m entries of P off
 * its diagonal, solved by conjugate gradients, with an Armijo line search. The Hessian is shifted
 * by 1% of the marginal error (a regularised Newton method: CG converges at small eps, and
 * convergence stays quadratic), and a log-domain Sinkhorn iteration replaces the Newton step
 * where a marginal is off by more than a factor e^5 or no step passes the line search. It holds
 * the dense plan: n m doubles besides C. */

typedef struct SnOtSnsInfo {
  int64_t iterations;     /* steps taken: Newton steps, and Sinkhorn steps in their place */
  int64_t sinkhorn_steps; /* steps where no Newton step was possible or accepted, and one */
                          /* log-domain Sinkhorn iteration was taken instead */
  int32_t converged;      /* 1: err <= tol */
  double err;             /* sum_i |(P 1)_i - a_i| + sum_j |(P^T 1)_j - b_j| at f, g */
  double cost;            /* <P, C> at f, g */
  int64_t nnz;            /* entries of P kept off the diagonal by the last sparsification */
  int64_t cg_iterations;  /* conjugate gradient iterations over all Newton steps */
} SnOtSnsInfo;

/* Entropic transport between a (n) and b (m) for the cost C [n, m] (finite, row-major) and
 * eps > 0: f [n] and g [m] hold the starting potentials and receive the result, normalised so
 * that <a, f> = <b, g>. Weights must be finite and >= 0 and each sum to 1 (to a relative 1.5e-7,
 * as for EMD; they are then divided by their sums); NULL means uniform. The solver runs on the
 * points of positive weight; a point of zero weight gets the c-transform of the other side's
 * potential, as the log-domain solvers give it. It stops when the
 * marginal error is <= tol (>= 0), or after max_iter steps (<= 0: 100), returning
 * SN_OT_NOT_CONVERGED. keep, in (0, 1], is the share of P's entries the Newton systems keep:
 * the smaller eps, the sparser the plan and the fewer suffice (on point clouds with C in [0, 1],
 * 0.03 at eps = 1e-3, 0.1 at eps = 1e-2); keeping too few makes the convergence linear, and 1
 * gives exact Newton steps.
 * info may be NULL. The O(n m) passes run on the runtime's threads, and the result does not
 * depend on their number. On failure f and g are left as they were. */
SnStatus sn_ot_sns_f64(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                       double eps, double *f, double *g, double tol, int64_t max_iter,
                       double keep, SnOtSnsInfo *info);

/* --- entropic optimal transport: Sinkhorn's scaling form on a stored kernel -----------------
 * P_ij = a_i u_i K_ij b_j v_j with K = exp(-C / eps) given (n x m, row-major, f32 or f64): each
 * iteration sets u_i = 1 / (K (b v))_i and v_j = 1 / (K^T (a u))_j in one pass over K. It stops
 * when err = sum_i a_i |u_i / u'_i - 1| (u' the next u) is below tol or not finite, keeping the
 * u and v it measured, or after max_iter iterations (< 0: 1000; 0 runs none and measures the
 * start). u and v hold the start and receive the result; a, b are the weights. The result does not depend on the thread count. */
typedef struct SnOtScalingInfo {
  int64_t iterations; /* iterations run, the last one the one that measured err */
  int32_t converged;  /* 1: err < tol */
  double err;         /* the marginal error of the returned u, v when converged; else of the
                       * u, v before the last iteration's update (as the stdlib's sinkhorn) */
} SnOtScalingInfo;
SnStatus sn_ot_sinkhorn_scaling_f64(int64_t n, int64_t m, const double *a, const double *b,
                                    SnDtype kdtype, const void *K, double *u, double *v,
                                    double tol, int64_t max_iter, SnOtScalingInfo *info);

/* The solvers as generated code calls them: each returns a handle (NULL on failure, the message
 * starting with `where`) whose parts are taken with sn_ot_call_tensor (a new reference) and
 * sn_ot_call_scalar, then freed. emd's plan is dense; emd_1d gives the sparse support;
 * sinkhorn_newton gives f and g (f64) and its scalars (SN_OT_ERR: the marginal error, SN_OT_NNZ:
 * the entries kept in the last Newton step, SN_OT_SINKHORN_STEPS: the steps of its iterations
 * that were Sinkhorn's); sinkhorn_kernel gives f, g and SN_OT_ERR. */
typedef struct SnOtCall SnOtCall;
enum { SN_OT_PLAN, SN_OT_F, SN_OT_G, SN_OT_ROWS, SN_OT_COLS, SN_OT_MASS }; /* tensors */
enum {
  SN_OT_COST, SN_OT_DISTANCE, SN_OT_ITERATIONS, SN_OT_CONVERGED, SN_OT_ERR, SN_OT_NNZ,
  SN_OT_SINKHORN_STEPS, SN_OT_NSCALARS
}; /* f64 */
SnOtCall *sn_ot_emd_call(const char *where, const SnTensor *a, const SnTensor *b,
                         const SnTensor *C, int64_t max_iter);
SnOtCall *sn_ot_emd_1d_call(const char *where, const SnTensor *x, const SnTensor *y,
                            const SnTensor *a, const SnTensor *b, double p);
SnOtCall *sn_ot_sliced_call(const char *where, const SnTensor *X, const SnTensor *Y,
                            const SnTensor *a, const SnTensor *b, int64_t nproj, int64_t seed,
                            double p);
/* sn_ot_sns_f64 on tensors of any numeric dtype: a [n], b [m] (each may be NULL: uniform),
 * C [n, m], and starting potentials f0 [n], g0 [m] (each may be NULL: zeros). A run that stops
 * at max_iter is a result (SN_OT_CONVERGED 0), not a failure. */
SnOtCall *sn_ot_sns_call(const char *where, const SnTensor *a, const SnTensor *b,
                         const SnTensor *C, double eps, const SnTensor *f0, const SnTensor *g0,
                         double tol, int64_t max_iter, double keep);
/* sn_ot_sinkhorn_scaling_f64 from u = 1 and v = exp(g0 / eps) (g0 NULL: zeros), on weights of
 * any numeric dtype; the parts SN_OT_F and SN_OT_G are the potentials eps log u and eps log v
 * (f64), with SN_OT_ERR, SN_OT_ITERATIONS and SN_OT_CONVERGED. */
SnOtCall *sn_ot_scaling_call(const char *where, const SnTensor *a, const SnTensor *b,
                             const SnTensor *K, double eps, const SnTensor *g0, double tol,
                             int64_t max_iter);
SnTensor *sn_ot_call_tensor(SnOtCall *r, int32_t part);
double sn_ot_call_scalar(SnOtCall *r, int32_t part);
void sn_ot_call_free(SnOtCall *r);

#ifdef __cplusplus
}
#endif
#endif
