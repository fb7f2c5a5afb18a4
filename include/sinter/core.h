/* sinter/core.h: the core of libsinter: dtypes, errors, tensors and their buffers and views,
 * conversions, printing, parallel loops, time, progress reports. Every other header builds on it.
 *
 * Functions that can fail return NULL or a non-zero SnStatus and leave a message that
 * sn_error_message() returns; the runtime never aborts on bad data. */
#ifndef SINTER_CORE_H
#define SINTER_CORE_H

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

#define SN_CONTIGUOUS 1

/* A new contiguous tensor; its elements are not initialised. NULL (with a message) when the
 * size overflows or memory runs out. */
SnTensor *sn_tensor_new(SnDtype dtype, int64_t rank, const int64_t *shape);
/* `a` itself (one more reference to it) when nothing else holds it or its buffer and it is
 * contiguous with this dtype and shape, else a new tensor: compiled code writes an elementwise
 * result over an operand that dies with it (compiler/loops.c, reuse_candidate). A loaded file's
 * mapping is private and writable (runtime/io/file.c), so the writes never reach the file. */
SnTensor *sn_tensor_reuse(SnTensor *a, SnDtype dtype, int64_t rank, const int64_t *shape);
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

/* --- dtype conversions in bulk -------------------------------------------------------------
 * Floats to floats round to nearest even; f64 to f16/bf16 rounds through f32 as PyTorch does.
 * NaN stays NaN (bf16 NaN is 0x7FC0 as in c10::BFloat16, f16 NaN 0x7E00 with its sign), Inf
 * stays Inf. Integers to floats round to nearest even. Floats to integers truncate toward zero
 * and saturate at the type's range, NaN giving 0 (PyTorch leaves these undefined). Integers to
 * narrower integers wrap (two's complement). Anything to bool is x != 0, so NaN is true. */
SnStatus sn_convert(void *dst, SnDtype dst_dtype, const void *src, SnDtype src_dtype, int64_t n);
/* t's elements as `dtype` in a new contiguous tensor, or t retained when it already is one. */
SnTensor *sn_tensor_astype(SnTensor *t, SnDtype dtype);

/* --- tensor storage and views --------------------------------------------------------------
 * A tensor's elements live in a refcounted SnBuffer: memory the runtime allocated (owned) or a
 * file mapped with mmap (private, copy-on-write: writes never reach the file). Views share
 * their base's buffer and hold a reference to it, so a view outlives the tensor it came from.
 * A view need not be contiguous: code that reads `data` as row-major checks SN_CONTIGUOUS in
 * `flags` or calls sn_tensor_contiguous first. Every tensor, view or not, is on the live list. */
typedef struct SnBuffer SnBuffer;
typedef enum SnBufferKind { SN_BUFFER_OWNED, SN_BUFFER_MMAP } SnBufferKind;

SnBuffer *sn_buffer_new(size_t bytes); /* owned, 64-byte aligned, not initialised */
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

/* --- time ----------------------------------------------------------------------------------- */
double sn_now(void); /* seconds, monotonic */

/* --- tensor literals ------------------------------------------------------------------------
 * Parses a tensor literal such as "[[1, 2], [3, 4]]" into a tensor of `dtype`. */
SnTensor *sn_tensor_parse(const char *text, SnDtype dtype);

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

#ifdef __cplusplus
}
#endif
#endif
