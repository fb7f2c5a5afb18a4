/* idx.c: IDX files (LeCun's MNIST format, also Fashion-MNIST's), plain or gzip-compressed, read
 * through zlib (gzread passes a plain file through unchanged).
 *
 * Layout: two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64),
 * the rank, then one big-endian u32 size per dimension, then the elements, big-endian, row-major.
 * Everything is checked before a tensor is handed out: the magic, the type, the rank, the sizes
 * against the data the file holds (neither fewer bytes nor more). */
#include "io/rt_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* Where Debian's dataset-* packages put their files: a file missing there names its package. */
#define SN_IDX_DATASETS "/usr/share/datasets/"

static const struct {
  int code;
  SnDtype natural; /* what load_idx gives without a dtype: i64 for integers */
  const char *name;
  int size;
} idx_types[] = {
    {0x08, SN_I64, "u8", 1}, {0x09, SN_I64, "i8", 1}, {0x0B, SN_I64, "i16", 2},
    {0x0C, SN_I64, "i32", 4}, {0x0D, SN_F32, "f32", 4}, {0x0E, SN_F64, "f64", 8},
};
#define IDX_NTYPES ((int)(sizeof idx_types / sizeof *idx_types))

/* The error of a file that cannot be opened; one of a Debian dataset's names its package. */
static SnStatus open_failed(const char *path, int err) {
  size_t n = strlen(SN_IDX_DATASETS);
  if (err == ENOENT && strncmp(path, SN_IDX_DATASETS, n) == 0) {
    const char *end = strchr(path + n, '/');
    int len = end ? (int)(end - path - n) : (int)strlen(path + n);
    return sn_error_set("%s: %s; the Debian package dataset-%.*s provides it (`make deps` installs it)", path,
                        strerror(err), len, path + n);
  }
  return sn_error_set("%s: cannot open: %s", path, strerror(err));
}

/* Reads up to n bytes into buf, fewer only at the end of the data (*got says how many); fails
 * on a read error or corrupt compressed data. */
static SnStatus read_some(gzFile f, const char *path, void *buf, size_t n, size_t *got) {
  size_t done = 0;
  int r = 1;
  while (done < n && r > 0) {
    unsigned chunk = n - done > (1u << 30) ? 1u << 30 : (unsigned)(n - done);
    if ((r = gzread(f, (char *)buf + done, chunk)) > 0) done += (size_t)r;
  }
  *got = done;
  int code;
  const char *msg = gzerror(f, &code);
  if (code == Z_ERRNO) return sn_error_set("%s: read error: %s", path, strerror(errno));
  /* a gzip stream cut short is Z_BUF_ERROR: reported as truncated by the caller */
  if (code != Z_OK && code != Z_BUF_ERROR) return sn_error_set("%s: corrupt gzip data: %s", path, msg);
  return 0;
}

static SnStatus truncated(const char *path, size_t got, const char *what, size_t n) {
  return sn_error_set("%s: truncated after %zu bytes of %s (%zu expected)", path, got, what, n);
}

/* Reads exactly n bytes, or fails naming what was being read. */
static SnStatus read_exact(gzFile f, const char *path, void *buf, size_t n, const char *what) {
  size_t got;
  if (read_some(f, path, buf, n, &got)) return 1;
  return got < n ? truncated(path, got, what, n) : 0;
}

/* The n bytes of data in a malloc'd buffer grown as they arrive (doubling from
 * SN_IDX_FIRST_READ), so that a header claiming more than the file holds fails as truncated
 * without first allocating what it claims. NULL (with a message) on failure. */
#define SN_IDX_FIRST_READ ((size_t)1 << 20)
static unsigned char *read_data(gzFile f, const char *path, size_t n, const char *what) {
  unsigned char *buf = NULL;
  size_t done = 0, cap = 0;
  do {
    size_t next = cap == 0 ? (n < SN_IDX_FIRST_READ ? n : SN_IDX_FIRST_READ) : cap > n / 2 ? n : 2 * cap;
    unsigned char *b = realloc(buf, next ? next : 1);
    size_t got = 0;
    SnStatus st = !b ? sn_error_set("%s: out of memory for %zu bytes of data", path, next) : read_some(f, path, b + done, next - done, &got);
    buf = b ? b : buf;
    done += got;
    if (!st && done < next) st = truncated(path, done, what, n);
    if (st) {
      free(buf);
      return NULL;
    }
    cap = next;
  } while (done < n);
  return buf;
}

typedef struct IdxHeader {
  int type;   /* index into idx_types */
  int64_t rank;
  int64_t shape[SN_MAX_RANK];
  size_t bytes; /* of the data */
} IdxHeader;

static SnStatus read_header(gzFile f, const char *path, IdxHeader *h) {
  unsigned char magic[4];
  if (read_exact(f, path, magic, 4, "the header")) return 1;
  if (magic[0] || magic[1])
    return sn_error_set("%s: not an IDX file: it starts with bytes %02x %02x, not 00 00", path, magic[0], magic[1]);
  h->type = -1;
  for (int i = 0; i < IDX_NTYPES; i++)
    if (idx_types[i].code == magic[2]) h->type = i;
  if (h->type < 0)
    return sn_error_set("%s: unknown IDX element type 0x%02x (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64)", path,
                        magic[2]);
  h->rank = magic[3];
  if (h->rank < 1 || h->rank > SN_MAX_RANK)
    return sn_error_set("%s: %lld dimensions; IDX tensors here have 1 to %d", path, (long long)h->rank, SN_MAX_RANK);
  unsigned char dims[4 * SN_MAX_RANK];
  if (read_exact(f, path, dims, 4 * (size_t)h->rank, "the header's sizes")) return 1;
  size_t bytes = (size_t)idx_types[h->type].size;
  for (int64_t d = 0; d < h->rank; d++) {
    const unsigned char *p = dims + 4 * d;
    h->shape[d] = (int64_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
    if (h->shape[d] && bytes > (SIZE_MAX >> 1) / (size_t)h->shape[d])
      return sn_error_set("%s: the sizes in the header overflow", path);
    bytes *= (size_t)h->shape[d];
  }
  h->bytes = bytes;
  return 0;
}

static gzFile open_idx(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    open_failed(path, errno);
    return NULL;
  }
  if (S_ISDIR(st.st_mode)) {
    sn_error_set("%s: is a directory, not an IDX file", path);
    return NULL;
  }
  gzFile f = gzopen(path, "rb");
  if (!f) {
    open_failed(path, errno ? errno : ENOMEM);
    return NULL;
  }
  if (snrt_io_add_input_stat(&st, path)) {
    gzclose(f);
    return NULL;
  }
  return f;
}

SnStatus sn_idx_info(const char *path, SnDtype *dtype, int64_t *rank, int64_t shape[SN_MAX_RANK]) {
  gzFile f = open_idx(path);
  if (!f) return 1;
  IdxHeader h;
  SnStatus st = read_header(f, path, &h);
  gzclose(f);
  if (st) return st;
  *dtype = idx_types[h.type].natural;
  *rank = h.rank;
  memcpy(shape, h.shape, (size_t)h.rank * sizeof *shape);
  return 0;
}

/* Element i of big-endian IDX data of type t, as a double (exact for every IDX type). */
static inline double idx_value(const unsigned char *d, int t, size_t i) {
  switch (idx_types[t].code) {
  case 0x08: return d[i];
  case 0x09: return (int8_t)d[i];
  case 0x0B: return (int16_t)(uint16_t)((unsigned)d[2 * i] << 8 | d[2 * i + 1]);
  case 0x0C: {
    const unsigned char *p = d + 4 * i;
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
  }
  case 0x0D: {
    const unsigned char *p = d + 4 * i;
    return sn_f32_from((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
  }
  default: {
    uint64_t u = 0;
    for (int k = 0; k < 8; k++) u = u << 8 | d[8 * i + (size_t)k];
    return sn_f64_from(u);
  }
  }
}

/* The data converted to dtype into t (row-major, n elements). */
static void convert(SnTensor *t, const unsigned char *d, int type, size_t n) {
  switch (t->dtype) {
  case SN_F32: {
    float *o = t->data;
    for (size_t i = 0; i < n; i++) o[i] = (float)idx_value(d, type, i);
    break;
  }
  case SN_F64: {
    double *o = t->data;
    for (size_t i = 0; i < n; i++) o[i] = idx_value(d, type, i);
    break;
  }
  case SN_I32: {
    int32_t *o = t->data;
    for (size_t i = 0; i < n; i++) o[i] = (int32_t)idx_value(d, type, i);
    break;
  }
  default: {
    int64_t *o = t->data;
    for (size_t i = 0; i < n; i++) o[i] = (int64_t)idx_value(d, type, i);
    break;
  }
  }
}

SnTensor *sn_idx_read(const char *path, SnDtype dtype) {
  if (dtype != SN_F32 && dtype != SN_F64 && dtype != SN_I32 && dtype != SN_I64) {
    sn_error_set("%s: IDX data is read as f32, f64, i32 or i64, not %s", path, sn_dtype_name(dtype));
    return NULL;
  }
  gzFile f = open_idx(path);
  if (!f) return NULL;
  IdxHeader h;
  SnTensor *t = NULL;
  unsigned char *data = NULL;
  if (read_header(f, path, &h)) goto done;
  if (idx_types[h.type].natural != SN_I64 && dtype != SN_F32 && dtype != SN_F64) {
    sn_error_set("%s: holds %s values, which are read as f32 or f64, not %s", path, idx_types[h.type].name, sn_dtype_name(dtype));
    goto done;
  }
  char what[256];
  snrt_io_shape_text(what, sizeof what, SN_U8, h.rank, h.shape);
  char desc[300];
  snprintf(desc, sizeof desc, "the data of %s%s", idx_types[h.type].name, strchr(what, '['));
  if (!(data = read_data(f, path, h.bytes, desc))) goto done;
  unsigned char extra[4096];
  size_t more = 0, got;
  do {
    if (read_some(f, path, extra, sizeof extra, &got)) goto done;
    more += got;
  } while (got == sizeof extra);
  if (more) {
    sn_error_set("%s: %zu byte%s after %s; the header's sizes do not describe the file", path, more, more == 1 ? "" : "s", desc);
    goto done;
  }
  if ((t = sn_tensor_new(dtype, h.rank, h.shape))) convert(t, data, h.type, h.bytes / (size_t)idx_types[h.type].size);
done:
  free(data);
  gzclose(f);
  return t;
}
