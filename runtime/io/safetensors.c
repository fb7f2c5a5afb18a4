/* safetensors.c: the safetensors format (huggingface/safetensors), single files and
 * sharded models with a model.safetensors.index.json. A file is an 8-byte little-endian header
 * length N, N bytes of JSON ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
 * "__metadata__": {string: string}}), then the tensors' bytes, offsets counted from the end of
 * the header. Reading maps the file and checks all of it, as strictly as the reference
 * implementation (data contiguous, no gaps, nothing after the last tensor), before any tensor
 * is handed out; tensors are views of the mapping. */
#include "io/rt_io.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");

/* The reference implementation's bound: larger headers are refused before parsing. */
#define ST_MAX_HEADER 100000000u
/* JSON numbers are doubles in cJSON: integers above 2^53 would not be exact. */
#define ST_MAX_INT 9007199254740992.0
/* Tensors at least this large are read ahead (MADV_WILLNEED) when handed out. */
#define ST_WILLNEED_MIN (1u << 20)
/* Shards of this many bytes of data or more start it at a multiple of ST_BLOCK. */
#define ST_BLOCK_ALIGN_MIN (1u << 20)
#define ST_BLOCK 4096
/* The file names of a model directory. */
#define ST_INDEX_NAME "model.safetensors.index.json"
#define ST_SINGLE_NAME "model.safetensors"

static const struct { const char *name; SnDtype dtype; } st_dtypes[] = {
    {"BOOL", SN_BOOL}, {"U8", SN_U8},   {"I8", SN_I8},     {"I32", SN_I32}, {"I64", SN_I64},
    {"F16", SN_F16},   {"BF16", SN_BF16}, {"F32", SN_F32}, {"F64", SN_F64},
};
/* Dtypes of the format that sinter has no type for: named in a clearer message. */
static const char *const st_unsupported[] = {"I16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2",
                                             "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"};

static const char *st_dtype_name(SnDtype t) {
  for (size_t i = 0; i < sizeof st_dtypes / sizeof st_dtypes[0]; i++)
    if (st_dtypes[i].dtype == t) return st_dtypes[i].name;
  return "?";
}

typedef struct {
  char *name;
  SnDtype dtype;
  int64_t rank;
  int64_t shape[SN_MAX_RANK];
  uint64_t begin, end; /* bytes, from the start of the shard's data */
  int32_t shard;
  int32_t written; /* writer: the data has been written */
} StEntry;

typedef struct {
  char *path;        /* as used in messages */
  SnBuffer *buf;     /* the whole file */
  uint64_t data_start; /* 8 + header length */
} StShard;

struct SnStFile {
  StShard *shards;
  int32_t nshards;
  StEntry *entries; /* file order: shard by shard, by offset */
  int64_t n, cap;
  int64_t *by_name; /* entry indices sorted by name */
  char **meta_keys, **meta_vals;
  int64_t nmeta;
};

/* --- small helpers --------------------------------------------------------------------------- */

static int grow(void **p, int64_t *cap, int64_t need, size_t size) {
  if (need <= *cap) return 1;
  int64_t c = *cap ? *cap : 8;
  while (c < need) c *= 2;
  void *q = realloc(*p, (size_t)c * size);
  if (!q) return 0;
  *p = q;
  *cap = c;
  return 1;
}

/* A JSON number that is a non-negative integer small enough to be exact. */
static int json_uint(const cJSON *v, uint64_t *out) {
  if (!cJSON_IsNumber(v)) return 0;
  double d = v->valuedouble;
  if (!(d >= 0) || d > ST_MAX_INT || d != floor(d)) return 0;
  *out = (uint64_t)d;
  return 1;
}

static void shape_text(char *buf, size_t n, int64_t rank, const int64_t *shape) {
  size_t k = (size_t)snprintf(buf, n, "[");
  for (int64_t i = 0; i < rank && k < n; i++)
    k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? ", " : "", (long long)shape[i]);
  if (k < n) snprintf(buf + k, n - k, "]");
}

static int cmp_entry_offset(const void *a, const void *b) {
  const StEntry *x = a, *y = b;
  if (x->shard != y->shard) return x->shard < y->shard ? -1 : 1;
  if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
  return (x->end > y->end) - (x->end < y->end);
}

/* A name and where it came from, for sorting by name (qsort passes no context). */
typedef struct {
  const char *name;
  int64_t i;
} NameRef;

static int cmp_name_ref(const void *a, const void *b) {
  const NameRef *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* refs[0..n) for entries[0..n), sorted by name; NULL when out of memory. */
static NameRef *sorted_names(const StEntry *entries, int64_t n) {
  NameRef *r = malloc((size_t)(n ? n : 1) * sizeof *r);
  if (!r) return NULL;
  for (int64_t i = 0; i < n; i++) r[i] = (NameRef){entries[i].name, i};
  qsort(r, (size_t)n, sizeof *r, cmp_name_ref);
  return r;
}

static void file_free(SnStFile *f) {
  if (!f) return;
  for (int32_t i = 0; i < f->nshards; i++) {
    free(f->shards[i].path);
    sn_buffer_release(f->shards[i].buf);
  }
  for (int64_t i = 0; i < f->n; i++) free(f->entries[i].name);
  for (int64_t i = 0; i < f->nmeta; i++) {
    free(f->meta_keys[i]);
    free(f->meta_vals[i]);
  }
  free(f->shards);
  free(f->entries);
  free(f->by_name);
  free(f->meta_keys);
  free(f->meta_vals);
  free(f);
}

/* --- parsing one file ------------------------------------------------------------------------ */

static SnStatus add_metadata(SnStFile *f, const char *path, const cJSON *meta) {
  if (!cJSON_IsObject(meta)) return sn_error_set("%s: __metadata__ is not an object", path);
  for (const cJSON *m = meta->child; m; m = m->next) {
    if (!cJSON_IsString(m))
      return sn_error_set("%s: __metadata__ value for '%s' is not a string", path, m->string);
    int seen = 0;
    for (int64_t i = 0; i < f->nmeta && !seen; i++) seen = strcmp(f->meta_keys[i], m->string) == 0;
    if (seen) continue; /* the first shard that has a key gives its value */
    char **k = realloc(f->meta_keys, (size_t)(f->nmeta + 1) * sizeof *k);
    if (k) f->meta_keys = k;
    char **v = k ? realloc(f->meta_vals, (size_t)(f->nmeta + 1) * sizeof *v) : NULL;
    if (v) f->meta_vals = v;
    char *ks = v ? strdup(m->string) : NULL, *vs = ks ? strdup(m->valuestring) : NULL;
    if (!vs) {
      free(ks);
      return sn_error_set("%s: out of memory", path);
    }
    f->meta_keys[f->nmeta] = ks;
    f->meta_vals[f->nmeta++] = vs;
  }
  return 0;
}

/* After a JSON value that cJSON says ends at `end` (within [start, limit)), the first byte that
 * is not JSON whitespace, or NULL. cJSON may have skipped every byte below '!' after the value,
 * NULs included, so the scan starts where the value itself ends. */
static const char *bad_tail(const char *start, const char *end, const char *limit) {
  while (end > start && (unsigned char)end[-1] <= ' ') end--;
  for (; end < limit; end++)
    if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') return end;
  return NULL;
}

/* One tensor's entry: {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}. */
static SnStatus parse_entry(const char *path, const cJSON *t, uint64_t data_size, StEntry *e) {
  const char *name = t->string;
  if (!cJSON_IsObject(t)) return sn_error_set("%s: tensor '%s': its entry is not an object", path, name);
  const cJSON *dtype = NULL, *shape = NULL, *offsets = NULL;
  for (const cJSON *k = t->child; k; k = k->next) {
    const cJSON **slot = !strcmp(k->string, "dtype")          ? &dtype
                         : !strcmp(k->string, "shape")        ? &shape
                         : !strcmp(k->string, "data_offsets") ? &offsets
                                                              : NULL;
    if (!slot) return sn_error_set("%s: tensor '%s': unexpected key '%s'", path, name, k->string);
    if (*slot) return sn_error_set("%s: tensor '%s': duplicate key '%s'", path, name, k->string);
    *slot = k;
  }
  if (!dtype) return sn_error_set("%s: tensor '%s': missing \"dtype\"", path, name);
  if (!shape) return sn_error_set("%s: tensor '%s': missing \"shape\"", path, name);
  if (!offsets) return sn_error_set("%s: tensor '%s': missing \"data_offsets\"", path, name);

  if (!cJSON_IsString(dtype)) return sn_error_set("%s: tensor '%s': dtype is not a string", path, name);
  int found = 0;
  for (size_t i = 0; i < sizeof st_dtypes / sizeof st_dtypes[0] && !found; i++)
    if (!strcmp(dtype->valuestring, st_dtypes[i].name)) e->dtype = st_dtypes[i].dtype, found = 1;
  if (!found) {
    for (size_t i = 0; i < sizeof st_unsupported / sizeof st_unsupported[0]; i++)
      if (!strcmp(dtype->valuestring, st_unsupported[i]))
        return sn_error_set("%s: tensor '%s': dtype %s is not supported (sinter reads BOOL, U8, "
                            "I8, I32, I64, F16, BF16, F32 and F64)", path, name, dtype->valuestring);
    return sn_error_set("%s: tensor '%s': unknown dtype '%s'", path, name, dtype->valuestring);
  }

  if (!cJSON_IsArray(shape)) return sn_error_set("%s: tensor '%s': shape is not an array", path, name);
  int rank = cJSON_GetArraySize(shape);
  if (rank > SN_MAX_RANK)
    return sn_error_set("%s: tensor '%s': shape has %d dimensions; at most %d are supported", path,
                        name, rank, SN_MAX_RANK);
  e->rank = rank;
  int i = 0;
  for (const cJSON *d = shape->child; d; d = d->next, i++) {
    uint64_t v;
    if (!json_uint(d, &v))
      return sn_error_set("%s: tensor '%s': shape entry %d is not a non-negative integer", path, name, i);
    e->shape[i] = (int64_t)v;
  }
  /* The element count; a zero size makes it 0 whatever the others are. */
  uint64_t numel = 1;
  int overflow = 0;
  for (i = 0; i < rank; i++) numel = e->shape[i] ? numel : 0;
  for (i = 0; i < rank && numel; i++) {
    uint64_t v = (uint64_t)e->shape[i];
    overflow |= numel > UINT64_MAX / v;
    numel *= v;
  }

  uint64_t begin, end;
  if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2 ||
      !json_uint(offsets->child, &begin) || !json_uint(offsets->child->next, &end))
    return sn_error_set("%s: tensor '%s': data_offsets must be two non-negative integers [begin, end]",
                        path, name);
  if (begin > end)
    return sn_error_set("%s: tensor '%s': data_offsets [%llu, %llu] end before they begin", path,
                        name, (unsigned long long)begin, (unsigned long long)end);
  size_t esize = sn_dtype_size(e->dtype);
  char st[256];
  shape_text(st, sizeof st, e->rank, e->shape);
  if (overflow || numel > UINT64_MAX / esize || numel * esize != end - begin)
    return sn_error_set("%s: tensor '%s': shape %s of %s needs %s%llu bytes but data_offsets "
                        "[%llu, %llu] hold %llu", path, name, st, dtype->valuestring,
                        overflow || numel > UINT64_MAX / esize ? "more than " : "",
                        overflow || numel > UINT64_MAX / esize ? (unsigned long long)UINT64_MAX
                                                               : (unsigned long long)(numel * esize),
                        (unsigned long long)begin, (unsigned long long)end,
                        (unsigned long long)(end - begin));
  if (end > data_size)
    return sn_error_set("%s: tensor '%s': data_offsets [%llu, %llu] run past the end of the data "
                        "(%llu bytes)", path, name, (unsigned long long)begin,
                        (unsigned long long)end, (unsigned long long)data_size);
  e->begin = begin;
  e->end = end;
  return 0;
}

/* The header of shard `shard` (already mapped into f->shards[shard].buf): its entries are
 * appended to f. */
static SnStatus parse_shard(SnStFile *f, int32_t shard) {
  const char *path = f->shards[shard].path;
  const unsigned char *p = sn_buffer_data(f->shards[shard].buf);
  size_t size = sn_buffer_size(f->shards[shard].buf);
  if (size < 8)
    return sn_error_set("%s: truncated: %zu bytes, but a safetensors file starts with an 8-byte "
                        "header length", path, size);
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | p[i];
  if (hlen > ST_MAX_HEADER)
    return sn_error_set("%s: header length %llu exceeds the limit of %u bytes", path,
                        (unsigned long long)hlen, ST_MAX_HEADER);
  if (hlen > size - 8)
    return sn_error_set("%s: header length %llu runs past the end of the file (%zu bytes)", path,
                        (unsigned long long)hlen, size);
  const char *h = (const char *)p + 8;
  size_t bad = snrt_utf8_valid_prefix((const unsigned char *)h, hlen);
  if (bad != hlen)
    return sn_error_set("%s: header is not valid UTF-8 (byte %zu of the file)", path, bad + 8);
  if (hlen < 2 || h[0] != '{') return sn_error_set("%s: header is not a JSON object", path);
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(h, hlen, &end, 0);
  if (!root) {
    size_t at = end && end >= h && end <= h + hlen ? (size_t)(end - h) : 0;
    return sn_error_set("%s: header is not valid JSON (near byte %zu of the file)", path, at + 8);
  }
  const char *q = bad_tail(h, end, h + hlen);
  if (q) {
    cJSON_Delete(root);
    return sn_error_set("%s: unexpected byte 0x%02x after the JSON header (byte %zu of the file)",
                        path, (unsigned char)*q, (size_t)(q - h) + 8);
  }
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return sn_error_set("%s: header is not a JSON object", path);
  }
  f->shards[shard].data_start = 8 + hlen;
  uint64_t data_size = size - 8 - hlen;
  int64_t first = f->n;
  SnStatus st = 0;
  int meta_seen = 0;
  for (const cJSON *t = root->child; t && !st; t = t->next) {
    if (!strcmp(t->string, "__metadata__")) {
      if (meta_seen++) st = sn_error_set("%s: duplicate __metadata__", path);
      else st = add_metadata(f, path, t);
      continue;
    }
    if (!grow((void **)&f->entries, &f->cap, f->n + 1, sizeof *f->entries)) {
      st = sn_error_set("%s: out of memory", path);
      break;
    }
    StEntry *e = &f->entries[f->n];
    memset(e, 0, sizeof *e);
    e->shard = shard;
    st = parse_entry(path, t, data_size, e);
    if (!st && !(e->name = strdup(t->string))) st = sn_error_set("%s: out of memory", path);
    if (!st) f->n++;
  }
  cJSON_Delete(root);
  if (st) return st;

  /* The data must be covered exactly, tensor after tensor. */
  if (f->n > first) qsort(f->entries + first, (size_t)(f->n - first), sizeof *f->entries, cmp_entry_offset);
  uint64_t pos = 0;
  for (int64_t i = first; i < f->n; i++) {
    const StEntry *e = &f->entries[i];
    if (e->begin < pos)
      return sn_error_set("%s: tensors '%s' and '%s' overlap: data_offsets [%llu, %llu] and "
                          "[%llu, %llu]", path, f->entries[i - 1].name, e->name,
                          (unsigned long long)f->entries[i - 1].begin,
                          (unsigned long long)f->entries[i - 1].end,
                          (unsigned long long)e->begin, (unsigned long long)e->end);
    if (e->begin > pos)
      return sn_error_set("%s: tensor '%s': its data starts at byte %llu but the data before it "
                          "ends at %llu (a gap)", path, e->name, (unsigned long long)e->begin,
                          (unsigned long long)pos);
    pos = e->end;
  }
  if (pos != data_size)
    return sn_error_set("%s: %llu bytes of data after the last tensor", path,
                        (unsigned long long)(data_size - pos));
  return 0;
}

/* Sorts the name index and rejects a name that appears twice. */
static SnStatus index_names(SnStFile *f, const char *path) {
  NameRef *refs = sorted_names(f->entries, f->n);
  f->by_name = malloc((size_t)(f->n ? f->n : 1) * sizeof *f->by_name);
  if (!refs || !f->by_name) {
    free(refs);
    return sn_error_set("%s: out of memory", path);
  }
  for (int64_t i = 0; i < f->n; i++) f->by_name[i] = refs[i].i;
  free(refs);
  for (int64_t i = 1; i < f->n; i++) {
    const StEntry *a = &f->entries[f->by_name[i - 1]], *b = &f->entries[f->by_name[i]];
    if (strcmp(a->name, b->name)) continue;
    if (a->shard == b->shard) return sn_error_set("%s: duplicate tensor name '%s'", f->shards[a->shard].path, a->name);
    return sn_error_set("%s: tensor '%s' is in two shards, %s and %s", path, a->name,
                        f->shards[a->shard].path, f->shards[b->shard].path);
  }
  return 0;
}

static SnStFile *file_new(int32_t nshards) {
  SnStFile *f = calloc(1, sizeof *f);
  if (f) f->shards = calloc((size_t)nshards, sizeof *f->shards);
  if (!f || !f->shards) {
    free(f);
    sn_error_set("out of memory");
    return NULL;
  }
  f->nshards = nshards;
  return f;
}

static SnStFile *open_single(const char *path, SnBuffer *buf) {
  SnStFile *f = file_new(1);
  if (!f) {
    sn_buffer_release(buf);
    return NULL;
  }
  f->shards[0].buf = buf;
  f->shards[0].path = strdup(path);
  if (!f->shards[0].path) {
    sn_error_set("%s: out of memory", path);
    file_free(f);
    return NULL;
  }
  if (parse_shard(f, 0) || index_names(f, path)) {
    file_free(f);
    return NULL;
  }
  return f;
}

/* --- sharded models ---------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A shard named in an index must be a plain file name in the index's directory. */
static int plain_file_name(const char *s) {
  return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static SnStFile *open_index(const char *path) {
  SnBuffer *buf = sn_buffer_map_file(path);
  if (!buf) return NULL;
  const char *text = sn_buffer_data(buf);
  size_t size = sn_buffer_size(buf);
  SnStFile *f = NULL;
  cJSON *root = NULL;
  char **names = NULL;
  int64_t nnames = 0;
  size_t bad = snrt_utf8_valid_prefix((const unsigned char *)text, size);
  if (bad != size) {
    sn_error_set("%s: not valid UTF-8 (byte %zu)", path, bad);
    goto fail;
  }
  const char *end = NULL;
  root = cJSON_ParseWithLengthOpts(text, size, &end, 0);
  if (root && bad_tail(text, end, text + size)) end = bad_tail(text, end, text + size);
  else if (root) end = text + size;
  if (!root || end != text + size) {
    size_t at = end && end >= text && end <= text + size ? (size_t)(end - text) : 0;
    sn_error_set("%s: not valid JSON (near byte %zu)", path, at);
    goto fail;
  }
  const cJSON *map = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "weight_map") : NULL;
  if (!cJSON_IsObject(map)) {
    sn_error_set("%s: no \"weight_map\" object", path);
    goto fail;
  }
  /* The distinct shard names, sorted (file order follows them). */
  int nmap = cJSON_GetArraySize(map);
  names = calloc((size_t)(nmap ? nmap : 1), sizeof *names);
  if (!names) {
    sn_error_set("%s: out of memory", path);
    goto fail;
  }
  for (const cJSON *m = map->child; m; m = m->next) {
    if (!cJSON_IsString(m)) {
      sn_error_set("%s: weight_map entry for '%s' is not a string", path, m->string);
      goto fail;
    }
    if (!plain_file_name(m->valuestring)) {
      sn_error_set("%s: tensor '%s' maps to '%s', which is not a file name in the index's directory",
                   path, m->string, m->valuestring);
      goto fail;
    }
    names[nnames++] = m->valuestring;
  }
  qsort(names, (size_t)nnames, sizeof *names, cmp_str);
  int64_t nshards = 0;
  for (int64_t i = 0; i < nnames; i++)
    if (i == 0 || strcmp(names[i], names[i - 1])) names[nshards++] = names[i];
  if (nshards == 0) {
    sn_error_set("%s: weight_map lists no tensors", path);
    goto fail;
  }
  f = file_new((int32_t)nshards);
  if (!f) goto fail;
  const char *slash = strrchr(path, '/');
  int dirlen = slash ? (int)(slash - path + 1) : 0;
  for (int32_t s = 0; s < nshards; s++) {
    size_t n = (size_t)dirlen + strlen(names[s]) + 1;
    f->shards[s].path = malloc(n);
    if (!f->shards[s].path) {
      sn_error_set("%s: out of memory", path);
      goto fail;
    }
    snprintf(f->shards[s].path, n, "%.*s%s", dirlen, path, names[s]);
    if (!(f->shards[s].buf = sn_buffer_map_file(f->shards[s].path)) || parse_shard(f, s)) goto fail;
  }
  if (index_names(f, path)) goto fail;
  /* The index and the shards must agree on every tensor. */
  int64_t listed = 0;
  for (const cJSON *m = map->child; m; m = m->next, listed++) {
    int64_t i = sn_st_find(f, m->string);
    if (i < 0) {
      sn_error_set("%s: tensor '%s' is listed for shard %s, which does not hold it", path, m->string,
                   m->valuestring);
      goto fail;
    }
    if (strcmp(names[f->entries[i].shard], m->valuestring)) {
      sn_error_set("%s: tensor '%s' is listed for shard %s but is in %s", path, m->string,
                   m->valuestring, names[f->entries[i].shard]);
      goto fail;
    }
  }
  if (listed != f->n) {
    /* Some shard holds a tensor the index does not list; name one. */
    for (int64_t i = 0; i < f->n; i++)
      if (!cJSON_GetObjectItemCaseSensitive(map, f->entries[i].name)) {
        sn_error_set("%s: shard %s holds tensor '%s', which the index does not list", path,
                     names[f->entries[i].shard], f->entries[i].name);
        goto fail;
      }
    sn_error_set("%s: weight_map lists a tensor twice", path);
    goto fail;
  }
  free(names);
  cJSON_Delete(root);
  sn_buffer_release(buf);
  return f;
fail:
  free(names);
  cJSON_Delete(root);
  sn_buffer_release(buf);
  file_free(f);
  return NULL;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

SnStFile *sn_st_open(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    sn_error_set("%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  if (S_ISDIR(st.st_mode)) {
    size_t n = strlen(path) + sizeof ST_INDEX_NAME + 2;
    char *p = malloc(n);
    if (!p) {
      sn_error_set("%s: out of memory", path);
      return NULL;
    }
    SnStFile *f = NULL;
    const char *sep = ends_with(path, "/") ? "" : "/"; /* "a/" names a/model.safetensors, not a//... */
    snprintf(p, n, "%s%s%s", path, sep, ST_INDEX_NAME);
    if (stat(p, &st) == 0) {
      f = open_index(p);
    } else {
      snprintf(p, n, "%s%s%s", path, sep, ST_SINGLE_NAME);
      if (stat(p, &st) == 0) f = sn_st_open(p);
      else sn_error_set("%s: a directory without %s or %s", path, ST_INDEX_NAME, ST_SINGLE_NAME);
    }
    free(p);
    return f;
  }
  if (ends_with(path, ".json")) return open_index(path);
  SnBuffer *buf = sn_buffer_map_file(path);
  return buf ? open_single(path, buf) : NULL;
}

SnStFile *sn_st_open_memory(const void *data, size_t size, const char *name) {
  SnBuffer *buf = sn_buffer_new(size);
  if (!buf) return NULL;
  if (size) memcpy(sn_buffer_data(buf), data, size);
  return open_single(name, buf);
}

void sn_st_close(SnStFile *f) { file_free(f); }

int64_t sn_st_count(const SnStFile *f) { return f->n; }

const char *sn_st_name(const SnStFile *f, int64_t i) {
  return i >= 0 && i < f->n ? f->entries[i].name : NULL;
}

int64_t sn_st_find(const SnStFile *f, const char *name) {
  int64_t lo = 0, hi = f->n;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    int c = strcmp(f->entries[f->by_name[mid]].name, name);
    if (c == 0) return f->by_name[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

SnStatus sn_st_info(const SnStFile *f, int64_t i, SnDtype *dtype, int64_t *rank,
                    int64_t shape[SN_MAX_RANK]) {
  if (i < 0 || i >= f->n)
    return sn_error_set("tensor index %lld is out of range (%lld tensors)", (long long)i, (long long)f->n);
  const StEntry *e = &f->entries[i];
  if (dtype) *dtype = e->dtype;
  if (rank) *rank = e->rank;
  if (shape) memcpy(shape, e->shape, sizeof e->shape);
  return 0;
}

/* Pages mapped by one populate call at least (4 MB). */
#define ST_POPULATE_GRAIN 1024

typedef struct {
  uintptr_t lo; /* the first page */
} Populate;

static int32_t populate_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  (void)c;
  uintptr_t at = ((const Populate *)ctx)->lo;
  madvise((void *)(at + (uintptr_t)lo * 4096), (size_t)(hi - lo) * 4096, MADV_POPULATE_READ);
  return 0;
}

SnTensor *sn_st_get(const SnStFile *f, int64_t i) {
  if (i < 0 || i >= f->n) {
    sn_error_set("tensor index %lld is out of range (%lld tensors)", (long long)i, (long long)f->n);
    return NULL;
  }
  const StEntry *e = &f->entries[i];
  const StShard *s = &f->shards[e->shard];
  const unsigned char *p = (const unsigned char *)sn_buffer_data(s->buf) + s->data_start + e->begin;
  uint64_t bytes = e->end - e->begin;
  if (e->dtype == SN_BOOL)
    for (uint64_t k = 0; k < bytes; k++)
      if (p[k] > 1) {
        sn_error_set("%s: tensor '%s': BOOL element %llu is %u, not 0 or 1", s->path, e->name,
                     (unsigned long long)k, p[k]);
        return NULL;
      }
  if (bytes >= ST_WILLNEED_MIN && sn_buffer_kind(s->buf) == SN_BUFFER_MMAP) {
    /* Map the tensor's pages now, in a few calls on every core: faulting them in one by one on
     * first access costs several times more than reading the file, and on one thread the
     * mapping was 5% of a merge's time, the other cores waiting. Only advice: kernels before
     * 5.14 lack MADV_POPULATE_READ and then the pages fault in as they are touched. */
    Populate pop = {(uintptr_t)p & ~(uintptr_t)4095};
    int64_t pages = (int64_t)(((uintptr_t)p + bytes - pop.lo + 4095) / 4096);
    sn_parallel_for(pages, sn_parallel_chunks(pages, ST_POPULATE_GRAIN), populate_chunk, &pop);
  }
  SnTensor *t = sn_tensor_from_buffer(s->buf, s->data_start + e->begin, e->dtype, e->rank, e->shape);
  if (!t) {
    char why[512];
    snprintf(why, sizeof why, "%s", sn_error_message());
    sn_error_set("%s: tensor '%s': %s", s->path, e->name, why);
  }
  return t;
}

SnTensor *sn_st_get_named(const SnStFile *f, const char *name) {
  int64_t i = sn_st_find(f, name);
  if (i < 0) {
    sn_error_set("%s: no tensor named '%s'", f->nshards ? f->shards[0].path : "?", name);
    return NULL;
  }
  return sn_st_get(f, i);
}

const char *sn_st_path(const SnStFile *f, int64_t i) {
  return i >= 0 && i < f->n ? f->shards[f->entries[i].shard].path : NULL;
}

void sn_st_drop(const SnStFile *f, int64_t i) {
  if (i < 0 || i >= f->n) return;
  const StEntry *e = &f->entries[i];
  const StShard *s = &f->shards[e->shard];
  if (sn_buffer_kind(s->buf) != SN_BUFFER_MMAP || e->end == e->begin) return;
  uintptr_t p = (uintptr_t)sn_buffer_data(s->buf) + s->data_start + e->begin;
  uintptr_t lo = p & ~(uintptr_t)4095, hi = (p + (e->end - e->begin) + 4095) & ~(uintptr_t)4095;
  madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

int64_t sn_st_metadata_count(const SnStFile *f) { return f->nmeta; }

const char *sn_st_metadata_key(const SnStFile *f, int64_t i) {
  return i >= 0 && i < f->nmeta ? f->meta_keys[i] : NULL;
}

const char *sn_st_metadata(const SnStFile *f, const char *key) {
  for (int64_t i = 0; i < f->nmeta; i++)
    if (!strcmp(f->meta_keys[i], key)) return f->meta_vals[i];
  return NULL;
}

/* --- writing ------------------------------------------------------------------------------------ */

typedef struct {
  char *p;
  size_t n, cap;
  int failed;
} StrBuf;

static void sb_put(StrBuf *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->failed = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

static void sb_str(StrBuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_fmt(StrBuf *b, const char *fmt, unsigned long long v) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, fmt, v);
  sb_put(b, tmp, (size_t)n);
}

/* s as a JSON string literal (s is valid UTF-8). */
static void sb_json(StrBuf *b, const char *s) {
  sb_put(b, "\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      sb_put(b, esc, 2);
    } else if (c < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      sb_put(b, esc, 6);
    } else {
      sb_put(b, s, 1);
    }
  }
  sb_put(b, "\"", 1);
}

struct SnStWriter {
  char *path;      /* the target as given: dir/stem.safetensors */
  int64_t shard_bytes;
  StEntry *decl;   /* declared tensors, in declaration order */
  int64_t n, cap;
  char **meta_keys, **meta_vals;
  int64_t nmeta;
  int frozen;      /* shards assigned and files opened: no more declarations */
  int failed;      /* opening the files failed: every later call fails */
  int32_t nshards;
  SnAtomicFile *files;
  uint64_t *data_start; /* per shard */
  char **shard_names;   /* per shard: the file name without its directory */
};

SnStWriter *sn_st_writer_new(const char *path, int64_t shard_bytes) {
  SnStWriter *w = calloc(1, sizeof *w);
  if (!w || !(w->path = strdup(path))) {
    free(w);
    sn_error_set("%s: out of memory", path);
    return NULL;
  }
  w->shard_bytes = shard_bytes;
  return w;
}

static void writer_free(SnStWriter *w) {
  for (int64_t i = 0; i < w->n; i++) free(w->decl[i].name);
  for (int64_t i = 0; i < w->nmeta; i++) {
    free(w->meta_keys[i]);
    free(w->meta_vals[i]);
  }
  for (int32_t s = 0; s < w->nshards; s++) free(w->shard_names ? w->shard_names[s] : NULL);
  free(w->decl);
  free(w->meta_keys);
  free(w->meta_vals);
  free(w->files);
  free(w->data_start);
  free(w->shard_names);
  free(w->path);
  free(w);
}

void sn_st_writer_abort(SnStWriter *w) {
  if (!w) return;
  for (int32_t s = 0; s < w->nshards && w->files; s++) sn_io_atomic_abort(&w->files[s]);
  writer_free(w);
}

static int valid_text(const char *s) {
  size_t n = strlen(s);
  return snrt_utf8_valid_prefix((const unsigned char *)s, n) == n;
}

SnStatus sn_st_writer_metadata(SnStWriter *w, const char *key, const char *value) {
  if (w->frozen) return sn_error_set("%s: metadata must be set before the first tensor is written", w->path);
  if (!valid_text(key) || !valid_text(value))
    return sn_error_set("%s: metadata '%s' is not valid UTF-8", w->path, key);
  for (int64_t i = 0; i < w->nmeta; i++)
    if (!strcmp(w->meta_keys[i], key)) {
      char *v = strdup(value);
      if (!v) return sn_error_set("%s: out of memory", w->path);
      free(w->meta_vals[i]);
      w->meta_vals[i] = v;
      return 0;
    }
  char **k = realloc(w->meta_keys, (size_t)(w->nmeta + 1) * sizeof *k);
  if (k) w->meta_keys = k;
  char **v = k ? realloc(w->meta_vals, (size_t)(w->nmeta + 1) * sizeof *v) : NULL;
  if (v) w->meta_vals = v;
  char *ks = v ? strdup(key) : NULL, *vs = ks ? strdup(value) : NULL;
  if (!vs) {
    free(ks);
    return sn_error_set("%s: out of memory", w->path);
  }
  w->meta_keys[w->nmeta] = ks;
  w->meta_vals[w->nmeta++] = vs;
  return 0;
}

static int64_t writer_find(const SnStWriter *w, const char *name) {
  for (int64_t i = 0; i < w->n; i++)
    if (!strcmp(w->decl[i].name, name)) return i;
  return -1;
}

SnStatus sn_st_writer_declare(SnStWriter *w, const char *name, SnDtype dtype, int64_t rank,
                              const int64_t *shape) {
  if (w->frozen)
    return sn_error_set("%s: tensor '%s' declared after the first tensor was written", w->path, name);
  if (!valid_text(name)) return sn_error_set("%s: a tensor name is not valid UTF-8", w->path);
  if (!strcmp(name, "__metadata__")) return sn_error_set("%s: '__metadata__' cannot name a tensor", w->path);
  if (writer_find(w, name) >= 0) return sn_error_set("%s: tensor '%s' declared twice", w->path, name);
  if ((unsigned)dtype >= SN_NDTYPES) return sn_error_set("%s: tensor '%s': invalid dtype", w->path, name);
  if (rank < 0 || rank > SN_MAX_RANK)
    return sn_error_set("%s: tensor '%s': rank %lld is not supported", w->path, name, (long long)rank);
  uint64_t numel = 1;
  for (int64_t i = 0; i < rank; i++) {
    if (shape[i] < 0 || (shape[i] && numel > (uint64_t)(ST_MAX_INT / 8) / (uint64_t)shape[i]))
      return sn_error_set("%s: tensor '%s': invalid size %lld", w->path, name, (long long)shape[i]);
    numel *= (uint64_t)shape[i];
  }
  if (!grow((void **)&w->decl, &w->cap, w->n + 1, sizeof *w->decl))
    return sn_error_set("%s: out of memory", w->path);
  StEntry *e = &w->decl[w->n];
  memset(e, 0, sizeof *e);
  if (!(e->name = strdup(name))) return sn_error_set("%s: out of memory", w->path);
  e->dtype = dtype;
  e->rank = rank;
  for (int64_t i = 0; i < rank; i++) e->shape[i] = shape[i];
  e->end = numel * sn_dtype_size(dtype); /* its size, until freeze places it */
  w->n++;
  return 0;
}

/* Within a shard, wider elements come first so that every tensor starts at a multiple of its
 * element size (the header is padded to 8): then every tensor is read without a copy. */
static int cmp_decl_layout(const void *a, const void *b) {
  const StEntry *x = *(StEntry *const *)a, *y = *(StEntry *const *)b;
  if (x->shard != y->shard) return x->shard < y->shard ? -1 : 1;
  size_t sx = sn_dtype_size(x->dtype), sy = sn_dtype_size(y->dtype);
  if (sx != sy) return sx > sy ? -1 : 1;
  return x < y ? -1 : x > y;
}

/* Assigns shards and offsets, opens the shard files and writes their headers. */
static SnStatus freeze_files(SnStWriter *w);

static SnStatus freeze(SnStWriter *w) {
  if (w->failed) return sn_error_set("%s: the writer failed earlier and wrote nothing", w->path);
  if (w->frozen) return 0;
  w->frozen = 1;
  SnStatus st = freeze_files(w);
  if (st) {
    w->failed = 1;
    for (int32_t s = 0; s < w->nshards && w->files; s++) sn_io_atomic_abort(&w->files[s]);
  }
  return st;
}

static SnStatus freeze_files(SnStWriter *w) {
  /* Shards by size, in declaration order. */
  int32_t shard = 0;
  uint64_t used = 0;
  for (int64_t i = 0; i < w->n; i++) {
    uint64_t bytes = w->decl[i].end;
    if (w->shard_bytes > 0 && used > 0 && used + bytes > (uint64_t)w->shard_bytes) shard++, used = 0;
    w->decl[i].shard = shard;
    used += bytes;
  }
  w->nshards = shard + 1;
  StEntry **order = malloc((size_t)(w->n ? w->n : 1) * sizeof *order);
  w->files = calloc((size_t)w->nshards, sizeof *w->files);
  w->data_start = calloc((size_t)w->nshards, sizeof *w->data_start);
  w->shard_names = calloc((size_t)w->nshards, sizeof *w->shard_names);
  if (!order || !w->files || !w->data_start || !w->shard_names) {
    free(order);
    w->nshards = 0;
    return sn_error_set("%s: out of memory", w->path);
  }
  for (int32_t s = 0; s < w->nshards; s++) w->files[s].fd = -1;
  for (int64_t i = 0; i < w->n; i++) order[i] = &w->decl[i];
  qsort(order, (size_t)w->n, sizeof *order, cmp_decl_layout);
  /* Offsets within each shard. */
  uint64_t pos = 0;
  for (int64_t i = 0; i < w->n; i++) {
    if (i > 0 && order[i]->shard != order[i - 1]->shard) pos = 0;
    uint64_t bytes = order[i]->end;
    order[i]->begin = pos;
    order[i]->end = pos + bytes;
    pos += bytes;
  }
  const char *slash = strrchr(w->path, '/');
  const char *base = slash ? slash + 1 : w->path;
  int dirlen = (int)(base - w->path);
  int stemlen = (int)strlen(base) - (ends_with(base, ".safetensors") ? (int)strlen(".safetensors") : 0);
  SnStatus st = 0;
  int64_t k = 0;
  for (int32_t s = 0; s < w->nshards && !st; s++) {
    char name[4096];
    if (w->nshards == 1) snprintf(name, sizeof name, "%s", base);
    else snprintf(name, sizeof name, "%.*s-%05d-of-%05d.safetensors", stemlen, base, s + 1, w->nshards);
    char full[8192];
    snprintf(full, sizeof full, "%.*s%s", dirlen, w->path, name);
    if (!(w->shard_names[s] = strdup(name))) {
      st = sn_error_set("%s: out of memory", w->path);
      break;
    }
    StrBuf h = {0};
    sb_str(&h, "{");
    if (w->nmeta) {
      sb_str(&h, "\"__metadata__\":{");
      for (int64_t m = 0; m < w->nmeta; m++) {
        if (m) sb_str(&h, ",");
        sb_json(&h, w->meta_keys[m]);
        sb_str(&h, ":");
        sb_json(&h, w->meta_vals[m]);
      }
      sb_str(&h, "}");
    }
    int first = !w->nmeta;
    for (; k < w->n && order[k]->shard == s; k++) {
      const StEntry *e = order[k];
      if (!first) sb_str(&h, ",");
      first = 0;
      sb_json(&h, e->name);
      sb_str(&h, ":{\"dtype\":\"");
      sb_str(&h, st_dtype_name(e->dtype));
      sb_str(&h, "\",\"shape\":[");
      for (int64_t d = 0; d < e->rank; d++) sb_fmt(&h, d ? ",%llu" : "%llu", (unsigned long long)e->shape[d]);
      sb_fmt(&h, "],\"data_offsets\":[%llu", e->begin);
      sb_fmt(&h, ",%llu]}", e->end);
    }
    sb_str(&h, "}");
    /* Pad with spaces so the data starts at a multiple of 8; in a large shard, of a disk's
     * block, so that its tensors of whole blocks are written with O_DIRECT from their memory. */
    uint64_t align = k > 0 && order[k - 1]->shard == s && order[k - 1]->end >= ST_BLOCK_ALIGN_MIN ? ST_BLOCK : 8;
    while (!h.failed && (h.n + 8) % align) sb_str(&h, " ");
    if (h.failed) {
      free(h.p);
      st = sn_error_set("%s: out of memory", w->path);
      break;
    }
    unsigned char len8[8];
    for (int b = 0; b < 8; b++) len8[b] = (unsigned char)((uint64_t)h.n >> (8 * b));
    w->data_start[s] = 8 + h.n;
    st = sn_io_atomic_open(&w->files[s], full);
    if (!st) st = sn_io_atomic_direct(&w->files[s]);
    if (!st) st = sn_io_atomic_write(&w->files[s], len8, 8);
    if (!st) st = sn_io_atomic_write(&w->files[s], h.p, h.n);
    free(h.p);
  }
  free(order);
  return st;
}

SnStatus sn_st_writer_write(SnStWriter *w, const char *name, const SnTensor *t) {
  if (freeze(w)) return 1;
  int64_t i = writer_find(w, name);
  if (i < 0) return sn_error_set("%s: tensor '%s' was not declared", w->path, name);
  StEntry *e = &w->decl[i];
  int same = t->dtype == (int32_t)e->dtype && t->rank == e->rank;
  for (int64_t d = 0; same && d < e->rank; d++) same = t->shape[d] == e->shape[d];
  if (!same) {
    char a[256], b[256];
    shape_text(a, sizeof a, e->rank, e->shape);
    shape_text(b, sizeof b, t->rank, t->shape);
    return sn_error_set("%s: tensor '%s' was declared %s%s but the value written is %s%s", w->path,
                        name, sn_dtype_name(e->dtype), a, sn_dtype_name((SnDtype)t->dtype), b);
  }
  if (e->written) return sn_error_set("%s: tensor '%s' written twice", w->path, name);
  SnTensor *c = NULL;
  if (!sn_tensor_is_contiguous(t) && !(c = sn_tensor_copy(t))) return 1;
  const SnTensor *src = c ? c : t;
  SnStatus st = sn_io_atomic_write_kept(&w->files[e->shard], src->buffer, src->data, e->end - e->begin,
                                        w->data_start[e->shard] + e->begin);
  sn_tensor_release(c);
  if (!st) e->written = 1;
  return st;
}

SnStatus sn_st_writer_close(SnStWriter *w) {
  SnStatus st = freeze(w);
  for (int64_t i = 0; i < w->n && !st; i++)
    if (!w->decl[i].written)
      st = sn_error_set("%s: tensor '%s' was declared but never written", w->path, w->decl[i].name);
  if (st) {
    sn_st_writer_abort(w);
    return st;
  }
  StrBuf idx = {0};
  if (!st && w->nshards > 1) {
    uint64_t total = 0;
    for (int64_t i = 0; i < w->n; i++) total += w->decl[i].end - w->decl[i].begin;
    NameRef *sorted = sorted_names(w->decl, w->n);
    if (!sorted) st = sn_error_set("%s: out of memory", w->path);
    sb_str(&idx, "{\n  \"metadata\": {\n    \"total_size\": ");
    sb_fmt(&idx, "%llu", total);
    sb_str(&idx, "\n  },\n  \"weight_map\": {\n");
    for (int64_t i = 0; sorted && i < w->n; i++) {
      sb_str(&idx, "    ");
      sb_json(&idx, sorted[i].name);
      sb_str(&idx, ": ");
      sb_json(&idx, w->shard_names[w->decl[sorted[i].i].shard]);
      sb_str(&idx, i + 1 < w->n ? ",\n" : "\n");
    }
    sb_str(&idx, "  }\n}\n");
    free(sorted);
    if (idx.failed && !st) st = sn_error_set("%s: out of memory", w->path);
  }
  /* The shards first, the index last: a reader never sees an index naming missing shards. */
  for (int32_t s = 0; s < w->nshards && !st; s++) st = sn_io_atomic_commit(&w->files[s]);
  if (!st && w->nshards > 1) {
    size_t n = strlen(w->path) + sizeof ".index.json";
    char *ipath = malloc(n);
    SnAtomicFile af;
    if (!ipath) st = sn_error_set("%s: out of memory", w->path);
    else snprintf(ipath, n, "%s.index.json", w->path);
    if (!st) st = sn_io_atomic_open(&af, ipath);
    if (!st) {
      st = sn_io_atomic_write(&af, idx.p, idx.n);
      if (st) sn_io_atomic_abort(&af);
      else st = sn_io_atomic_commit(&af);
    }
    free(ipath);
  }
  free(idx.p);
  sn_st_writer_abort(w); /* removes whatever was not committed, frees w */
  return st;
}

SnStatus sn_st_save(const char *path, int64_t n, const char *const *names,
                    const SnTensor *const *tensors, int64_t shard_bytes) {
  SnStWriter *w = sn_st_writer_new(path, shard_bytes);
  if (!w) return 1;
  for (int64_t i = 0; i < n; i++)
    if (sn_st_writer_declare(w, names[i], (SnDtype)tensors[i]->dtype, tensors[i]->rank, tensors[i]->shape)) {
      sn_st_writer_abort(w);
      return 1;
    }
  for (int64_t i = 0; i < n; i++)
    if (sn_st_writer_write(w, names[i], tensors[i])) {
      sn_st_writer_abort(w);
      return 1;
    }
  return sn_st_writer_close(w);
}
