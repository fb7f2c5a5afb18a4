/* buffer.c: the refcounted storage tensors view: memory the runtime allocates (aligned, with huge
 * pages for large buffers) or a file's mapping, unmapped when the last reference goes. */
#include "core/rt_core.h"

#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
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

/* A training loop frees and allocates the same tensors every step. glibc's defaults give memory
 * above 128 KB back to the kernel as soon as it is free (brk shrinks, large blocks are unmapped),
 * so every step faulted its pages in again: 30% of an MLP step's time (docs/performance.md).
 * Tensors up to 32 MB (glibc's largest heap threshold) come from the heap, and up to 64 MB of
 * free heap top is kept; peak RSS is unchanged, since the memory kept was in use before. */
__attribute__((constructor)) static void keep_freed_memory(void) {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

/* Above glibc's largest heap threshold (32 MB) malloc maps every buffer and unmaps it when it is
 * freed, and the kernel zeroes its pages again at their first touch: a map over a checkpoint's
 * tensors (a merge) allocates the same few large intermediates for every tensor, and zeroing
 * them took a quarter of a merge's time. Up to BIG_KEPT such buffers are kept when freed and
 * given to the next request they can hold (the smallest that can), so their pages stay mapped.
 * Peak RSS does not grow: a kept buffer was in use before, and one is reused before another is
 * made. */
#define BIG_MIN ((size_t)32 << 20)
#define BIG_KEPT 4

static struct {
  SnBuffer *b;
  size_t alloc; /* bytes it holds, header included */
} big[BIG_KEPT];
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;

/* A kept buffer of at least alloc bytes, or NULL. */
static SnBuffer *big_take(size_t alloc) {
  pthread_mutex_lock(&big_lock);
  int best = -1;
  for (int k = 0; k < BIG_KEPT; k++)
    if (big[k].b && big[k].alloc >= alloc && (best < 0 || big[k].alloc < big[best].alloc)) best = k;
  SnBuffer *b = best >= 0 ? big[best].b : NULL;
  if (best >= 0) big[best].b = NULL;
  pthread_mutex_unlock(&big_lock);
  return b;
}

/* Keeps b (alloc bytes) in place of a free slot or of a smaller kept buffer, which is freed;
 * false when it is not kept. */
static bool big_keep(SnBuffer *b, size_t alloc) {
  pthread_mutex_lock(&big_lock);
  int slot = -1;
  for (int k = 0; k < BIG_KEPT && slot < 0; k++)
    if (!big[k].b) slot = k;
  for (int k = 0; k < BIG_KEPT && slot < 0; k++)
    if (big[k].alloc < alloc) slot = k;
  SnBuffer *old = slot >= 0 ? big[slot].b : NULL;
  if (slot >= 0) big[slot].b = b, big[slot].alloc = alloc;
  pthread_mutex_unlock(&big_lock);
  free(old);
  return slot >= 0;
}

/* The bytes an owned buffer of `bytes` allocates. */
static size_t alloc_size(size_t bytes) { return SN_ALIGN + (bytes + SN_ALIGN - 1) / SN_ALIGN * SN_ALIGN; }

/* What a buffer of no bytes points at, so that empty tensors still have a valid address. */
static _Alignas(SN_ALIGN) char empty_bytes[SN_ALIGN];

SnBuffer *sn_buffer_new(size_t bytes) {
  if (bytes > (size_t)PTRDIFF_MAX - 2 * SN_ALIGN) {
    sn_error_set("tensor too large: %zu bytes", bytes);
    return NULL;
  }
  size_t alloc = alloc_size(bytes);
  SnBuffer *b = alloc >= BIG_MIN && bytes <= MAX_BUFFER ? big_take(alloc) : NULL;
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
  b->capacity = alloc;
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
  b->capacity = 0;
  return b;
}

void sn_buffer_retain(SnBuffer *b) {
  if (b) __atomic_add_fetch(&b->refcount, 1, __ATOMIC_RELAXED);
}

void sn_buffer_release(SnBuffer *b) {
  if (!b || __atomic_sub_fetch(&b->refcount, 1, __ATOMIC_ACQ_REL) != 0) return;
  if (b->kind == SN_BUFFER_MMAP && b->data != empty_bytes) munmap(b->data, b->size);
  if (b->kind == SN_BUFFER_OWNED && b->capacity >= BIG_MIN && big_keep(b, b->capacity)) return;
  free(b);
}

void *sn_buffer_data(const SnBuffer *b) { return b->data; }
size_t sn_buffer_size(const SnBuffer *b) { return b->size; }
SnBufferKind sn_buffer_kind(const SnBuffer *b) { return b->kind; }
