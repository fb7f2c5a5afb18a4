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

/* Buffers of MAPPED_MIN bytes or more are mappings of their own, not heap blocks. On the heap, a
 * loop whose step makes tensors of several sizes (a sampler's n x k log-likelihoods, its n-vector
 * of normalisers, the next state) left holes that the next step's sizes did not fit, and the
 * heap grew: a million-point sampler touched 152 MB for 60 MB of tensors. A mapping freed is
 * kept (up to KEPT_MAX of them) and given again to the next allocation it can hold (the smallest
 * that can: the next step's of its size, or a map over a checkpoint's next, smaller tensor), so
 * its pages are not faulted in and zeroed again (zeroing a merge's intermediates took a quarter
 * of its time). The memory kept never raises the peak: a larger mapping is reused only when the
 * peak has room for all of it, and before a new mapping is made, kept ones are unmapped until
 * what is kept, what is in use and the new one together fit in the most that was ever in use
 * at once (`peak`). */
#define MAPPED_MIN ((size_t)4 << 20)
#define MAPPED_HEAD ((size_t)4096)
#define KEPT_MAX 32
static struct {
  pthread_mutex_t lock;
  int n;
  SnBuffer *blocks[KEPT_MAX];
  size_t kept, live, peak; /* bytes kept, in use, and the most in use at once */
} mapped = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* A mapping of at least `alloc` bytes for a buffer (its capacity set): a kept one, or a new
 * one (NULL when out of memory). */
static SnBuffer *mapped_new(size_t alloc) {
  SnBuffer *found = NULL, *drop[KEPT_MAX];
  int ndrop = 0;
  pthread_mutex_lock(&mapped.lock);
  int best = -1;
  for (int i = 0; i < mapped.n; i++) {
    size_t cap = mapped.blocks[i]->capacity;
    if (cap >= alloc && (cap == alloc || mapped.live + cap <= mapped.peak) &&
        (best < 0 || cap < mapped.blocks[best]->capacity))
      best = i;
  }
  if (best >= 0) {
    found = mapped.blocks[best];
    mapped.blocks[best] = mapped.blocks[--mapped.n];
    mapped.kept -= found->capacity;
  }
  size_t need = found ? found->capacity : alloc;
  size_t peak = mapped.live + need > mapped.peak ? mapped.live + need : mapped.peak;
  while (!found && mapped.n > 0 && mapped.kept + mapped.live + alloc > peak) {
    SnBuffer *b = mapped.blocks[--mapped.n];
    mapped.kept -= b->capacity;
    drop[ndrop++] = b;
  }
  mapped.live += need;
  mapped.peak = peak;
  pthread_mutex_unlock(&mapped.lock);
  for (int i = 0; i < ndrop; i++) munmap(drop[i], drop[i]->capacity);
  if (found) return found;
  void *m = mmap(NULL, alloc, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m != MAP_FAILED) {
    SnBuffer *b = m;
    b->capacity = alloc;
    return b;
  }
  pthread_mutex_lock(&mapped.lock);
  mapped.live -= alloc;
  pthread_mutex_unlock(&mapped.lock);
  return NULL;
}

/* Keeps a freed mapping, or unmaps it when KEPT_MAX are kept. */
static void mapped_free(SnBuffer *b) {
  pthread_mutex_lock(&mapped.lock);
  bool room = mapped.n < KEPT_MAX;
  mapped.live -= b->capacity;
  if (room) {
    mapped.blocks[mapped.n++] = b;
    mapped.kept += b->capacity;
  }
  pthread_mutex_unlock(&mapped.lock);
  if (!room) munmap(b, b->capacity);
}

/* What a buffer of no bytes points at, so that empty tensors still have a valid address. */
static _Alignas(SN_ALIGN) char empty_bytes[SN_ALIGN];

SnBuffer *sn_buffer_new(size_t bytes) {
  if (bytes > (size_t)PTRDIFF_MAX - 2 * SN_ALIGN) {
    sn_error_set("tensor too large: %zu bytes", bytes);
    return NULL;
  }
  size_t alloc = SN_ALIGN + (bytes + SN_ALIGN - 1) / SN_ALIGN * SN_ALIGN;
  bool mapped = alloc >= MAPPED_MIN;
  /* a mapping's data starts a page after its header: a disk's blocks are aligned there, so a
   * tensor is written to a file with O_DIRECT straight from its memory (file.c) */
  if (mapped) alloc = MAPPED_HEAD + ((bytes + 4095) & ~(size_t)4095);
  SnBuffer *b = bytes > MAX_BUFFER ? NULL : mapped ? mapped_new(alloc) : aligned_alloc(SN_ALIGN, alloc);
  if (!b) {
    sn_error_set("out of memory: a tensor of %zu bytes", bytes);
    return NULL;
  }
  b->refcount = 1;
  b->kind = SN_BUFFER_OWNED;
  b->data = (char *)b + (mapped ? MAPPED_HEAD : SN_ALIGN);
  b->size = bytes;
  if (!mapped) b->capacity = 0; /* a mapping's is set by mapped_new: it may be larger */
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
  if (b->kind == SN_BUFFER_OWNED && b->capacity) mapped_free(b);
  else free(b);
}

void *sn_buffer_data(const SnBuffer *b) { return b->data; }
size_t sn_buffer_size(const SnBuffer *b) { return b->size; }
SnBufferKind sn_buffer_kind(const SnBuffer *b) { return b->kind; }
