/* parallel.c: parallel loops over the runtime's own threads. Chunks depend only on the problem
 * size, never on the thread count, so a parallel reduction that combines per-chunk partial
 * results in chunk order gives the same answer on any number of threads.
 *
 * A loop is one job at a time: the calling thread publishes it and works on it, and the
 * sn_num_threads() - 1 workers (started on first need) take chunks as they come, about 8 grabs
 * each, so a thread that lost its core holds nobody back: the caller waits only for the chunks
 * a worker has taken, never for a worker to wake up or to arrive at a barrier. An idle worker
 * spins for SN_SPIN_NS, then sleeps on a futex. OpenMP's barriers, which hold the caller until
 * every thread has arrived, let one thread without a core stall every loop of a program
 * (docs/performance.md, "Small loops on a busy machine"). */
#include "core/rt_core.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Enough chunks for load balance on any core count we expect, few enough that the partial
 * results of a reduction fit on the stack. */
#define SN_MAX_CHUNKS 1024
/* The most threads the runtime starts, whatever SINTER_THREADS asks. */
#define SN_MAX_THREADS 256
/* How long an idle worker spins before it sleeps: a loop that follows within this time (the
 * next statement of an iteration) finds it awake, and a machine whose cores are taken loses
 * little. A futex wake-up costs microseconds, a spin the core it runs on. */
#define SN_SPIN_NS 50000

static _Atomic int threads;

int sn_num_threads(void) {
  int n = atomic_load_explicit(&threads, memory_order_relaxed);
  if (n) return n;
  const char *env = getenv("SINTER_THREADS");
  n = env ? atoi(env) : 0;
  if (n <= 0) {
    cpu_set_t set;
    n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : (int)sysconf(_SC_NPROCESSORS_ONLN);
  }
  if (n <= 0) n = 1;
  if (n > SN_MAX_THREADS) n = SN_MAX_THREADS;
  atomic_store_explicit(&threads, n, memory_order_relaxed);
  return n;
}

int64_t sn_parallel_chunks(int64_t n, int64_t grain) {
  if (grain < 1) grain = 1;
  int64_t c = (n + grain - 1) / grain;
  if (c < 1) c = 1;
  return c > SN_MAX_CHUNKS ? SN_MAX_CHUNKS : c;
}

SnStatus sn_serial_for(int64_t n, int64_t nchunks, SnChunkFn body, void *ctx) {
  for (int64_t c = 0; c < nchunks; c++) {
    int32_t st = body(ctx, c, n * c / nchunks, n * (c + 1) / nchunks);
    if (st) return st;
  }
  return 0;
}

/* --- the pool --------------------------------------------------------------------------------- */

/* The job being run. `state` holds its number (high 32 bits) and the next chunk to take (low 32
 * bits); a chunk is taken by a compare-and-swap that also checks the number, so a worker that
 * read a finished job's fields never runs one of its chunks, and the fields of a job stay as
 * they are while any of its chunks is unfinished (the caller returns only when all are done).
 * A new job first closes `state` (its number, no chunk to take), then writes its fields, then
 * opens it: a worker that still holds the old number and reads a new field fails its swap. */
static struct {
  _Atomic uint64_t state;
  _Atomic(SnChunkFn) body;
  _Atomic(void *) ctx;
  _Atomic int64_t n, nchunks, grab;
  _Atomic uint32_t done;     /* chunks finished; the caller sleeps on it */
  _Atomic int caller_asleep;
  _Atomic int failed;
  char message[SN_ERROR_MAX]; /* the first failure's, written by the thread that set failed */
  _Atomic uint32_t posted;   /* the number of the last job; idle workers sleep on it */
  _Atomic int sleepers;
  _Atomic int busy;          /* a caller is running a job (a second one runs its loop alone) */
  int started;               /* workers running */
  pthread_mutex_t start_lock;
} pool = {.start_lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local bool in_job; /* a body that runs a parallel loop runs it alone */

static void futex_wait(_Atomic uint32_t *addr, uint32_t expected) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* Takes the next grab of job `id`: chunks [*lo, *hi). False when the job has none left. */
static bool take(uint32_t id, int64_t *lo, int64_t *hi) {
  uint64_t s = atomic_load_explicit(&pool.state, memory_order_acquire);
  for (;;) {
    if ((uint32_t)(s >> 32) != id) return false;
    int64_t c = (int64_t)(uint32_t)s;
    int64_t nc = atomic_load_explicit(&pool.nchunks, memory_order_acquire);
    if (c >= nc) return false;
    int64_t e = c + atomic_load_explicit(&pool.grab, memory_order_acquire);
    if (e > nc) e = nc;
    if (atomic_compare_exchange_weak_explicit(&pool.state, &s, (s & ~(uint64_t)UINT32_MAX) | (uint64_t)e,
                                              memory_order_acq_rel, memory_order_acquire)) {
      *lo = c;
      *hi = e;
      return true;
    }
  }
}

/* Runs chunks [lo, hi) of the current job (skipping them after a failure) and counts them done. */
static void run_chunks(int64_t lo, int64_t hi) {
  SnChunkFn body = atomic_load_explicit(&pool.body, memory_order_relaxed);
  void *ctx = atomic_load_explicit(&pool.ctx, memory_order_relaxed);
  int64_t n = atomic_load_explicit(&pool.n, memory_order_relaxed);
  int64_t nc = atomic_load_explicit(&pool.nchunks, memory_order_relaxed);
  in_job = true;
  for (int64_t c = lo; c < hi; c++) {
    if (atomic_load_explicit(&pool.failed, memory_order_relaxed)) break;
    if (body(ctx, c, n * c / nc, n * (c + 1) / nc) && !atomic_exchange(&pool.failed, 1))
      memcpy(pool.message, sn_error_message(), sizeof pool.message);
  }
  in_job = false;
  if (atomic_fetch_add(&pool.done, (uint32_t)(hi - lo)) + (uint32_t)(hi - lo) == (uint32_t)nc &&
      atomic_load(&pool.caller_asleep))
    futex_wake(&pool.done);
}

static void *worker(void *arg) {
  (void)arg;
  uint32_t seen = 0;
  for (;;) {
    uint32_t id = atomic_load_explicit(&pool.posted, memory_order_acquire);
    if (id == seen) {
      int64_t until = now_ns() + SN_SPIN_NS;
      for (int k = 0; (id = atomic_load_explicit(&pool.posted, memory_order_acquire)) == seen; k++) {
        cpu_relax();
        if ((k & 63) == 63 && now_ns() > until) {
          atomic_fetch_add(&pool.sleepers, 1);
          futex_wait(&pool.posted, seen);
          atomic_fetch_sub(&pool.sleepers, 1);
          until = now_ns() + SN_SPIN_NS;
        }
      }
    }
    seen = id;
    int64_t lo, hi;
    while (take(id, &lo, &hi)) run_chunks(lo, hi);
  }
  return NULL;
}

/* Starts the workers once; false if none could be started. */
static bool start_workers(void) {
  pthread_mutex_lock(&pool.start_lock);
  if (!pool.started) {
    int want = sn_num_threads() - 1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8 << 20); /* as the main thread's, for lse tiles */
    for (int i = 0; i < want; i++) {
      pthread_t t;
      if (pthread_create(&t, &attr, worker, NULL)) break;
      pthread_detach(t);
      pool.started++;
    }
    pthread_attr_destroy(&attr);
  }
  bool any = pool.started > 0;
  pthread_mutex_unlock(&pool.start_lock);
  return any;
}

SnStatus sn_parallel_for(int64_t n, int64_t nchunks, SnChunkFn body, void *ctx) {
  if (nchunks <= 1 || sn_num_threads() == 1 || in_job) return sn_serial_for(n, nchunks, body, ctx);
  if (atomic_exchange(&pool.busy, 1)) return sn_serial_for(n, nchunks, body, ctx);
  if (!pool.started && !start_workers()) {
    atomic_store(&pool.busy, 0);
    return sn_serial_for(n, nchunks, body, ctx);
  }
  uint32_t id = (uint32_t)(atomic_load_explicit(&pool.state, memory_order_relaxed) >> 32) + 1;
  int64_t grab = nchunks / (8 * (int64_t)sn_num_threads());
  atomic_store(&pool.state, (uint64_t)id << 32 | UINT32_MAX);
  atomic_store_explicit(&pool.body, body, memory_order_release);
  atomic_store_explicit(&pool.ctx, ctx, memory_order_release);
  atomic_store_explicit(&pool.n, n, memory_order_release);
  atomic_store_explicit(&pool.nchunks, nchunks, memory_order_release);
  atomic_store_explicit(&pool.grab, grab < 1 ? 1 : grab, memory_order_release);
  atomic_store_explicit(&pool.done, 0, memory_order_release);
  atomic_store_explicit(&pool.failed, 0, memory_order_release);
  atomic_store_explicit(&pool.state, (uint64_t)id << 32, memory_order_release);
  atomic_store(&pool.posted, id);
  if (atomic_load(&pool.sleepers)) futex_wake(&pool.posted);
  int64_t lo, hi;
  while (take(id, &lo, &hi)) run_chunks(lo, hi);
  /* wait for the chunks the workers took: spin briefly, then sleep until the last one is done */
  int64_t until = now_ns() + SN_SPIN_NS;
  for (int k = 0;; k++) {
    uint32_t d = atomic_load_explicit(&pool.done, memory_order_acquire);
    if (d == (uint32_t)nchunks) break;
    cpu_relax();
    if ((k & 63) == 63 && now_ns() > until) {
      atomic_store(&pool.caller_asleep, 1);
      if (atomic_load(&pool.done) != (uint32_t)nchunks) futex_wait(&pool.done, d);
      atomic_store(&pool.caller_asleep, 0);
    }
  }
  SnStatus st = atomic_load(&pool.failed) ? sn_error_set("%s", pool.message) : 0;
  atomic_store(&pool.busy, 0);
  return st;
}

double sn_now(void) { return (double)now_ns() * 1e-9; }
