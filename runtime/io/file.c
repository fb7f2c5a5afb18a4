/* file.c: what every file format shares: mapping an input file, the registry of the
 * program's inputs (by device and inode, so another name for the same file is caught), atomic
 * writes through a temporary file and rename, UTF-8 validation, and shapes as messages show them. */
#include "io/rt_io.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

SnStatus sn_io_atomic_write(SnAtomicFile *f, const void *data, size_t n) {
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
  const char *p = data;
  while (n > 0) {
    ssize_t w = pwrite(f->fd, p, n, (off_t)offset);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return sn_error_set("%s: write failed: %s", f->path, w < 0 ? strerror(errno) : "no progress");
    p += w;
    n -= (size_t)w;
    offset += (uint64_t)w;
  }
  return 0;
}

static void atomic_free(SnAtomicFile *f) {
  free(f->path);
  free(f->tmp);
  f->path = f->tmp = NULL;
  f->fd = -1;
}

SnStatus sn_io_atomic_commit(SnAtomicFile *f) {
  SnStatus st = 0;
  /* The data must be on disk before the name points at it, or a crash could leave an empty
     file under the final name. */
  if (fsync(f->fd) != 0) st = sn_error_set("%s: cannot flush: %s", f->path, strerror(errno));
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
