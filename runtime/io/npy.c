/* npy.c: NumPy's .npy format (numpy/lib/format.py): the magic "\x93NUMPY", a version
 * (1.0, 2.0 or 3.0), a header length (2 bytes in 1.0, 4 after), and a Python dict literal
 * {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces to a
 * multiple of 64 bytes and ended by a newline; then the elements. Reading checks all of it;
 * writing reproduces NumPy's own bytes for the same array. */
#include "io/rt_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "native .npy byte order is '<' here");

/* NumPy pads the header so that data starts at a multiple of this. */
#define NPY_ALIGN 64
/* NumPy leaves room for the first axis to grow to this many digits in place. */
#define NPY_GROWTH_DIGITS 21
/* The longest header this reader takes: NumPy's own never reach a fraction of it. */
#define NPY_MAX_HEADER (1u << 20)

static const struct { char kind; int size; SnDtype dtype; } npy_types[] = {
    {'b', 1, SN_BOOL}, {'i', 1, SN_I8},  {'u', 1, SN_U8},  {'i', 4, SN_I32},
    {'i', 8, SN_I64},  {'f', 2, SN_F16}, {'f', 4, SN_F32}, {'f', 8, SN_F64},
};

/* --- the header's dict literal --------------------------------------------------------------- */

typedef struct {
  const char *p, *end, *start;
  const char *name; /* the file, for messages */
} Lit;

static int lit_fail(Lit *l, const char *what) {
  sn_error_set("%s: bad header at byte %zu: %s", l->name, (size_t)(l->p - l->start), what);
  return 0;
}

static void lit_space(Lit *l) {
  while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')) l->p++;
}

static int lit_char(Lit *l, char c) {
  lit_space(l);
  if (l->p < l->end && *l->p == c) {
    l->p++;
    return 1;
  }
  return 0;
}

/* A quoted string without escapes (NumPy writes none): its text in buf. */
static int lit_string(Lit *l, char *buf, size_t cap) {
  lit_space(l);
  if (l->p >= l->end || (*l->p != '\'' && *l->p != '"')) return lit_fail(l, "expected a quoted string");
  char q = *l->p++;
  size_t n = 0;
  while (l->p < l->end && *l->p != q) {
    if (*l->p == '\\' || *l->p == '\n') return lit_fail(l, "unsupported character in a string");
    if (n + 1 >= cap) return lit_fail(l, "string too long");
    buf[n++] = *l->p++;
  }
  if (l->p >= l->end) return lit_fail(l, "unterminated string");
  l->p++;
  buf[n] = 0;
  return 1;
}

/* A tuple of non-negative integers: (), (3,), (2, 3) or (2, 3,); Python 2's 3L is allowed. */
static int lit_shape(Lit *l, int64_t *shape, int64_t *rank) {
  if (!lit_char(l, '(')) {
    lit_space(l);
    if (l->p < l->end && *l->p == '[') return lit_fail(l, "shape must be a tuple, not a list");
    return lit_fail(l, "expected a shape tuple");
  }
  *rank = 0;
  for (;;) {
    lit_space(l);
    if (lit_char(l, ')')) return 1;
    if (l->p >= l->end || *l->p < '0' || *l->p > '9') return lit_fail(l, "expected a non-negative integer in the shape");
    if (*rank == SN_MAX_RANK) return lit_fail(l, "more than 8 dimensions");
    uint64_t v = 0;
    while (l->p < l->end && *l->p >= '0' && *l->p <= '9') {
      if (v > ((uint64_t)INT64_MAX - 9) / 10) return lit_fail(l, "a dimension is too large");
      v = v * 10 + (uint64_t)(*l->p++ - '0');
    }
    if (l->p < l->end && *l->p == 'L') l->p++;
    shape[(*rank)++] = (int64_t)v;
    if (lit_char(l, ',')) continue;
    if (*rank == 1 && l->p < l->end && *l->p == ')')
      return lit_fail(l, "a one-element shape needs a trailing comma, as in (3,)");
    if (lit_char(l, ')')) return 1;
    return lit_fail(l, "expected ',' or ')' in the shape");
  }
}

typedef struct {
  SnDtype dtype;
  int big_endian;
  int fortran;
  int64_t rank, shape[SN_MAX_RANK];
} NpyHeader;

static int parse_descr(Lit *l, const char *d, NpyHeader *h) {
  const char *s = d;
  h->big_endian = 0;
  if (*s == '<' || *s == '=' || *s == '|') s++;
  else if (*s == '>') h->big_endian = 1, s++;
  char kind = *s;
  char *endp;
  long size = kind ? strtol(s + 1, &endp, 10) : 0;
  if (kind && s[1] >= '0' && s[1] <= '9' && !*endp)
    for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
      if (npy_types[i].kind == kind && npy_types[i].size == size) {
        h->dtype = npy_types[i].dtype;
        if (size == 1) h->big_endian = 0;
        return 1;
      }
  sn_error_set("%s: dtype '%s' is not supported (sinter reads bool, int8, uint8, int32, int64, "
               "float16, float32 and float64)", l->name, d);
  return 0;
}

static int parse_header(Lit *l, NpyHeader *h) {
  if (!lit_char(l, '{')) return lit_fail(l, "expected '{'");
  int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
  for (;;) {
    if (lit_char(l, '}')) break;
    char key[32];
    lit_space(l);
    const char *key_at = l->p;
    if (!lit_string(l, key, sizeof key)) return 0;
    if (!lit_char(l, ':')) return lit_fail(l, "expected ':'");
    if (!strcmp(key, "descr")) {
      if (seen_descr++) return l->p = key_at, lit_fail(l, "duplicate key 'descr'");
      lit_space(l);
      if (l->p < l->end && *l->p == '[')
        return lit_fail(l, "structured dtypes (a list descr) are not supported");
      char d[32];
      if (!lit_string(l, d, sizeof d) || !parse_descr(l, d, h)) return 0;
    } else if (!strcmp(key, "fortran_order")) {
      if (seen_fortran++) return l->p = key_at, lit_fail(l, "duplicate key 'fortran_order'");
      lit_space(l);
      if ((size_t)(l->end - l->p) >= 4 && !memcmp(l->p, "True", 4)) h->fortran = 1, l->p += 4;
      else if ((size_t)(l->end - l->p) >= 5 && !memcmp(l->p, "False", 5)) h->fortran = 0, l->p += 5;
      else return lit_fail(l, "fortran_order must be True or False");
    } else if (!strcmp(key, "shape")) {
      if (seen_shape++) return l->p = key_at, lit_fail(l, "duplicate key 'shape'");
      if (!lit_shape(l, h->shape, &h->rank)) return 0;
    } else {
      char msg[64];
      snprintf(msg, sizeof msg, "unexpected key '%s'", key);
      l->p = key_at;
      return lit_fail(l, msg);
    }
    if (lit_char(l, ',')) continue;
    if (lit_char(l, '}')) break;
    return lit_fail(l, "expected ',' or '}'");
  }
  if (!seen_descr) return lit_fail(l, "no 'descr' key");
  if (!seen_fortran) return lit_fail(l, "no 'fortran_order' key");
  if (!seen_shape) return lit_fail(l, "no 'shape' key");
  lit_space(l);
  if (l->p != l->end) return lit_fail(l, "unexpected text after the dict");
  return 1;
}

/* --- reading ---------------------------------------------------------------------------------- */

static void swap_bytes(unsigned char *p, int64_t n, size_t size) {
  for (int64_t i = 0; i < n; i++, p += size)
    for (size_t a = 0, b = size - 1; a < b; a++, b--) {
      unsigned char t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
}

/* Checks the preamble, the header and the data's length of buf (a whole .npy file, named
 * `name` in messages); sets *off to the data's offset. Returns 0 with a message on failure. */
static int read_header(SnBuffer *buf, const char *name, NpyHeader *hp, size_t *offp) {
  const unsigned char *p = sn_buffer_data(buf);
  size_t size = sn_buffer_size(buf);
  if (size < 10 || memcmp(p, "\x93NUMPY", 6) != 0) {
    if (size >= 6 && memcmp(p, "\x93NUMPY", 6) != 0) sn_error_set("%s: not a .npy file (no \\x93NUMPY magic)", name);
    else sn_error_set("%s: truncated: %zu bytes, shorter than the .npy preamble", name, size);
    return 0;
  }
  int major = p[6], minor = p[7];
  if (major < 1 || major > 3 || minor != 0) {
    sn_error_set("%s: unsupported .npy version %d.%d (1.0, 2.0 and 3.0 are read)", name, major, minor);
    return 0;
  }
  size_t pre = major == 1 ? 10 : 12;
  if (size < pre) {
    sn_error_set("%s: truncated: %zu bytes, shorter than the .npy preamble", name, size);
    return 0;
  }
  uint32_t hlen = major == 1 ? (uint32_t)(p[8] | p[9] << 8)
                             : (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
  if (hlen > NPY_MAX_HEADER) {
    sn_error_set("%s: header length %u exceeds the limit of %u bytes", name, hlen, NPY_MAX_HEADER);
    return 0;
  }
  if (hlen > size - pre) {
    sn_error_set("%s: header length %u runs past the end of the file (%zu bytes)", name, hlen, size);
    return 0;
  }
  const char *text = (const char *)p + pre;
  if (major == 3) {
    size_t bad = snrt_utf8_valid_prefix((const unsigned char *)text, hlen);
    if (bad != hlen) {
      sn_error_set("%s: header is not valid UTF-8 (byte %zu of the file)", name, pre + bad);
      return 0;
    }
  } else {
    for (uint32_t i = 0; i < hlen; i++)
      if ((unsigned char)text[i] >= 0x80) {
        sn_error_set("%s: header has a non-ASCII byte at byte %zu of the file", name, pre + i);
        return 0;
      }
  }
  Lit l = {text, text + hlen, (const char *)p, name};
  NpyHeader h = {0};
  if (!parse_header(&l, &h)) return 0;

  size_t esize = sn_dtype_size(h.dtype);
  uint64_t numel = 1;
  for (int64_t i = 0; i < h.rank; i++) numel = h.shape[i] ? numel : 0;
  for (int64_t i = 0; i < h.rank && numel; i++) {
    if (numel > (uint64_t)PTRDIFF_MAX / esize / (uint64_t)h.shape[i]) {
      sn_error_set("%s: shape too large: its size overflows", name);
      return 0;
    }
    numel *= (uint64_t)h.shape[i];
  }
  uint64_t need = numel * esize, have = size - pre - hlen;
  if (have < need) {
    sn_error_set("%s: truncated: the array needs %llu bytes of data but the file has %llu", name,
                 (unsigned long long)need, (unsigned long long)have);
    return 0;
  }
  if (have > need) {
    sn_error_set("%s: %llu bytes after the array data", name, (unsigned long long)(have - need));
    return 0;
  }
  *hp = h;
  *offp = pre + hlen;
  return 1;
}

/* The array in buf (a whole .npy file), named `name` in messages. */
static SnTensor *parse(SnBuffer *buf, const char *name) {
  const unsigned char *p = sn_buffer_data(buf);
  NpyHeader h;
  size_t off;
  if (!read_header(buf, name, &h, &off)) return NULL;
  size_t esize = sn_dtype_size(h.dtype);
  uint64_t numel = 1;
  for (int64_t i = 0; i < h.rank; i++) numel *= (uint64_t)h.shape[i];
  uint64_t need = numel * esize;
  if (h.dtype == SN_BOOL)
    for (uint64_t i = 0; i < numel; i++)
      if (p[off + i] > 1) {
        sn_error_set("%s: bool element %llu is %u, not 0 or 1", name, (unsigned long long)i, p[off + i]);
        return NULL;
      }
  /* Fortran order is C order of the reversed shape, transposed back. */
  int64_t stored[SN_MAX_RANK];
  for (int64_t i = 0; i < h.rank; i++) stored[i] = h.fortran ? h.shape[h.rank - 1 - i] : h.shape[i];
  SnTensor *raw;
  if (h.big_endian && esize > 1) {
    raw = sn_tensor_new(h.dtype, h.rank, stored);
    if (!raw) return NULL;
    memcpy(raw->data, p + off, need);
    swap_bytes(raw->data, (int64_t)numel, esize);
  } else {
    raw = sn_tensor_from_buffer(buf, off, h.dtype, h.rank, stored);
    if (!raw) return NULL;
  }
  if (!h.fortran || h.rank < 2) return raw;
  int64_t perm[SN_MAX_RANK];
  for (int64_t i = 0; i < h.rank; i++) perm[i] = h.rank - 1 - i;
  SnTensor *view = sn_tensor_permute(raw, perm);
  sn_tensor_release(raw);
  if (!view) return NULL;
  SnTensor *c = sn_tensor_copy(view);
  sn_tensor_release(view);
  return c;
}

SnStatus sn_npy_info(const char *path, SnDtype *dtype, int64_t *rank, int64_t shape[SN_MAX_RANK]) {
  SnBuffer *buf = sn_buffer_map_file(path);
  if (!buf) return 1;
  NpyHeader h;
  size_t off;
  int ok = read_header(buf, path, &h, &off);
  sn_buffer_release(buf);
  if (!ok) return 1;
  *dtype = h.dtype;
  *rank = h.rank;
  for (int64_t i = 0; i < h.rank; i++) shape[i] = h.shape[i];
  return 0;
}

SnTensor *sn_npy_read(const char *path) {
  SnBuffer *buf = sn_buffer_map_file(path);
  if (!buf) return NULL;
  SnTensor *t = parse(buf, path);
  sn_buffer_release(buf);
  return t;
}

SnTensor *sn_npy_parse(const void *data, size_t size, const char *name) {
  SnBuffer *buf = sn_buffer_new(size);
  if (!buf) return NULL;
  if (size) memcpy(sn_buffer_data(buf), data, size);
  SnTensor *t = parse(buf, name);
  sn_buffer_release(buf);
  return t;
}

/* --- writing ---------------------------------------------------------------------------------- */

SnStatus sn_npy_write(const char *path, const SnTensor *t) {
  const char *descr = NULL;
  switch ((SnDtype)t->dtype) {
  case SN_BOOL: descr = "|b1"; break;
  case SN_I8: descr = "|i1"; break;
  case SN_U8: descr = "|u1"; break;
  case SN_I32: descr = "<i4"; break;
  case SN_I64: descr = "<i8"; break;
  case SN_F16: descr = "<f2"; break;
  case SN_F32: descr = "<f4"; break;
  case SN_F64: descr = "<f8"; break;
  case SN_BF16: return sn_error_set("%s: bf16 has no .npy dtype; convert the tensor to f32 first", path);
  default: return sn_error_set("%s: invalid dtype %d", path, (int)t->dtype);
  }
  /* NumPy's text: keys sorted, repr of the shape tuple, then room for the first axis to grow. */
  char shape[SN_MAX_RANK * 24 + 8];
  int n = snprintf(shape, sizeof shape, "(");
  for (int64_t i = 0; i < t->rank; i++)
    n += snprintf(shape + n, sizeof shape - (size_t)n, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
  snprintf(shape + n, sizeof shape - (size_t)n, t->rank == 1 ? ",)" : ")");
  char header[512];
  int hl = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                    descr, shape);
  if (t->rank > 0) {
    char first[24];
    int digits = snprintf(first, sizeof first, "%lld", (long long)t->shape[0]);
    for (int i = digits; i < NPY_GROWTH_DIGITS; i++) header[hl++] = ' ';
  }
  /* Spaces and a newline up to a multiple of NPY_ALIGN; version 1.0 holds any of our headers
   * (at most 8 dimensions), so 2.0 is never needed. */
  int total = 10 + hl + 1;
  int pad = NPY_ALIGN - total % NPY_ALIGN; /* NumPy pads a full block rather than none */
  memset(header + hl, ' ', (size_t)pad);
  hl += pad;
  header[hl++] = '\n';
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff),
                           (unsigned char)(hl >> 8)};
  SnTensor *c = NULL;
  if (!sn_tensor_is_contiguous(t) && !(c = sn_tensor_copy(t))) return 1;
  const SnTensor *src = c ? c : t;
  SnAtomicFile f;
  SnStatus st = sn_io_atomic_open(&f, path);
  if (!st) st = sn_io_atomic_write(&f, pre, sizeof pre);
  if (!st) st = sn_io_atomic_write(&f, header, (size_t)hl);
  if (!st) st = sn_io_atomic_write(&f, src->data, (size_t)sn_tensor_numel(src) * sn_dtype_size((SnDtype)src->dtype));
  if (st) sn_io_atomic_abort(&f);
  else st = sn_io_atomic_commit(&f);
  sn_tensor_release(c);
  return st;
}
