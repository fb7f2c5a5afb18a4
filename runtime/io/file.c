/* file.c: what every file format shares: mapping an input file, the registry of the
 * program's inputs (by device and inode, so another name for the same file is caught), atomic
 * writes through a temporary file and rename, UTF-8 validation, and shapes as messages show them. */
#include "io/rt_io.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
  dev_t dev;
  ino_t ino;
} FileId;

static pthread_mutex_t inputs_lock = PTHREAD_MUTEX_INITIALIZER;
static FileId *inputs;
static size_t ninputs, capinputs;
static unsigned long tmp_counter;

SnStatus snrt_io_add_input_stat(const struct stat *st, const char *path) {
  pthread_mutex_lock(&inputs_lock);
  for (size_t i = 0; i < ninputs; i++)
    if (inputs[i].dev == st->st_dev && inputs[i].ino == st->st_ino) {
      pthread_mutex_unlock(&inputs_lock);
      return 0;
    }
  if (ninputs == capinputs) {
    size_t cap = capinputs ? 2 * capinputs : 16;
    FileId *p = realloc(inputs, cap * sizeof *p);
    if (!p) {
      pthread_mutex_unlock(&inputs_lock);
      return sn_error_set("%s: out of memory recording the file as an input", path);
    }
    inputs = p;
    capinputs = cap;
  }
  inputs[ninputs++] = (FileId){st->st_dev, st->st_ino};
  pthread_mutex_unlock(&inputs_lock);
  return 0;
}

SnStatus sn_io_add_input(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return sn_error_set("%s: %s", path, strerror(errno));
  return snrt_io_add_input_stat(&st, path);
}

SnStatus sn_io_check_output(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0; /* nothing there to overwrite */
  pthread_mutex_lock(&inputs_lock);
  int found = 0;
  for (size_t i = 0; i < ninputs && !found; i++)
    found = inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino;
  pthread_mutex_unlock(&inputs_lock);
  if (found)
    return sn_error_set("%s: refusing to overwrite a file this program read as an input; "
                        "save to another path", path);
  return 0;
}

void sn_io_clear_inputs(void) {
  pthread_mutex_lock(&inputs_lock);
  free(inputs);
  inputs = NULL;
  ninputs = capinputs = 0;
  pthread_mutex_unlock(&inputs_lock);
}

void snrt_io_shape_text(char *buf, size_t n, SnDtype dtype, int64_t rank, const int64_t *shape) {
  int k = snprintf(buf, n, "%s[", sn_dtype_name(dtype));
  for (int64_t i = 0; i < rank && k < (int)n - 24; i++) k += snprintf(buf + k, n - (size_t)k, "%s%lld", i ? ", " : "", (long long)shape[i]);
  snprintf(buf + k, n - (size_t)k, "]");
}

SnBuffer *sn_buffer_map_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    sn_error_set("%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    sn_error_set("%s: %s", path, strerror(errno));
    close(fd);
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    sn_error_set("%s: not a regular file", path);
    close(fd);
    return NULL;
  }
  if ((uint64_t)st.st_size > (uint64_t)PTRDIFF_MAX) {
    sn_error_set("%s: too large to map (%lld bytes)", path, (long long)st.st_size);
    close(fd);
    return NULL;
  }
  size_t len = (size_t)st.st_size;
  void *map = NULL;
  if (len) {
    /* Private and writable: a program may scribble on a loaded tensor, and its writes must
     * neither fault nor reach the file. NORESERVE because untouched pages cost nothing. */
    map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
    if (map == MAP_FAILED) {
      sn_error_set("%s: cannot map %zu bytes: %s", path, len, strerror(errno));
      close(fd);
      return NULL;
    }
  }
  close(fd);
  if (snrt_io_add_input_stat(&st, path)) {
    if (map) munmap(map, len);
    return NULL;
  }
  return snrt_buffer_from_mapping(map, len);
}

/* --- atomic writes ------------------------------------------------------------------------- */

SnStatus sn_io_atomic_open(SnAtomicFile *f, const char *path) {
  f->fd = -1;
  f->path = f->tmp = NULL;
  f->direct = NULL;
  if (sn_io_check_output(path)) return 1;
  size_t n = strlen(path) + 64;
  f->path = strdup(path);
  f->tmp = malloc(n);
  if (!f->path || !f->tmp) {
    free(f->path);
    free(f->tmp);
    f->path = f->tmp = NULL;
    return sn_error_set("%s: out of memory", path);
  }
  /* A hidden name beside the target, so the rename stays within one file system. */
  const char *slash = strrchr(path, '/');
  int dirlen = slash ? (int)(slash - path + 1) : 0;
  unsigned long k = __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED);
  snprintf(f->tmp, n, "%.*s.%s.tmp-%ld-%lu", dirlen, path, path + dirlen, (long)getpid(), k);
  f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (f->fd < 0) {
    SnStatus st = sn_error_set("%s: cannot create a file beside it: %s", path, strerror(errno));
    free(f->path);
    free(f->tmp);
    f->path = f->tmp = NULL;
    return st;
  }
  return 0;
}

/* --- direct writes -------------------------------------------------------------------------
 * A buffered write copies every byte into page-cache pages allocated for it, and the commit's
 * fsync then waits for them to reach the disk: on the virtual machines measured that copy took
 * half of a model merge's time (docs/performance.md), where O_DIRECT hands the program's memory
 * to the disk. O_DIRECT needs the offset, the length and the memory aligned to the device's
 * blocks. The whole blocks of a write are queued for a thread of their own, which writes them
 * while the program goes on (computing the next tensor): straight from the caller's memory when
 * it is aligned and a buffer keeps it alive (a tensor's, sn_io_atomic_write_kept: a merge's
 * outputs are written without a copy), else through a copy. A block that a write covers only in
 * part is kept in memory, where the other writes that share it fill it in, until the commit
 * writes it. */

/* A multiple of the logical block size of the disks Linux supports (512 or 4096 bytes). */
#define DIRECT_BLOCK 4096
/* The bytes the thread copies at a time, from memory that is not aligned. */
#define DIRECT_STAGE ((size_t)2 << 20)
/* How far the writes may run behind the program: at most this many bytes, or one write larger
 * than that (a tensor held by its buffer while the next one is computed). The disk writes
 * faster than a merge computes, so the thread is kept busy, and a streaming map holds few
 * tensors (tests/cli/map_stream_memory.sh allows six 4 MB tensors). */
#define DIRECT_ITEMS 8
#define DIRECT_QUEUE_BYTES ((size_t)8 << 20)

typedef struct {
  SnBuffer *keep;   /* holds p's memory until written (a reference), or NULL */
  unsigned char *own; /* else a block-aligned copy that p points at, freed when written */
  const char *p;
  size_t len;       /* whole blocks */
  uint64_t offset;
} DirectItem;

struct SnDirectWrites {
  DirectItem item[DIRECT_ITEMS];
  int first, queued;  /* item[first] and the queued - 1 after it (in a ring) wait for the thread */
  size_t queued_bytes;
  unsigned char *stage; /* DIRECT_STAGE bytes, block-aligned: the thread's copies */
  bool stop;          /* the thread ends when the queue is empty */
  SnStatus status;    /* the thread's first failure, with its message */
  char message[SN_ERROR_MAX];
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  uint64_t *at;         /* the partly written blocks' numbers */
  unsigned char **part; /* their bytes, DIRECT_BLOCK each, block-aligned */
  int64_t n, cap;
  uint64_t size;        /* the end of the furthest write: the file's length */
};

/* pwrite until done; a device that refuses the direct write's alignment gets a buffered one. */
static SnStatus pwrite_all(SnAtomicFile *f, const void *data, size_t n, uint64_t offset) {
  const char *p = data;
  while (n > 0) {
    ssize_t w = pwrite(f->fd, p, n, (off_t)offset);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EINVAL && (fcntl(f->fd, F_GETFL) & O_DIRECT)) {
      fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_DIRECT);
      continue;
    }
    if (w <= 0) return sn_error_set("%s: write failed: %s", f->path, w < 0 ? strerror(errno) : "no progress");
    p += w;
    n -= (size_t)w;
    offset += (uint64_t)w;
  }
  return 0;
}

/* Writes an item: from its memory when aligned, else a stage at a time. */
static SnStatus direct_item_write(SnAtomicFile *f, const DirectItem *it) {
  struct SnDirectWrites *d = f->direct;
  if ((uintptr_t)it->p % DIRECT_BLOCK == 0) return pwrite_all(f, it->p, it->len, it->offset);
  for (size_t at = 0; at < it->len; at += DIRECT_STAGE) {
    size_t len = it->len - at < DIRECT_STAGE ? it->len - at : DIRECT_STAGE;
    memcpy(d->stage, it->p + at, len);
    if (pwrite_all(f, d->stage, len, it->offset + at)) return 1;
  }
  return 0;
}

/* The writing thread: the queued items in order, until stopped. After a failure the rest are
 * let go unwritten. */
static void *direct_thread(void *arg) {
  SnAtomicFile *f = arg;
  struct SnDirectWrites *d = f->direct;
  pthread_mutex_lock(&d->lock);
  for (;;) {
    while (!d->queued && !d->stop) pthread_cond_wait(&d->changed, &d->lock);
    if (!d->queued) break;
    DirectItem it = d->item[d->first];
    bool failed = d->status != 0;
    pthread_mutex_unlock(&d->lock);
    SnStatus st = failed ? 0 : direct_item_write(f, &it);
    sn_buffer_release(it.keep);
    free(it.own);
    pthread_mutex_lock(&d->lock);
    if (st) {
      d->status = st;
      snprintf(d->message, sizeof d->message, "%s", sn_error_message());
    }
    d->first = (d->first + 1) % DIRECT_ITEMS;
    d->queued--;
    d->queued_bytes -= it.len;
    pthread_cond_broadcast(&d->changed);
  }
  pthread_mutex_unlock(&d->lock);
  return NULL;
}

/* Stops the thread once the queue is written; the status of its writes. */
static SnStatus direct_stop(SnAtomicFile *f) {
  struct SnDirectWrites *d = f->direct;
  pthread_mutex_lock(&d->lock);
  d->stop = true;
  pthread_cond_broadcast(&d->changed);
  pthread_mutex_unlock(&d->lock);
  pthread_join(d->thread, NULL);
  return d->status ? sn_error_set("%s", d->message) : 0;
}

static void direct_free(SnAtomicFile *f) {
  struct SnDirectWrites *d = f->direct;
  if (!d) return;
  if (!d->stop) direct_stop(f);
  pthread_mutex_destroy(&d->lock);
  pthread_cond_destroy(&d->changed);
  for (int64_t i = 0; i < d->n; i++) free(d->part[i]);
  free(d->stage);
  free(d->part);
  free(d->at);
  free(d);
  f->direct = NULL;
}

SnStatus sn_io_atomic_direct(SnAtomicFile *f) {
  int flags = fcntl(f->fd, F_GETFL);
  /* a file system without O_DIRECT (tmpfs before Linux 6.6) refuses it here */
  if (flags < 0 || fcntl(f->fd, F_SETFL, flags | O_DIRECT) != 0) return 0;
  struct SnDirectWrites *d = calloc(1, sizeof *d);
  bool ok = d && (d->stage = aligned_alloc(DIRECT_BLOCK, DIRECT_STAGE));
  if (ok) {
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->changed, NULL);
    f->direct = d;
    if (pthread_create(&d->thread, NULL, direct_thread, f) == 0) return 0;
    d->stop = true;
    direct_free(f);
  } else if (d) {
    free(d);
  }
  fcntl(f->fd, F_SETFL, flags);
  return ok ? sn_error_set("%s: cannot start a thread to write it", f->path) : sn_error_set("%s: out of memory", f->path);
}

/* The bytes kept for block `at`, zeros until written (NULL when out of memory). */
static unsigned char *direct_part(struct SnDirectWrites *d, uint64_t at) {
  for (int64_t i = d->n - 1; i >= 0; i--)
    if (d->at[i] == at) return d->part[i];
  if (d->n == d->cap) {
    int64_t cap = d->cap ? 2 * d->cap : 64;
    uint64_t *a = realloc(d->at, (size_t)cap * sizeof *a);
    if (a) d->at = a;
    unsigned char **p = a ? realloc(d->part, (size_t)cap * sizeof *p) : NULL;
    if (!p) return NULL;
    d->part = p;
    d->cap = cap;
  }
  unsigned char *b = aligned_alloc(DIRECT_BLOCK, DIRECT_BLOCK);
  if (!b) return NULL;
  memset(b, 0, DIRECT_BLOCK);
  d->at[d->n] = at;
  d->part[d->n++] = b;
  return b;
}

/* Queues whole blocks for the thread (kept by keep, else copied); the status of earlier writes. */
static SnStatus direct_queue(SnAtomicFile *f, SnBuffer *keep, const char *p, size_t len, uint64_t offset) {
  struct SnDirectWrites *d = f->direct;
  pthread_mutex_lock(&d->lock);
  while (d->queued == DIRECT_ITEMS || (d->queued && d->queued_bytes + len > DIRECT_QUEUE_BYTES))
    pthread_cond_wait(&d->changed, &d->lock);
  SnStatus st = d->status;
  pthread_mutex_unlock(&d->lock);
  if (st) return sn_error_set("%s", d->message);
  DirectItem it = {.keep = keep, .p = p, .len = len, .offset = offset};
  if (keep) {
    sn_buffer_retain(keep);
  } else {
    if (!(it.own = aligned_alloc(DIRECT_BLOCK, len))) return sn_error_set("%s: out of memory", f->path);
    memcpy(it.own, p, len);
    it.p = (const char *)it.own;
  }
  pthread_mutex_lock(&d->lock);
  d->item[(d->first + d->queued) % DIRECT_ITEMS] = it;
  d->queued++;
  d->queued_bytes += len;
  pthread_cond_broadcast(&d->changed);
  pthread_mutex_unlock(&d->lock);
  return 0;
}

static SnStatus direct_write_at(SnAtomicFile *f, SnBuffer *keep, const char *p, size_t n, uint64_t offset) {
  struct SnDirectWrites *d = f->direct;
  if (offset + n > d->size) d->size = offset + n;
  while (n > 0) {
    size_t in = offset % DIRECT_BLOCK, len;
    if (in || n < DIRECT_BLOCK) {
      len = DIRECT_BLOCK - in < n ? DIRECT_BLOCK - in : n;
      unsigned char *b = direct_part(d, offset / DIRECT_BLOCK);
      if (!b) return sn_error_set("%s: out of memory", f->path);
      memcpy(b + in, p, len);
    } else {
      len = n / DIRECT_BLOCK * DIRECT_BLOCK;
      if (!keep && len > DIRECT_STAGE) len = DIRECT_STAGE; /* copied a stage at a time */
      if (direct_queue(f, keep, p, len, offset)) return 1;
    }
    p += len;
    n -= len;
    offset += len;
  }
  return 0;
}

/* The queue written, then the partly written blocks, then the file cut to its length (the last
 * block was written whole). */
static SnStatus direct_finish(SnAtomicFile *f) {
  struct SnDirectWrites *d = f->direct;
  if (direct_stop(f)) return 1;
  for (int64_t i = 0; i < d->n; i++)
    if (pwrite_all(f, d->part[i], DIRECT_BLOCK, d->at[i] * DIRECT_BLOCK)) return 1;
  if (ftruncate(f->fd, (off_t)d->size) != 0) return sn_error_set("%s: cannot set its length: %s", f->path, strerror(errno));
  return 0;
}

SnStatus sn_io_atomic_write(SnAtomicFile *f, const void *data, size_t n) {
  if (f->direct) return direct_write_at(f, NULL, data, n, f->direct->size);
  const char *p = data;
  while (n > 0) {
    ssize_t w = write(f->fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return sn_error_set("%s: write failed: %s", f->path, w < 0 ? strerror(errno) : "no progress");
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

SnStatus sn_io_atomic_write_at(SnAtomicFile *f, const void *data, size_t n, uint64_t offset) {
  return f->direct ? direct_write_at(f, NULL, data, n, offset) : pwrite_all(f, data, n, offset);
}

SnStatus sn_io_atomic_write_kept(SnAtomicFile *f, SnBuffer *keep, const void *data, size_t n, uint64_t offset) {
  return f->direct ? direct_write_at(f, keep, data, n, offset) : pwrite_all(f, data, n, offset);
}

static void atomic_free(SnAtomicFile *f) {
  direct_free(f);
  free(f->path);
  free(f->tmp);
  f->path = f->tmp = NULL;
  f->fd = -1;
}

SnStatus sn_io_atomic_commit(SnAtomicFile *f) {
  SnStatus st = f->direct ? direct_finish(f) : 0;
  /* The data must be on disk before the name points at it, or a crash could leave an empty
     file under the final name. */
  if (!st && fsync(f->fd) != 0) st = sn_error_set("%s: cannot flush: %s", f->path, strerror(errno));
  if (close(f->fd) != 0 && !st) st = sn_error_set("%s: cannot close: %s", f->path, strerror(errno));
  f->fd = -1;
  /* Checked again: an input may have appeared under this name since the file was opened. */
  if (!st && sn_io_check_output(f->path)) st = 1;
  if (!st && rename(f->tmp, f->path) != 0)
    st = sn_error_set("%s: cannot rename the finished file into place: %s", f->path, strerror(errno));
  if (st) unlink(f->tmp);
  atomic_free(f);
  return st;
}

void sn_io_atomic_abort(SnAtomicFile *f) {
  if (!f->tmp) return;
  if (f->fd >= 0) close(f->fd);
  unlink(f->tmp);
  atomic_free(f);
}

/* --- UTF-8 --------------------------------------------------------------------------------- */

size_t snrt_utf8_valid_prefix(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c == 0xED) len = 3, hi = 0x9F; /* no surrogates */
    else if (c >= 0xE1 && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F; /* nothing above U+10FFFF */
    else return i;
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    i += len;
  }
  return n;
}
