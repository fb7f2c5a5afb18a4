/* sinter/io.h: files: the program's inputs and atomic writes, safetensors (single and sharded),
 * .npy, CSV and IDX. */
#ifndef SINTER_IO_H
#define SINTER_IO_H

#include "sinter/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- files: program inputs and atomic writes ------------------------------------------------
 * Every reader records the files it opens (by device and inode); a write refuses to replace one
 * of them. Writes go to a temporary file in the same directory, renamed over the target only
 * when complete, so a failed or interrupted write leaves the old file whole. */
SnStatus sn_io_add_input(const char *path);
SnStatus sn_io_check_output(const char *path); /* fails when path is a recorded input */
void sn_io_clear_inputs(void);
/* The whole of a regular file, mapped; the file is recorded as a program input. */
SnBuffer *sn_buffer_map_file(const char *path);
typedef struct SnAtomicFile {
  int fd;                      /* the temporary file, open for writing */
  char *path;                  /* the target */
  char *tmp;                   /* the temporary file's name */
  struct SnDirectWrites *direct; /* with sn_io_atomic_direct: the blocks being assembled */
} SnAtomicFile;
SnStatus sn_io_atomic_open(SnAtomicFile *f, const char *path);
/* Later writes bypass the page cache (O_DIRECT) where the file system allows it, for large files
 * written once: each byte may then be written only once. Fails only when out of memory. */
SnStatus sn_io_atomic_direct(SnAtomicFile *f);
SnStatus sn_io_atomic_write(SnAtomicFile *f, const void *data, size_t n); /* appends */
SnStatus sn_io_atomic_write_at(SnAtomicFile *f, const void *data, size_t n, uint64_t offset);
/* As write_at, but with sn_io_atomic_direct the bytes may be written after it returns, from data
 * itself, which keep holds (a reference is taken until then): a tensor written without a copy. */
SnStatus sn_io_atomic_write_kept(SnAtomicFile *f, SnBuffer *keep, const void *data, size_t n, uint64_t offset);
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
/* The file (the shard) that holds tensor i. */
const char *sn_st_path(const SnStFile *f, int64_t i);
/* Gives back the pages of tensor i's mapping (only advice: they fault in again from the file if
 * read), so that streaming through a checkpoint keeps only the tensors in use resident. */
void sn_st_drop(const SnStFile *f, int64_t i);
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

/* --- IDX -----------------------------------------------------------------------------------
 * LeCun's MNIST format (Fashion-MNIST's too), plain or gzip-compressed (runtime/io/idx.c): the
 * magic, element type (u8, i8, i16, i32, f32, f64), rank and sizes are checked against the
 * data the file holds. sn_idx_info gives the dtype a read gives by default (i64 for integer
 * data, else the file's float type), the rank and the sizes, without the data. sn_idx_read
 * converts to dtype (f32, f64, i32 or i64; float data only to a float dtype). */
SnStatus sn_idx_info(const char *path, SnDtype *dtype, int64_t *rank, int64_t shape[SN_MAX_RANK]);
SnTensor *sn_idx_read(const char *path, SnDtype dtype);

#ifdef __cplusplus
}
#endif
#endif
