/* stmap.c: the language's `map` over the tensors of checkpoints (docs/language.md, "Mapping
 * over checkpoints"). The inputs (safetensors files or sharded directories) are matched by name:
 * each must hold the same names, each with the same dtype and shape. The compiled program has a
 * loop per (dtype, rank) that occurs; for each tensor it takes the inputs' views of the mapped
 * files, computes the body, writes the result and gives the inputs' pages back, so the memory
 * in use is a few tensors whatever the checkpoint's size. Everything is checked before the
 * first byte is written, and the output is written beside its target and renamed when whole. */
#include "io/rt_io.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Free bytes in malloc's heap from which a map gives them back after a tensor: the free top of
 * the heap that runtime/core/buffer.c lets malloc keep (M_TRIM_THRESHOLD). Tensors of 4 MB and
 * more are mappings of their own, so what is free in the heap is small buffers, which the next
 * tensor allocates again (a TIES merge's positions, rows and histograms, 11 MB of them). */
#define TRIM_MIN ((size_t)64 << 20)

struct SnStMap {
  int64_t n;          /* inputs */
  char **paths;       /* as the program names them */
  SnStFile **files;
  int64_t *index;     /* index[i * count + k]: input i's entry for input 0's tensor k */
  int64_t count;      /* tensors */
  int32_t vocab;      /* SN_VOCAB_*: how the embedding and output matrices' rows are matched */
  int64_t *nrows;     /* with BASE and UNION: each input's vocabulary, its embedding's rows */
  SnVocab *voc;       /* and the output vocabulary */
};

void sn_stmap_close(SnStMap *m) {
  if (!m) return;
  for (int64_t i = 0; i < m->n; i++) {
    free(m->paths[i]);
    sn_st_close(m->files[i]);
  }
  free(m->paths);
  free(m->files);
  free(m->index);
  free(m->nrows);
  snrt_vocab_free(m->voc);
  free(m);
}

/* Is tensor `name` of rank `rank` an embedding or output matrix, one row per token (mergekit's
 * embedding names)? */
static int vocab_tensor(const char *name, int64_t rank) {
  return rank == 2 && (strstr(name, "embed_tokens") || strstr(name, "lm_head"));
}

/* "path" for a checkpoint that is one file, "path (shard)" for a sharded one: where a tensor is. */
static const char *place(char *buf, size_t size, const char *path, const char *file) {
  if (strcmp(path, file) == 0) return path;
  snprintf(buf, size, "%s (%s)", path, file);
  return buf;
}

/* Input i's entry for each tensor of input 0, or a message naming the checkpoint, the file and
 * the tensor at fault. */
static SnStatus match(SnStMap *m, int64_t i, int64_t *bad) {
  SnStFile *a = m->files[0], *b = m->files[i];
  for (int64_t k = 0; k < m->count; k++) {
    const char *name = sn_st_name(a, k);
    int64_t j = sn_st_find(b, name);
    char pa[1024], pb[1024];
    if (j < 0) {
      *bad = i;
      return sn_error_set("tensor '%s' of %s is missing from %s", name,
                          place(pa, sizeof pa, m->paths[0], sn_st_path(a, k)), m->paths[i]);
    }
    SnDtype da, db;
    int64_t ra, rb, sa[SN_MAX_RANK], sb[SN_MAX_RANK];
    sn_st_info(a, k, &da, &ra, sa);
    sn_st_info(b, j, &db, &rb, sb);
    /* with vocab=, an embedding's rows are matched by token */
    int by_token = m->vocab != SN_VOCAB_SAME && vocab_tensor(name, ra);
    int same = da == db && ra == rb;
    for (int64_t d = by_token; same && d < ra; d++) same = sa[d] == sb[d];
    if (!same) {
      char ta[256], tb[256];
      snrt_io_shape_text(ta, sizeof ta, da, ra, sa);
      snrt_io_shape_text(tb, sizeof tb, db, rb, sb);
      *bad = i;
      /* an embedding or output matrix whose rows differ: models of different vocabularies */
      int vocab = da == db && rb == 2 && sa[1] == sb[1] && vocab_tensor(name, ra);
      char words[200] = "";
      if (vocab)
        snprintf(words, sizeof words, " (the vocabularies differ: %lld and %lld tokens; merge models of one tokenizer, "
                 "or save with vocab=\"base\" or vocab=\"union\" to match their rows by token)",
                 (long long)sa[0], (long long)sb[0]);
      return sn_error_set("tensor '%s' is %s in %s but %s in %s%s", name, ta,
                          place(pa, sizeof pa, m->paths[0], sn_st_path(a, k)), tb,
                          place(pb, sizeof pb, m->paths[i], sn_st_path(b, j)), words);
    }
    m->index[i * m->count + k] = j;
  }
  if (sn_st_count(b) != m->count)
    for (int64_t j = 0; j < sn_st_count(b); j++)
      if (sn_st_find(a, sn_st_name(b, j)) < 0) {
        char pb[1024];
        *bad = 0;
        return sn_error_set("tensor '%s' of %s is missing from %s", sn_st_name(b, j),
                            place(pb, sizeof pb, m->paths[i], sn_st_path(b, j)), m->paths[0]);
      }
  return 0;
}

/* With BASE and UNION: each input's vocabulary (the rows of its embedding and output matrices,
 * which must agree) and the output vocabulary from the tokenizers. */
static SnStatus open_vocab(SnStMap *m, int64_t *bad) {
  const char *first = NULL;
  if (!(m->nrows = calloc((size_t)m->n, sizeof *m->nrows))) return sn_error_set("out of memory");
  for (int64_t k = 0; k < m->count; k++) {
    const char *name = sn_st_name(m->files[0], k);
    int64_t rank, shape[SN_MAX_RANK];
    sn_st_info(m->files[0], k, NULL, &rank, NULL);
    if (!vocab_tensor(name, rank)) continue;
    for (int64_t i = 0; i < m->n; i++) {
      sn_st_info(m->files[i], m->index[i * m->count + k], NULL, NULL, shape);
      if (first && shape[0] != m->nrows[i]) {
        *bad = i;
        return sn_error_set("tensor '%s' has %lld rows in %s but '%s' has %lld: a model's embedding and output "
                            "matrices have a row per token of its vocabulary", name, (long long)shape[0],
                            m->paths[i], first, (long long)m->nrows[i]);
      }
      m->nrows[i] = shape[0];
    }
    first = name;
  }
  if (!first)
    return sn_error_set("vocab=\"%s\": the checkpoints have no embedding or output matrix (a 2-D tensor named "
                        "with embed_tokens or lm_head) whose rows are tokens", snrt_vocab_mode_name(m->vocab));
  return (m->voc = snrt_vocab_new(m->vocab, m->n, m->paths, m->nrows)) ? 0 : 1;
}

SnStMap *sn_stmap_open(int64_t n, const char *const *paths, int32_t vocab, int64_t *bad) {
  *bad = -1;
  SnStMap *m = calloc(1, sizeof *m);
  if (m) {
    m->paths = calloc((size_t)n, sizeof *m->paths);
    m->files = calloc((size_t)n, sizeof *m->files);
  }
  if (!m || !m->paths || !m->files) {
    if (m) free(m->paths), free(m->files);
    free(m);
    sn_error_set("out of memory");
    return NULL;
  }
  m->n = n;
  m->vocab = vocab;
  SnStatus st = 0;
  for (int64_t i = 0; i < n && !st; i++) {
    if (!(m->paths[i] = strdup(paths[i]))) st = sn_error_set("out of memory");
    else if (!(m->files[i] = sn_st_open(paths[i]))) st = 1, *bad = i;
  }
  if (!st) {
    m->count = sn_st_count(m->files[0]);
    m->index = calloc((size_t)(n * m->count + 1), sizeof *m->index);
    if (!m->index) st = sn_error_set("out of memory");
    for (int64_t k = 0; k < m->count && !st; k++) m->index[k] = k;
  }
  for (int64_t i = 1; i < n && !st; i++) st = match(m, i, bad);
  if (!st && (vocab == SN_VOCAB_BASE || vocab == SN_VOCAB_UNION)) st = open_vocab(m, bad);
  if (st) {
    sn_stmap_close(m);
    return NULL;
  }
  return m;
}

int64_t sn_stmap_count(const SnStMap *m) { return m->count; }

void sn_stmap_info(const SnStMap *m, int64_t k, int32_t *dtype, int64_t *rank) {
  SnDtype dt;
  sn_st_info(m->files[0], k, &dt, rank, NULL);
  *dtype = dt;
}

static int same_file(const struct stat *a, const struct stat *b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The directory a checkpoint is, or holds its index: an output there would replace its shards. */
static int checkpoint_dir(const char *path, struct stat *st) {
  size_t len = strlen(path);
  if (stat(path, st) == 0 && S_ISDIR(st->st_mode)) return 0;
  if (len < 5 || strcmp(path + len - 5, ".json") != 0) return 1;
  char buf[4096];
  const char *slash = strrchr(path, '/');
  snprintf(buf, sizeof buf, "%.*s", slash ? (int)(slash - path + 1) : 1, slash ? path : ".");
  return stat(buf, st);
}

SnStatus sn_stmap_check_output(const SnStMap *m, const char *out) {
  size_t len = strlen(out);
  int dir = len && out[len - 1] == '/';
  char target[4096];
  snprintf(target, sizeof target, "%s%s", out, dir ? "model.safetensors" : "");
  struct stat so, st, si;
  int have_dir = dir && stat(out, &so) == 0, have_file = stat(target, &st) == 0;
  for (int64_t i = 0; i < m->n; i++) {
    /* an output directory may not be a sharded input's; the output file may not be a file read */
    int same = have_dir && checkpoint_dir(m->paths[i], &si) == 0 && same_file(&si, &so);
    for (int64_t k = 0; have_file && !same && k < m->count; k++)
      same = stat(sn_st_path(m->files[i], m->index[i * m->count + k]), &si) == 0 && same_file(&si, &st);
    if (same)
      return sn_error_set("the output %s is the checkpoint %s that the map reads; write it to another path", out,
                          m->paths[i]);
  }
  return 0;
}

/* --- the compiled program's calls ----------------------------------------------------------- */

/* A group of tensors of one dtype and rank, in the order of input 0's files. */
typedef struct {
  int32_t dtype;
  int64_t rank;
  int64_t n;
  int64_t *tensors;
} MapGroup;

typedef struct SnMapRun {
  char *where;
  int64_t ninputs;
  char **paths;
  int64_t npaths;
  MapGroup *groups;  /* the (dtype, rank) pairs the program was compiled for */
  int64_t ngroups;
  SnStMap *map;
  SnStWriter *writer;
  char *made_dir;     /* the output directory start created, removed again unless the map ends */
  char *out;          /* the output's path */
  char *files_from;   /* a directory whose other files (config, tokenizer) the output gets, or NULL */
  int64_t layers;     /* a passthrough's layers, set in the copied config.json; 0 for a map */
  int32_t vocab;      /* SN_VOCAB_*: save's vocab= */
  int64_t vocab_pad;  /* save's pad_to_multiple_of= (1: none) */
  struct SnMapRun *next; /* the runs not finished, for sn_map_abandon_all */
} SnMapRun;

static pthread_mutex_t runs_lock = PTHREAD_MUTEX_INITIALIZER;
static SnMapRun *runs;

static void run_free(SnMapRun *r) {
  pthread_mutex_lock(&runs_lock);
  for (SnMapRun **l = &runs; *l; l = &(*l)->next)
    if (*l == r) {
      *l = r->next;
      break;
    }
  pthread_mutex_unlock(&runs_lock);
  sn_st_writer_abort(r->writer);
  if (r->made_dir) rmdir(r->made_dir); /* empty once the writer's temporary files are gone */
  free(r->made_dir);
  free(r->out);
  free(r->files_from);
  sn_stmap_close(r->map);
  for (int64_t i = 0; i < r->npaths; i++) free(r->paths[i]);
  for (int64_t g = 0; g < r->ngroups; g++) free(r->groups[g].tensors);
  free(r->paths);
  free(r->groups);
  free(r->where);
  free(r);
}

void sn_map_abandon_all(void) {
  for (;;) {
    pthread_mutex_lock(&runs_lock);
    SnMapRun *r = runs;
    pthread_mutex_unlock(&runs_lock);
    if (!r) return;
    run_free(r);
  }
}

/* Fails the run with the pending message, located, and frees it. */
static SnStatus run_fail(SnMapRun *r) {
  char msg[SN_ERROR_MAX], where[512];
  snprintf(msg, sizeof msg, "%s", sn_error_message());
  snprintf(where, sizeof where, "%s", r->where);
  run_free(r);
  return sn_fail_msg(where, msg);
}

void *sn_map_begin(const char *where, int64_t ninputs) {
  SnMapRun *r = calloc(1, sizeof *r);
  if (r) {
    r->where = strdup(where);
    r->paths = calloc((size_t)ninputs, sizeof *r->paths);
    r->ninputs = ninputs;
  }
  if (!r || !r->where || !r->paths) {
    if (r) free(r->where), free(r->paths);
    free(r);
    sn_fail_msg(where, "out of memory");
    return NULL;
  }
  pthread_mutex_lock(&runs_lock);
  r->next = runs;
  runs = r;
  pthread_mutex_unlock(&runs_lock);
  return r;
}

SnStatus sn_map_input(void *run, const char *path) {
  SnMapRun *r = run;
  if (!(r->paths[r->npaths] = strdup(path))) return sn_error_set("out of memory"), run_fail(r);
  r->npaths++;
  return 0;
}

SnStatus sn_map_accept(void *run, int32_t dtype, int64_t rank) {
  SnMapRun *r = run;
  MapGroup *g = realloc(r->groups, (size_t)(r->ngroups + 1) * sizeof *g);
  if (!g) return sn_error_set("out of memory"), run_fail(r);
  r->groups = g;
  r->groups[r->ngroups++] = (MapGroup){.dtype = dtype, .rank = rank};
  return 0;
}

static MapGroup *group_of(SnMapRun *r, int32_t dtype, int64_t rank) {
  for (int64_t g = 0; g < r->ngroups; g++)
    if (r->groups[g].dtype == dtype && r->groups[g].rank == rank) return &r->groups[g];
  return NULL;
}

static SnStatus open_output(SnMapRun *r, const char *out, int64_t shard_bytes);

/* Opens and matches the inputs, puts each tensor in its group, checks the output's path and
 * declares the output's tensors: after it, only a failure to write can stop the map. */
static SnStatus start(SnMapRun *r, const char *out, int64_t shard_bytes, int32_t out_dtype) {
  int64_t bad;
  if (!(r->map = sn_stmap_open(r->npaths, (const char *const *)r->paths, r->vocab, &bad))) return 1;
  if (r->map->voc && snrt_vocab_pad(r->map->voc, r->vocab_pad)) return 1;
  const SnStFile *f = r->map->files[0];
  for (int64_t k = 0; k < r->map->count; k++) {
    SnDtype dt;
    int64_t rank, shape[SN_MAX_RANK];
    sn_st_info(f, k, &dt, &rank, shape);
    MapGroup *g = group_of(r, dt, rank);
    if (!g) {
      char t[256], p[1024];
      snrt_io_shape_text(t, sizeof t, dt, rank, shape);
      return sn_error_set("tensor '%s' of %s is %s, a dtype and rank the map was not compiled for; compile "
                          "the program with the checkpoints in place, or convert the tensor",
                          sn_st_name(f, k), place(p, sizeof p, r->paths[0], sn_st_path(f, k)), t);
    }
    int64_t *p = realloc(g->tensors, (size_t)(g->n + 1) * sizeof *p);
    if (!p) return sn_error_set("out of memory");
    g->tensors = p;
    g->tensors[g->n++] = k;
  }
  if (open_output(r, out, shard_bytes)) return 1;
  for (int64_t k = 0; k < r->map->count; k++) {
    SnDtype dt;
    int64_t rank, shape[SN_MAX_RANK];
    sn_st_info(f, k, &dt, &rank, shape);
    if (r->map->voc && vocab_tensor(sn_st_name(f, k), rank)) shape[0] = snrt_vocab_rows(r->map->voc);
    if (sn_st_writer_declare(r->writer, sn_st_name(f, k), out_dtype >= 0 ? (SnDtype)out_dtype : dt, rank, shape))
      return 1;
  }
  return 0;
}

/* Checks the output's path against the inputs and files_from, and opens the writer, with the
 * first input's metadata. */
static SnStatus open_output(SnMapRun *r, const char *out, int64_t shard_bytes) {
  const SnStFile *f = r->map->files[0];
  if (sn_stmap_check_output(r->map, out)) return 1;
  struct stat st;
  size_t len = strlen(out);
  if (r->files_from && !(len && out[len - 1] == '/'))
    return sn_error_set("files_from= copies files into a directory, but the output %s is a file", out);
  if (r->map->voc && !(len && out[len - 1] == '/'))
    return sn_error_set("vocab=\"%s\" writes the output's tokenizer.json beside it, but the output %s is a file",
                        snrt_vocab_mode_name(r->vocab), out);
  if (r->files_from && !(stat(r->files_from, &st) == 0 && S_ISDIR(st.st_mode)))
    return sn_error_set("files_from=%s: no such directory", r->files_from);
  if (!(r->out = strdup(out))) return sn_error_set("out of memory");
  if (len && out[len - 1] == '/' && stat(out, &st) != 0 && !(r->made_dir = strdup(out)))
    return sn_error_set("out of memory");
  char *file;
  if (snrt_io_record_target(out, &file, &shard_bytes)) return 1;
  r->writer = sn_st_writer_new(file, shard_bytes);
  free(file);
  if (!r->writer) return 1;
  for (int64_t i = 0; i < sn_st_metadata_count(f); i++) {
    const char *key = sn_st_metadata_key(f, i);
    if (sn_st_writer_metadata(r->writer, key, sn_st_metadata(f, key))) return 1;
  }
  return 0;
}

SnStatus sn_map_start(void *run, const char *out, int64_t shard_bytes, int32_t out_dtype, const char *files_from,
                      int32_t vocab, int64_t vocab_pad) {
  SnMapRun *r = run;
  r->vocab = vocab;
  r->vocab_pad = vocab_pad;
  if (*files_from && !(r->files_from = strdup(files_from))) return sn_error_set("out of memory"), run_fail(r);
  return start(r, out, shard_bytes, out_dtype) ? run_fail(r) : 0;
}

int64_t sn_map_count(void *run, int32_t dtype, int64_t rank) {
  MapGroup *g = group_of(run, dtype, rank);
  return g ? g->n : 0;
}

/* Input i's tensor `tensor` (of input 0's), for snrt_vocab_gather. */
typedef struct {
  SnStMap *m;
  int64_t tensor;
} MapTensorOf;

static SnTensor *input_tensor(void *ctx, int64_t i) {
  MapTensorOf *t = ctx;
  return sn_st_get(t->m->files[i], t->m->index[i * t->m->count + t->tensor]);
}

SnTensor *sn_map_get(void *run, int32_t dtype, int64_t rank, int64_t k, int64_t input) {
  SnMapRun *r = run;
  MapTensorOf t = {r->map, group_of(r, dtype, rank)->tensors[k]};
  SnTensor *v = r->map->voc && vocab_tensor(sn_st_name(r->map->files[0], t.tensor), rank)
                    ? snrt_vocab_gather(r->map->voc, input, input_tensor, &t)
                    : input_tensor(&t, input);
  if (!v) run_fail(r);
  return v;
}

/* --- no NaN or infinity in a result ---------------------------------------------------------
 * A merge that gives NaN or an infinity stops before the tensor is written (and the output is
 * not renamed into place), naming the tensor, the element and the inputs' values there: a NaN
 * in a model, or a recipe that divides by a zero sum of weights, would otherwise go silently
 * into the merged model. A scan of the result on every core, in words, without a branch per
 * element. */

/* Elements of a chunk of the scan, at least. */
#define FINITE_GRAIN (1 << 18)

typedef struct {
  const SnTensor *t;
  int64_t *first; /* per chunk: the first non-finite element, or -1 */
} Finite;

/* Whether element i (of a float dtype, raw bits) is NaN or an infinity. */
static bool bits_nonfinite(const void *data, SnDtype dt, int64_t i) {
  switch (dt) {
  case SN_F16: return (((const uint16_t *)data)[i] & 0x7c00u) == 0x7c00u;
  case SN_BF16: return (((const uint16_t *)data)[i] & 0x7f80u) == 0x7f80u;
  case SN_F32: return (((const uint32_t *)data)[i] & 0x7f800000u) == 0x7f800000u;
  default: return (((const uint64_t *)data)[i] & 0x7ff0000000000000u) == 0x7ff0000000000000u;
  }
}

static int32_t finite_chunk(void *ctx, int64_t c, int64_t lo, int64_t hi) {
  Finite *f = ctx;
  SnDtype dt = (SnDtype)f->t->dtype;
  const void *d = f->t->data;
  bool any = false;
  if (dt == SN_BF16 || dt == SN_F16) {
    const uint16_t *p = d, e = dt == SN_BF16 ? 0x7f80u : 0x7c00u;
    uint16_t all = 0;
    for (int64_t i = lo; i < hi; i++) all |= (uint16_t)((p[i] & e) == e);
    any = all;
  } else if (dt == SN_F32) {
    const uint32_t *p = d;
    uint32_t all = 0;
    for (int64_t i = lo; i < hi; i++) all |= (p[i] & 0x7f800000u) == 0x7f800000u;
    any = all;
  } else {
    for (int64_t i = lo; i < hi && !any; i++) any = bits_nonfinite(d, dt, i);
  }
  f->first[c] = -1;
  for (int64_t i = lo; any && i < hi; i++)
    if (bits_nonfinite(d, dt, i)) {
      f->first[c] = i;
      break;
    }
  return 0;
}

/* The first element of t that is NaN or an infinity, -1 for none, -2 when out of memory (t of a
 * float dtype, contiguous). */
static int64_t first_nonfinite(const SnTensor *t) {
  int64_t n = sn_tensor_numel(t), chunks = sn_parallel_chunks(n, FINITE_GRAIN), found = -1;
  Finite f = {t, malloc((size_t)chunks * sizeof *f.first)};
  if (!f.first) return sn_error_set("out of memory"), -2;
  sn_parallel_for(n, chunks, finite_chunk, &f);
  for (int64_t c = 0; c < chunks && found < 0; c++) found = f.first[c];
  free(f.first);
  return found;
}

/* The message for element `at` of tensor t's result: its index, value and the inputs' values. */
static SnStatus nonfinite_error(SnMapRun *r, int64_t t, const SnTensor *value, int64_t at) {
  SnStMap *m = r->map;
  char idx[256] = "", got[48], list[1024] = "";
  int len = 0;
  for (int64_t d = 0, rest = at, size = sn_tensor_numel(value); d < value->rank; d++) {
    size /= value->shape[d];
    len += snprintf(idx + len, sizeof idx - (size_t)len, "%s%lld", d ? ", " : "[", (long long)(rest / size));
    rest %= size;
  }
  if (value->rank) snprintf(idx + len, sizeof idx - (size_t)len, "]");
  sn_format_f64(got, sn_tensor_get_f64(value, at));
  const char *name = sn_st_name(m->files[0], t);
  len = 0;
  /* the inputs' values there, when the result has their shape (a matrix gathered onto another
   * vocabulary does not) */
  MapTensorOf of = {m, t};
  for (int64_t i = 0; i < m->n && len < (int)sizeof list - 64; i++) {
    SnTensor *x = m->voc && vocab_tensor(name, value->rank) ? NULL : input_tensor(&of, i);
    if (x && sn_tensor_numel(x) == sn_tensor_numel(value)) {
      char v[48];
      sn_format_f64(v, sn_tensor_get_f64(x, at));
      len += snprintf(list + len, sizeof list - (size_t)len, "%s%s %s", i ? ", " : "; the inputs there: ", m->paths[i], v);
    }
    sn_tensor_release(x);
  }
  return sn_error_set("tensor '%s': the merge gives %s%s%s%s; nothing is written (a model holding NaN or an "
                      "infinity, or a recipe that divides by weights that sum to zero)",
                      name, got, value->rank ? " at element " : "", idx, list);
}

SnStatus sn_map_put(void *run, int32_t dtype, int64_t rank, int64_t k, const SnTensor *value) {
  SnMapRun *r = run;
  SnStMap *m = r->map;
  int64_t t = group_of(r, dtype, rank)->tensors[k];
  SnDtype dt = (SnDtype)value->dtype;
  /* a view is copied once, for the scan and the writer both */
  SnTensor *dense = sn_tensor_is_contiguous(value) ? NULL : sn_tensor_copy(value);
  if (!sn_tensor_is_contiguous(value) && !dense) return run_fail(r);
  const SnTensor *v = dense ? dense : value;
  int64_t at = dt == SN_F16 || dt == SN_BF16 || dt == SN_F32 || dt == SN_F64 ? first_nonfinite(v) : -1;
  SnStatus st = at >= 0 ? nonfinite_error(r, t, v, at) : at == -2;
  if (!st) st = sn_st_writer_write(r->writer, sn_st_name(m->files[0], t), v);
  sn_tensor_release(dense);
  if (st) return run_fail(r);
  for (int64_t i = 0; i < m->n; i++) sn_st_drop(m->files[i], m->index[i * m->count + t]);
  /* The previous tensors' results are free now, but malloc keeps free chunks inside its heap
   * resident (huge pages included): without a trim, a few small allocations between them were
   * seen to hold six results' worth of memory. A trim gives back every free page of the heap,
   * which the next tensor's small buffers (a merge's positions and histograms) fault in and the
   * kernel zeroes again, so the heap is trimmed only when that much is free. */
  if (mallinfo2().fordblks >= TRIM_MIN) malloc_trim(0);
  return 0;
}

/* --- the tensor being computed, for a body that depends on its name ------------------------------ */

/* The layer number in a name: its first dot-separated part of digits alone (model.layers.12.mlp
 * -> 12), or -1; [*at, *end) is the part. */
static int64_t layer_part(const char *name, const char **at, const char **end) {
  for (const char *p = name; *p;) {
    const char *e = p;
    while (*e >= '0' && *e <= '9') e++;
    if (e > p && (*e == '.' || !*e) && e - p < 10) {
      *at = p;
      *end = e;
      return strtoll(p, NULL, 10);
    }
    p = strchr(p, '.');
    if (!p) break;
    p++;
  }
  return -1;
}

/* The layer number in a name, or -1. */
static int64_t layer_of(const char *name) {
  const char *at, *end;
  return layer_part(name, &at, &end);
}

static const char *name_of(SnMapRun *r, int32_t dtype, int64_t rank, int64_t k) {
  return sn_st_name(r->map->files[0], group_of(r, dtype, rank)->tensors[k]);
}

int64_t sn_map_layer(void *run, int32_t dtype, int64_t rank, int64_t k) {
  return layer_of(name_of(run, dtype, rank, k));
}

int64_t sn_map_layers(void *run) {
  SnMapRun *r = run;
  int64_t most = -1;
  for (int64_t t = 0; t < r->map->count; t++) {
    int64_t l = layer_of(sn_st_name(r->map->files[0], t));
    if (l > most) most = l;
  }
  return most + 1;
}

int64_t sn_map_id(void *run, int32_t dtype, int64_t rank, int64_t k) {
  return group_of(run, dtype, rank)->tensors[k];
}

int64_t sn_map_has(void *run, int32_t dtype, int64_t rank, int64_t k, const char *text) {
  return strstr(name_of(run, dtype, rank, k), text) != NULL;
}

/* --- files_from: the base model's config and tokenizer beside the merged weights ----------------- */

/* Is `name` in a checkpoint directory one of its weights (a safetensors file or their index)? */
static int weights_file(const char *name) {
  size_t n = strlen(name);
  return (n >= 12 && strcmp(name + n - 12, ".safetensors") == 0) || strcmp(name, "model.safetensors.index.json") == 0;
}

/* config.json from `from` to path with `key` set to `value` (num_hidden_layers for a passthrough's
 * deeper model, vocab_size for vocab="union"); copied as it is when it has no such number. */
static SnStatus copy_config(const char *from, const char *path, const char *key, int64_t value) {
  FILE *in = fopen(from, "rb");
  long size = in && fseek(in, 0, SEEK_END) == 0 ? ftell(in) : -1;
  size_t n = size > 0 ? (size_t)size : 0;
  char *text = size >= 0 && fseek(in, 0, SEEK_SET) == 0 ? malloc(n + 1) : NULL;
  if (text && fread(text, 1, n, in) != n) free(text), text = NULL;
  if (in) fclose(in);
  cJSON *root = text ? cJSON_ParseWithLength(text, n) : NULL;
  cJSON *num = root ? cJSON_GetObjectItemCaseSensitive(root, key) : NULL;
  char *out = num && cJSON_IsNumber(num) ? (cJSON_SetNumberValue(num, (double)value), cJSON_Print(root)) : NULL;
  FILE *f = fopen(path, "wb");
  const char *body = out ? out : text;
  size_t len = out ? strlen(out) : n;
  int bad = !text || !f || fwrite(body, 1, len, f) != len;
  if (f && fclose(f)) bad = 1;
  cJSON_free(out);
  cJSON_Delete(root);
  free(text);
  return bad ? sn_error_set("files_from: cannot copy %s to %s", from, path) : 0;
}

/* Copies from/name to path; 0, or 1 with a message. */
static SnStatus copy_file(const char *from, const char *path) {
  FILE *in = fopen(from, "rb"), *out = in ? fopen(path, "wb") : NULL;
  char buf[1 << 16];
  size_t n;
  int bad = !in || !out;
  while (!bad && (n = fread(buf, 1, sizeof buf, in)) > 0) bad = fwrite(buf, 1, n, out) != n;
  bad |= in && ferror(in);
  if (in) fclose(in);
  if (out && fclose(out)) bad = 1;
  return bad ? sn_error_set("files_from: cannot copy %s to %s", from, path) : 0;
}

/* Adds `name` to the files the output directory gets (names[k] <- tmps[k]): *tmp, its temporary
 * path, is where to write it. */
static SnStatus add_file(SnMapRun *r, const char *name, char ***names, char ***tmps, int64_t *n, const char **tmp) {
  char to[4096], t[4096];
  snprintf(to, sizeof to, "%s%s", r->out, name);
  snprintf(t, sizeof t, "%s.%s.tmp-%d", r->out, name, (int)getpid());
  char **nn = realloc(*names, (size_t)(*n + 1) * sizeof *nn), **tt = nn ? realloc(*tmps, (size_t)(*n + 1) * sizeof *tt) : NULL;
  if (nn) *names = nn;
  if (tt) *tmps = tt;
  if (!nn || !tt || !((*names)[*n] = strdup(to)) || !((*tmps)[*n] = strdup(t))) {
    if (nn && tt) free((*names)[*n]);
    return sn_error_set("out of memory");
  }
  *tmp = (*tmps)[(*n)++];
  return 0;
}

/* The files of r->files_from other than weights (config.json, tokenizer.json, ...) and, with
 * vocab=, the output vocabulary's tokenizer.json (the base's, or the union's) in place of
 * files_from's, written into the output directory under temporary names. */
static SnStatus copy_files(SnMapRun *r, char ***names, char ***tmps, int64_t *n) {
  DIR *d = r->files_from ? opendir(r->files_from) : NULL;
  if (r->files_from && !d) return sn_error_set("files_from=%s: cannot read the directory", r->files_from);
  SnVocab *voc = r->map->voc;
  int64_t value = r->layers ? r->layers : voc ? snrt_vocab_rows(voc) : 0;
  const char *key = r->layers                                    ? "num_hidden_layers"
                    : r->vocab == SN_VOCAB_UNION || r->vocab_pad > 1 ? "vocab_size"
                                                                     : NULL,
             *tmp;
  SnStatus st = 0;
  for (struct dirent *e; d && !st && (e = readdir(d));) {
    char from[4096];
    struct stat info;
    snprintf(from, sizeof from, "%s/%s", r->files_from, e->d_name);
    if (e->d_name[0] == '.' || weights_file(e->d_name) || stat(from, &info) != 0 || !S_ISREG(info.st_mode) ||
        (voc && strcmp(e->d_name, "tokenizer.json") == 0))
      continue;
    if (!(st = add_file(r, e->d_name, names, tmps, n, &tmp)))
      st = key && strcmp(e->d_name, "config.json") == 0 ? copy_config(from, tmp, key, value) : copy_file(from, tmp);
  }
  if (d) closedir(d);
  if (voc && !st && !(st = add_file(r, "tokenizer.json", names, tmps, n, &tmp))) {
    char from[4096];
    snrt_vocab_tokenizer_path(from, sizeof from, r->paths[0]);
    st = r->vocab == SN_VOCAB_UNION ? snrt_vocab_write_tokenizer(voc, r->paths[0], tmp) : copy_file(from, tmp);
  }
  return st;
}

SnStatus sn_map_end(void *run) {
  SnMapRun *r = run;
  char **names = NULL, **tmps = NULL;
  int64_t ncopies = 0;
  SnStatus st = r->files_from || r->map->voc ? copy_files(r, &names, &tmps, &ncopies) : 0;
  SnStWriter *w = r->writer;
  r->writer = NULL;
  if (!st) st = sn_st_writer_close(w);
  else sn_st_writer_abort(w);
  for (int64_t k = 0; k < ncopies; k++) {
    if (!st && rename(tmps[k], names[k]) != 0) st = sn_error_set("files_from: cannot rename %s to %s", tmps[k], names[k]);
    unlink(tmps[k]);
    free(tmps[k]);
    free(names[k]);
  }
  free(tmps);
  free(names);
  if (st) return run_fail(r);
  free(r->made_dir);
  r->made_dir = NULL;
  run_free(r);
  return 0;
}

/* --- passthrough: a deeper model stacked from ranges of layers ----------------------------------
 * mergekit's passthrough with slices. `slices` is "a/[0:16] b/[8:24]": checkpoints, each with a
 * range of its layers (the end excluded, as mergekit's layer_range); the output has layers 0 to
 * 15 of a/ then 8 to 23 of b/, renumbered 0 to 31, and the tensors of no layer (embeddings, final
 * norm, output matrix) of the first slice's checkpoint. Tensors are copied as they are, one at a
 * time from the mapped inputs; files_from's config.json gets the new num_hidden_layers. */

typedef struct {
  int64_t input, tensor; /* which slice's checkpoint, and its tensor */
  char *name;            /* in the output */
} PassTensor;

typedef struct {
  PassTensor *t;
  int64_t n, cap;
} PassPlan;

static SnStatus plan_add(PassPlan *p, int64_t input, int64_t tensor, char *name) {
  if (p->n == p->cap) {
    int64_t cap = p->cap ? 2 * p->cap : 64;
    PassTensor *t = name ? realloc(p->t, (size_t)cap * sizeof *t) : NULL;
    if (!t) {
      free(name);
      return sn_error_set("out of memory");
    }
    p->t = t;
    p->cap = cap;
  }
  p->t[p->n++] = (PassTensor){input, tensor, name};
  return 0;
}

/* The slices' layers in order, renumbered from 0: lo[i] to hi[i] - 1 of checkpoint i. */
static SnStatus plan_layers(PassPlan *p, SnStMap *m, const int64_t *lo, const int64_t *hi) {
  int64_t next = 0;
  for (int64_t i = 0; i < m->n; i++)
    for (int64_t l = lo[i]; l < hi[i]; l++, next++)
      for (int64_t k = 0; k < sn_st_count(m->files[i]); k++) {
        const char *name = sn_st_name(m->files[i], k), *at = name, *end = name;
        if (layer_part(name, &at, &end) != l) continue;
        size_t size = strlen(name) + 24;
        char *renamed = malloc(size);
        if (renamed) snprintf(renamed, size, "%.*s%lld%s", (int)(at - name), name, (long long)next, end);
        if (plan_add(p, i, k, renamed)) return 1;
      }
  return 0;
}

/* Parses "path[lo:hi] ..." into the run's inputs and the ranges (*n of them). */
static SnStatus parse_slices(SnMapRun *r, const char *slices, int64_t *lo, int64_t *hi) {
  for (const char *p = slices; *p;) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if (e == p) break;
    const char *open = e - 1;
    while (open > p && *open != '[') open--;
    long long a, b;
    int used = 0;
    if (open == p || e[-1] != ']' || sscanf(open, "[%lld:%lld]%n", &a, &b, &used) != 2 || open + used != e)
      return sn_error_set("passthrough: a slice is a checkpoint and a range of its layers, as \"a/[0:16]\", not \"%.*s\"",
                          (int)(e - p), p);
    if (!(r->paths[r->npaths] = strndup(p, (size_t)(open - p)))) return sn_error_set("out of memory");
    lo[r->npaths] = a;
    hi[r->npaths++] = b;
    p = e;
  }
  return r->npaths ? 0 : sn_error_set("passthrough: no slices given; write them as \"a/[0:16] b/[8:24]\"");
}

/* Opens the slices' checkpoints (not matched: they may differ in depth) and checks the ranges. */
static SnStatus open_slices(SnMapRun *r, const int64_t *lo, const int64_t *hi) {
  SnStMap *m = r->map = calloc(1, sizeof *m);
  if (m) {
    m->paths = calloc((size_t)r->npaths, sizeof *m->paths);
    m->files = calloc((size_t)r->npaths, sizeof *m->files);
  }
  if (!m || !m->paths || !m->files) return sn_error_set("out of memory");
  for (int64_t i = 0; i < r->npaths; i++) {
    m->n++;
    if (!(m->paths[i] = strdup(r->paths[i]))) return sn_error_set("out of memory");
    if (!(m->files[i] = sn_st_open(r->paths[i]))) return 1;
    int64_t layers = 0;
    for (int64_t k = 0; k < sn_st_count(m->files[i]); k++) {
      int64_t l = layer_of(sn_st_name(m->files[i], k));
      if (l + 1 > layers) layers = l + 1;
    }
    if (lo[i] < 0 || lo[i] >= hi[i] || hi[i] > layers)
      return sn_error_set("passthrough: [%lld:%lld] is not a range of the layers of %s, which has %lld (0 to %lld)",
                          (long long)lo[i], (long long)hi[i], r->paths[i], (long long)layers, (long long)layers - 1);
  }
  return 0;
}

/* The plan: the first checkpoint's tensors of no layer in its order, the slices' layers where
 * its first layer was. */
static SnStatus plan(PassPlan *p, SnStMap *m, const int64_t *lo, const int64_t *hi) {
  bool stacked = false;
  for (int64_t k = 0; k < sn_st_count(m->files[0]); k++) {
    const char *name = sn_st_name(m->files[0], k);
    if (layer_of(name) >= 0) {
      if (!stacked && plan_layers(p, m, lo, hi)) return 1;
      stacked = true;
    } else if (plan_add(p, 0, k, strdup(name))) {
      return 1;
    }
  }
  return 0;
}

static SnStatus passthrough(SnMapRun *r, const char *slices, int64_t most, const char *out, int64_t shard_bytes,
                            PassPlan *p) {
  int64_t *lo = calloc((size_t)most, sizeof *lo), *hi = calloc((size_t)most, sizeof *hi);
  SnStatus st = !lo || !hi ? sn_error_set("out of memory") : parse_slices(r, slices, lo, hi);
  if (!st) st = open_slices(r, lo, hi);
  if (!st) st = plan(p, r->map, lo, hi);
  for (int64_t i = 0; !st && i < r->npaths; i++) r->layers += hi[i] - lo[i];
  free(lo);
  free(hi);
  if (!st) st = open_output(r, out, shard_bytes);
  for (int64_t j = 0; !st && j < p->n; j++) {
    SnDtype dt;
    int64_t rank, shape[SN_MAX_RANK];
    sn_st_info(r->map->files[p->t[j].input], p->t[j].tensor, &dt, &rank, shape);
    st = sn_st_writer_declare(r->writer, p->t[j].name, dt, rank, shape);
  }
  for (int64_t j = 0; !st && j < p->n; j++) {
    const SnStFile *f = r->map->files[p->t[j].input];
    SnTensor *t = sn_st_get(f, p->t[j].tensor);
    st = !t || sn_st_writer_write(r->writer, p->t[j].name, t);
    sn_tensor_release(t);
    sn_st_drop(f, p->t[j].tensor);
  }
  return st;
}

SnStatus sn_passthrough(const char *where, const char *slices, const char *out, int64_t shard_bytes,
                        const char *files_from) {
  int64_t most = 1; /* slices: each has a ']' */
  for (const char *c = slices; *c; c++) most += *c == ']';
  SnMapRun *r = sn_map_begin(where, most);
  if (!r) return 1;
  if (*files_from && !(r->files_from = strdup(files_from))) return sn_error_set("out of memory"), run_fail(r);
  PassPlan p = {0};
  SnStatus st = passthrough(r, slices, most, out, shard_bytes, &p);
  for (int64_t j = 0; j < p.n; j++) free(p.t[j].name);
  free(p.t);
  return st ? run_fail(r) : sn_map_end(r);
}
