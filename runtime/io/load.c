/* load.c: the language's load() and save(): files in, checked against the types the program
 * was compiled for, and tensors out, written atomically and never over one of the program's
 * inputs. The format follows the name: .npy for one tensor; .safetensors, a sharded model's
 * index .json or a directory for a record of tensors; .csv through load_csv. */
#include "io/rt_io.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p: every missing directory of `dir` (a path ending in '/'). */
static SnStatus make_dirs(const char *dir) {
  char buf[4096];
  size_t n = strlen(dir);
  if (n >= sizeof buf) return sn_error_set("%s: path too long", dir);
  memcpy(buf, dir, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != 0) continue;
    char c = buf[i];
    buf[i] = 0;
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return sn_error_set("%s: cannot create the directory: %s", buf, strerror(errno));
    buf[i] = c;
  }
  return 0;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A tensor from a file must have the dtype and rank the program was compiled for (its sizes are
 * checked by the program against the declared type); views of a file become row-major. */
static SnTensor *checked(const char *where, const char *what, SnTensor *t, int32_t dtype, int64_t rank) {
  if (!t) {
    char msg[SN_ERROR_MAX];
    snprintf(msg, sizeof msg, "%s", sn_error_message());
    sn_fail_msg(where, msg);
    return NULL;
  }
  if (t->dtype != dtype || t->rank != rank) {
    char got[256];
    snrt_io_shape_text(got, sizeof got, (SnDtype)t->dtype, t->rank, t->shape);
    sn_tensor_release(t);
    char msg[SN_ERROR_MAX];
    snprintf(msg, sizeof msg, "%s: expected %s with %lld dimension%s, the file has %s", what,
             sn_dtype_name((SnDtype)dtype), (long long)rank, rank == 1 ? "" : "s", got);
    sn_fail_msg(where, msg);
    return NULL;
  }
  SnTensor *c = sn_tensor_contiguous(t);
  sn_tensor_release(t);
  return c;
}

/* --- safetensors files stay open between the loads of their tensors -------------------------
 * A cache keyed by path, under a lock, so that threads may load at once and files read in turn
 * (a model and its gradients, a checkpoint's shards) are each mapped once. A load holds its
 * entry while it takes a tensor; sn_load_close (sn_run_cleanup, at the end of a run) closes
 * every entry, one in use when its last load is done. Past SN_LOAD_OPEN_MAX entries, the least
 * recently used one not in use is closed: a program that reads thousands of files keeps
 * neither their mappings nor their parsed headers. */
#define SN_LOAD_OPEN_MAX 64

typedef struct OpenFile {
  char *path;
  SnStFile *file;
  int64_t users;          /* loads using it now */
  uint64_t used;          /* when it was last taken, by open_clock */
  int closed;             /* out of the cache: the last user closes it */
  struct OpenFile *next;  /* the cache, in no order */
} OpenFile;

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static OpenFile *open_files;
static int64_t open_count;
static uint64_t open_clock;

static void open_free(OpenFile *e) {
  sn_st_close(e->file);
  free(e->path);
  free(e);
}

/* Unlinks e from the cache (open_lock held); it is freed now if unused, else by its last user. */
static void open_drop(OpenFile **link) {
  OpenFile *e = *link;
  *link = e->next;
  open_count--;
  if (e->users == 0) open_free(e);
  else e->closed = 1;
}

/* The cached entry of path with one more user (open_lock held), or NULL. */
static OpenFile *open_find(const char *path) {
  for (OpenFile *e = open_files; e; e = e->next)
    if (strcmp(e->path, path) == 0) {
      e->users++;
      e->used = ++open_clock;
      return e;
    }
  return NULL;
}

/* The open file of path, with a use counted: give it back with st_release. The file is opened
 * outside the lock (parsing a sharded model's index takes a while); of two threads that open
 * the same path at once, the second closes its copy and uses the first's. */
static OpenFile *st_acquire(const char *path) {
  pthread_mutex_lock(&open_lock);
  OpenFile *e = open_find(path);
  pthread_mutex_unlock(&open_lock);
  if (e) return e;
  SnStFile *f = sn_st_open(path);
  if (!f) return NULL;
  OpenFile *n = calloc(1, sizeof *n);
  char *p = n ? strdup(path) : NULL;
  if (!p) {
    free(n);
    sn_st_close(f);
    sn_error_set("out of memory");
    return NULL;
  }
  pthread_mutex_lock(&open_lock);
  if ((e = open_find(path))) {
    pthread_mutex_unlock(&open_lock);
    free(p);
    free(n);
    sn_st_close(f);
    return e;
  }
  *n = (OpenFile){.path = p, .file = f, .users = 1, .used = ++open_clock, .next = open_files};
  open_files = n;
  open_count++;
  while (open_count > SN_LOAD_OPEN_MAX) {
    OpenFile **oldest = NULL;
    for (OpenFile **l = &open_files; *l; l = &(*l)->next)
      if ((*l)->users == 0 && (!oldest || (*l)->used < (*oldest)->used)) oldest = l;
    if (!oldest) break; /* every one in use: a later open trims the cache */
    open_drop(oldest);
  }
  pthread_mutex_unlock(&open_lock);
  return n;
}

static void st_release(OpenFile *e) {
  pthread_mutex_lock(&open_lock);
  int last = --e->users == 0 && e->closed;
  pthread_mutex_unlock(&open_lock);
  if (last) open_free(e);
}

void sn_load_close(void) {
  pthread_mutex_lock(&open_lock);
  while (open_files) open_drop(&open_files);
  pthread_mutex_unlock(&open_lock);
}

SnTensor *sn_load_tensor(const char *where, const char *path, int32_t dtype, int64_t rank) {
  SnTensor *t = NULL;
  if (ends_with(path, ".npy")) {
    t = sn_npy_read(path);
  } else {
    OpenFile *e = st_acquire(path);
    if (e && sn_st_count(e->file) != 1)
      sn_error_set("%s holds %lld tensors; load it as a record (let m = load(...), then m[\"name\"])", path,
                   (long long)sn_st_count(e->file));
    else if (e)
      t = sn_st_get(e->file, 0);
    if (e) st_release(e);
  }
  return checked(where, path, t, dtype, rank);
}

SnTensor *sn_load_named(const char *where, const char *path, const char *name, int32_t dtype, int64_t rank) {
  OpenFile *e = st_acquire(path);
  SnTensor *t = e ? sn_st_get_named(e->file, name) : NULL;
  if (e) st_release(e);
  char what[512];
  snprintf(what, sizeof what, "%s: tensor \"%s\"", path, name);
  return checked(where, what, t, dtype, rank);
}

SnStatus snrt_io_fail_where(const char *where) {
  char msg[SN_ERROR_MAX];
  snprintf(msg, sizeof msg, "%s", sn_error_message());
  return sn_fail_msg(where, msg);
}

/* --- checkpoints read against a template: load(path, like=...) -------------------------------- */

/* Whether `names` (one per line) has the line `name`. */
static bool names_has(const char *names, const char *name) {
  size_t n = strlen(name);
  for (const char *p = names; *p;) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && strncmp(p, name, n) == 0) return true;
    p += len + (end != NULL);
  }
  return false;
}

SnStatus sn_load_names(const char *where, const char *path, const char *names) {
  OpenFile *e = st_acquire(path);
  if (!e) return snrt_io_fail_where(where);
  SnStatus st = 0;
  char name[512];
  for (const char *p = names; *p && !st;) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    snprintf(name, sizeof name, "%.*s", (int)len, p);
    if (sn_st_find(e->file, name) < 0)
      st = sn_error_set("%s: the checkpoint has no tensor \"%s\", which the template has; was it written by another "
                        "model or optimizer?", path, name);
    p += len + (end != NULL);
  }
  for (int64_t i = 0; i < sn_st_count(e->file) && !st; i++)
    if (!names_has(names, sn_st_name(e->file, i)))
      st = sn_error_set("%s: the checkpoint has a tensor \"%s\" that the template lacks; was it written by another "
                        "model or optimizer?", path, sn_st_name(e->file, i));
  st_release(e);
  return st ? snrt_io_fail_where(where) : 0;
}

SnTensor *sn_load_like(const char *where, const char *path, const char *name, int32_t dtype, int64_t rank,
                       const int64_t *shape) {
  OpenFile *e = st_acquire(path);
  SnTensor *t = e ? sn_st_get_named(e->file, name) : NULL;
  if (e) st_release(e);
  if (!t) {
    snrt_io_fail_where(where);
    return NULL;
  }
  int same = t->dtype == dtype && t->rank == rank;
  for (int64_t d = 0; same && d < rank; d++) same = t->shape[d] == shape[d];
  if (!same) {
    char got[256], want[256], msg[SN_ERROR_MAX];
    snrt_io_shape_text(got, sizeof got, (SnDtype)t->dtype, t->rank, t->shape);
    snrt_io_shape_text(want, sizeof want, (SnDtype)dtype, rank, shape);
    sn_tensor_release(t);
    snprintf(msg, sizeof msg, "%s: tensor \"%s\" is %s in the checkpoint, but the template has %s", path, name, got, want);
    sn_fail_msg(where, msg);
    return NULL;
  }
  SnTensor *c = sn_tensor_contiguous(t);
  sn_tensor_release(t);
  return c;
}

/* --- CSV: one read gives both parts ------------------------------------------------------------ */

SnResult *sn_load_csv(const char *where, const char *path, const char *label, int32_t dtype, int32_t ydtype,
                      int32_t delimiter, int32_t header) {
  SnCsvSpec spec = {.label = *label ? label : NULL, .dtype = dtype, .delimiter = (char)delimiter, .header = header};
  SnCsvData csv = {0};
  if (sn_csv_read(path, &spec, &csv)) return sn_result_failed(where, NULL);
  if (*label && csv.y->dtype != ydtype) {
    sn_error_set("%s: the label column %s holds %s values now, but %s when the program was compiled", path,
                 csv.label_name ? csv.label_name : "", sn_dtype_name((SnDtype)csv.y->dtype),
                 sn_dtype_name((SnDtype)ydtype));
    sn_csv_free(&csv);
    return sn_result_failed(where, NULL);
  }
  static const char *const names[] = {"x", "y"};
  SnTensor *parts[2] = {csv.x, csv.y};
  sn_tensor_retain(csv.x);
  if (*label) sn_tensor_retain(csv.y);
  sn_csv_free(&csv);
  return sn_result_of_tensors(where, *label ? 2 : 1, names, parts);
}

/* --- saving ---------------------------------------------------------------------------------- */

SnStatus sn_save_tensor(const char *where, const char *path, const SnTensor *t) {
  SnStatus st;
  if (ends_with(path, ".npy")) {
    st = sn_npy_write(path, t);
  } else if (ends_with(path, ".safetensors")) {
    const char *name = "tensor";
    st = sn_st_save(path, 1, &name, &t, 0);
  } else {
    st = sn_error_set("%s: save writes .npy or .safetensors files (a record goes to .safetensors or a directory)", path);
  }
  return st ? snrt_io_fail_where(where) : 0;
}

/* A record is saved field by field: the writer collects them, then writes one file (or, for a
 * path ending in '/', a directory of shards with an index). */
#define SN_SAVE_SHARD_BYTES (5ll << 30) /* Hugging Face's default shard size */

typedef struct SnSaver {
  char *where, *path;
  int64_t n, cap;
  char **names;
  SnTensor **tensors;
} SnSaver;

void *sn_save_begin(const char *where, const char *path) {
  SnSaver *s = calloc(1, sizeof *s);
  if (s) {
    s->where = strdup(where);
    s->path = strdup(path);
  }
  if (!s || !s->where || !s->path) {
    if (s) free(s->where), free(s->path);
    free(s);
    sn_fail_msg(where, "out of memory");
    return NULL;
  }
  return s;
}

static void saver_free(SnSaver *s) {
  for (int64_t i = 0; i < s->n; i++) {
    free(s->names[i]);
    sn_tensor_release(s->tensors[i]);
  }
  free(s->names);
  free(s->tensors);
  free(s->where);
  free(s->path);
  free(s);
}

SnStatus sn_save_add(void *saver, const char *name, SnTensor *t) {
  SnSaver *s = saver;
  if (s->n == s->cap) {
    int64_t cap = s->cap ? s->cap * 2 : 16;
    char **names = realloc(s->names, (size_t)cap * sizeof *names);
    if (names) s->names = names;
    SnTensor **ts = names ? realloc(s->tensors, (size_t)cap * sizeof *ts) : NULL;
    if (ts) s->tensors = ts;
    if (!names || !ts) {
      SnStatus st = sn_fail_msg(s->where, "out of memory");
      saver_free(s);
      return st;
    }
    s->cap = cap;
  }
  s->names[s->n] = strdup(name);
  if (!s->names[s->n]) {
    SnStatus st = sn_fail_msg(s->where, "out of memory");
    saver_free(s);
    return st;
  }
  sn_tensor_retain(t);
  s->tensors[s->n++] = t;
  return 0;
}

SnStatus snrt_io_record_target(const char *path, char **file, int64_t *shard_bytes) {
  size_t len = strlen(path);
  *file = NULL;
  if (len && path[len - 1] == '/') {
    if (!(*file = malloc(len + 32))) return sn_error_set("out of memory");
    snprintf(*file, len + 32, "%smodel.safetensors", path);
    if (*shard_bytes <= 0) *shard_bytes = SN_SAVE_SHARD_BYTES;
    if (!make_dirs(path)) return 0;
  } else if (ends_with(path, ".safetensors")) {
    if ((*file = strdup(path))) return 0;
    sn_error_set("out of memory");
  } else {
    sn_error_set("%s: a record is saved to a .safetensors file or a directory (a path ending in /)", path);
  }
  free(*file);
  *file = NULL;
  return 1;
}

SnStatus sn_save_end(void *saver) {
  SnSaver *s = saver;
  char *file;
  int64_t shard_bytes = 0;
  SnStatus st = snrt_io_record_target(s->path, &file, &shard_bytes);
  if (!st) st = sn_st_save(file, s->n, (const char *const *)s->names, (const SnTensor *const *)s->tensors, shard_bytes);
  free(file);
  if (st) st = snrt_io_fail_where(s->where);
  saver_free(s);
  return st;
}

/* --- IDX: the file's dimensions, or its trailing ones flattened into the last of `rank` -------- */

SnStatus sn_idx_fold(int64_t file_rank, const int64_t *file_shape, int64_t rank, int64_t *shape) {
  if (rank < 1 || rank > file_rank) return 1;
  memcpy(shape, file_shape, (size_t)rank * sizeof *shape);
  for (int64_t d = rank; d < file_rank; d++) shape[rank - 1] *= file_shape[d];
  return 0;
}

SnTensor *sn_load_idx(const char *where, const char *path, int32_t dtype, int64_t rank, const int64_t *expected) {
  SnTensor *t = sn_idx_read(path, (SnDtype)dtype);
  if (!t) {
    snrt_io_fail_where(where);
    return NULL;
  }
  int64_t shape[SN_MAX_RANK];
  bool ok = !sn_idx_fold(t->rank, t->shape, rank, shape);
  for (int64_t d = 0; ok && d < rank; d++) ok = expected[d] < 0 || expected[d] == shape[d];
  if (!ok) {
    char want[256], got[256];
    int k = snprintf(want, sizeof want, "%s[", sn_dtype_name((SnDtype)dtype));
    for (int64_t d = 0; d < rank && k < (int)sizeof want - 24; d++)
      k += expected[d] < 0 ? snprintf(want + k, sizeof want - (size_t)k, "%s_", d ? ", " : "")
                           : snprintf(want + k, sizeof want - (size_t)k, "%s%lld", d ? ", " : "", (long long)expected[d]);
    snprintf(want + k, sizeof want - (size_t)k, "]");
    snrt_io_shape_text(got, sizeof got, (SnDtype)dtype, t->rank, t->shape);
    sn_tensor_release(t);
    char msg[SN_ERROR_MAX];
    snprintf(msg, sizeof msg, "%s: expected %s, the file holds %s", path, want, got);
    sn_fail_msg(where, msg);
    return NULL;
  }
  if (rank == t->rank) return t;
  SnTensor *r = sn_tensor_reshape(t, rank, shape);
  sn_tensor_release(t);
  if (!r) snrt_io_fail_where(where);
  return r;
}

/* --- what the compiler reads of a file ------------------------------------------------------- */

SnStatus sn_load_describe(const char *path, SnFileInfo *info) {
  memset(info, 0, sizeof *info);
  if (ends_with(path, ".npy")) {
    info->record = 0;
    info->n = 1;
    info->names = calloc(1, sizeof *info->names);
    info->dtypes = calloc(1, sizeof *info->dtypes);
    info->ranks = calloc(1, sizeof *info->ranks);
    if (!info->names || !info->dtypes || !info->ranks) {
      sn_file_info_free(info);
      return sn_error_set("out of memory");
    }
    SnDtype dt;
    int64_t shape[SN_MAX_RANK];
    if (sn_npy_info(path, &dt, &info->ranks[0], shape)) {
      sn_file_info_free(info);
      return 1;
    }
    info->dtypes[0] = dt;
    return 0;
  }
  SnStFile *f = sn_st_open(path);
  if (!f) return 1;
  int64_t n = sn_st_count(f);
  info->record = 1;
  info->n = n;
  info->names = calloc((size_t)(n ? n : 1), sizeof *info->names);
  info->dtypes = calloc((size_t)(n ? n : 1), sizeof *info->dtypes);
  info->ranks = calloc((size_t)(n ? n : 1), sizeof *info->ranks);
  SnStatus st = !info->names || !info->dtypes || !info->ranks ? sn_error_set("out of memory") : 0;
  for (int64_t i = 0; i < n && !st; i++) {
    SnDtype dt;
    int64_t shape[SN_MAX_RANK];
    st = sn_st_info(f, i, &dt, &info->ranks[i], shape);
    info->dtypes[i] = dt;
    if (!st && !(info->names[i] = strdup(sn_st_name(f, i)))) st = sn_error_set("out of memory");
  }
  sn_st_close(f);
  if (st) sn_file_info_free(info);
  return st;
}

void sn_file_info_free(SnFileInfo *info) {
  for (int64_t i = 0; info->names && i < info->n; i++) free(info->names[i]);
  free(info->names);
  free(info->dtypes);
  free(info->ranks);
  memset(info, 0, sizeof *info);
}
