/* buffer.c: the refcounted storage tensors view: memory the runtime allocates (aligned, with huge
 * pages for large buffers) or a file's mapping, unmapped when the last reference goes. */
#include "core/rt_core.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

/* An owned buffer's data starts one alignment unit after its header. */
_Static_assert(sizeof(struct SnBuffer) <= SN_ALIGN, "SnBuffer header outgrew its slot");

/* Owned buffers from this size up ask for transparent huge pages. */
#define HUGEPAGE_MIN (4u << 20)

/* More than a process's address space (Linux gives user space 2^47 bytes on x86-64, 2^48 on
 * AArch64, unless it asks for more): such a buffer is out of memory without asking the allocator,
 * whatever it is (a sanitizer's caps lower, and stops the program instead of returning NULL). */
#define MAX_BUFFER ((size_t)1 << 48)

/* What a buffer of no bytes points at, so that empty tensors still have a valid address. */
static _Alignas(SN_ALIGN) char empty_bytes[SN_ALIGN];

/* --- a cache of freed large buffers ------------------------------------------------------------
 * A loop whose state is a large tensor (an iterate over a sampler's x, an optimizer's parameters)
 * frees and allocates buffers of the same sizes at every step. The C library gives such blocks
 * back to the kernel (mmapped ones at once, the heap's top beyond its trim threshold), so each
 * step faulted their pages in again and the kernel zeroed them: with a 3 MiB state, a
 * DPM-Solver++ step took 28 ms instead of 0.7 (bench/sample.sh). The last CACHE_SLOTS freed
 * buffers of at least CACHE_MIN bytes are kept and handed out again for an allocation of the
 * same size. An allocation of that size class that none fits first frees them all, so the cache
 * never raises a program's peak memory: what it holds plus what is live only grows at such an
 * allocation, where it is just what is live. */
#define CACHE_MIN (1u << 20)
#define CACHE_SLOTS 4

static struct {
  pthread_mutex_t lock;
  SnBuffer *slot[CACHE_SLOTS]; /* freed buffers (NULL: empty), the oldest first */
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static size_t alloc_size(size_t bytes) { return SN_ALIGN + (bytes + SN_ALIGN - 1) / SN_ALIGN * SN_ALIGN; }

/* A cached buffer whose allocation is `alloc` bytes; if none, frees the cache and gives NULL. */
static SnBuffer *cache_take(size_t alloc) {
  if (alloc < CACHE_MIN) return NULL;
  SnBuffer *b = NULL, *out[CACHE_SLOTS] = {0};
  pthread_mutex_lock(&cache.lock);
  for (int i = 0; i < CACHE_SLOTS && !b; i++) {
    if (cache.slot[i] && alloc_size(cache.slot[i]->size) == alloc) {
      b = cache.slot[i];
      cache.slot[i] = NULL;
    }
  }
  if (!b) {
    for (int i = 0; i < CACHE_SLOTS; i++) out[i] = cache.slot[i], cache.slot[i] = NULL;
  }
  pthread_mutex_unlock(&cache.lock);
  for (int i = 0; i < CACHE_SLOTS; i++) free(out[i]);
  return b;
}

/* Keeps b, an owned buffer no one references, when it is large (freeing the oldest kept if the
 * cache is full); frees it otherwise. */
static void cache_put(SnBuffer *b) {
  if (alloc_size(b->size) < CACHE_MIN) {
    free(b);
    return;
  }
  pthread_mutex_lock(&cache.lock);
  SnBuffer *oldest = NULL;
  int n = 0; /* the kept ones move to the front, in order */
  for (int i = 0; i < CACHE_SLOTS; i++)
    if (cache.slot[i]) cache.slot[n++] = cache.slot[i];
  if (n == CACHE_SLOTS) {
    oldest = cache.slot[0];
    for (int i = 1; i < CACHE_SLOTS; i++) cache.slot[i - 1] = cache.slot[i];
    n--;
  }
  cache.slot[n++] = b;
  while (n < CACHE_SLOTS) cache.slot[n++] = NULL;
  pthread_mutex_unlock(&cache.lock);
  free(oldest);
}

SnBuffer *sn_buffer_new(size_t bytes) {
  if (bytes > (size_t)PTRDIFF_MAX - 2 * SN_ALIGN) {
    sn_error_set("tensor too large: %zu bytes", bytes);
    return NULL;
  }
  size_t alloc = alloc_size(bytes);
  SnBuffer *b = cache_take(alloc);
  if (b) {
    b->refcount = 1;
    b->size = bytes;
    return b;
  }
  b = bytes <= MAX_BUFFER ? aligned_alloc(SN_ALIGN, alloc) : NULL;
  if (!b) {
    sn_error_set("out of memory: a tensor of %zu bytes", bytes);
    return NULL;
  }
  b->refcount = 1;
  b->kind = SN_BUFFER_OWNED;
  b->data = (char *)b + SN_ALIGN;
  b->size = bytes;
  if (alloc >= HUGEPAGE_MIN) {
    /* As NumPy does: transparent huge pages make first touch of a large tensor several times
     * faster. Only advice, so a failure changes nothing. */
    uintptr_t lo = ((uintptr_t)b + 4095) & ~(uintptr_t)4095, hi = ((uintptr_t)b + alloc) & ~(uintptr_t)4095;
    madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
  }
  return b;
}

SnBuffer *snrt_buffer_from_mapping(void *map, size_t len) {
  SnBuffer *b = malloc(sizeof *b);
  if (!b) {
    if (map) munmap(map, len);
    sn_error_set("out of memory");
    return NULL;
  }
  b->refcount = 1;
  b->kind = SN_BUFFER_MMAP;
  b->data = map ? map : empty_bytes;
  b->size = len;
  return b;
}

void sn_buffer_retain(SnBuffer *b) {
  if (b) __atomic_add_fetch(&b->refcount, 1, __ATOMIC_RELAXED);
}

void sn_buffer_release(SnBuffer *b) {
  if (!b || __atomic_sub_fetch(&b->refcount, 1, __ATOMIC_ACQ_REL) != 0) return;
  if (b->kind == SN_BUFFER_MMAP) {
    if (b->data != empty_bytes) munmap(b->data, b->size);
    free(b);
  } else {
    cache_put(b);
  }
}

void *sn_buffer_data(const SnBuffer *b) { return b->data; }
size_t sn_buffer_size(const SnBuffer *b) { return b->size; }
SnBufferKind sn_buffer_kind(const SnBuffer *b) { return b->kind; }
