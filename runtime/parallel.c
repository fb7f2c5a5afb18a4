/* parallel.c: parallel loops over the runtime's threads (OpenMP). Chunks depend only on the
 * problem size, never on the thread count, so a parallel reduction that combines per-chunk
 * partial results in chunk order gives the same answer on any number of threads. */
#include "sinter.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Enough chunks for load balance on any core count we expect, few enough that the partial
 * results of a reduction fit on the stack. */
#define SN_MAX_CHUNKS 1024

static int threads;

int sn_num_threads(void) {
  int n = __atomic_load_n(&threads, __ATOMIC_RELAXED);
  if (n) return n;
  const char *env = getenv("SINTER_THREADS");
  n = env ? atoi(env) : 0;
  if (n <= 0) n = omp_get_num_procs();
  if (n <= 0) n = 1;
  __atomic_store_n(&threads, n, __ATOMIC_RELAXED);
  return n;
}

int64_t sn_parallel_chunks(int64_t n, int64_t grain) {
  if (grain < 1) grain = 1;
  int64_t c = (n + grain - 1) / grain;
  if (c < 1) c = 1;
  return c > SN_MAX_CHUNKS ? SN_MAX_CHUNKS : c;
}

SnStatus sn_parallel_for(int64_t n, int64_t nchunks, SnChunkFn body, void *ctx) {
  if (nchunks <= 1 || sn_num_threads() == 1 || omp_in_parallel()) {
    for (int64_t c = 0; c < nchunks; c++) {
      int32_t st = body(ctx, c, n * c / nchunks, n * (c + 1) / nchunks);
      if (st) return st;
    }
    return 0;
  }
  int failed = 0;
  char message[1024] = "";
  /* Threads take chunks as they finish (about 8 grabs each): on a shared machine a thread that
   * loses its core for a while no longer holds the others at the barrier, as with a static
   * split (Sinkhorn at n = 4000 with one core busy: 0.79-0.98 s -> 0.64-0.85 s; quiet, the
   * same within noise). Which thread runs a chunk changes no result. */
  int64_t grab = nchunks / (8 * (int64_t)sn_num_threads());
  if (grab < 1) grab = 1;
#pragma omp parallel for schedule(dynamic, grab) num_threads(sn_num_threads())
  for (int64_t c = 0; c < nchunks; c++) {
    if (__atomic_load_n(&failed, __ATOMIC_RELAXED)) continue;
    if (body(ctx, c, n * c / nchunks, n * (c + 1) / nchunks)) {
#pragma omp critical(sn_parallel_error)
      if (!failed) {
        failed = 1;
        strncpy(message, sn_error_message(), sizeof message - 1);
      }
    }
  }
  if (failed) return sn_error_set("%s", message);
  return 0;
}

double sn_now(void) { return omp_get_wtime(); }
