/* rt_st_read.c: reading a sharded bf16 safetensors model tensor by tensor and summing every
 * element, against `cat` of the same files to /dev/null in the same run, with the page cache
 * warm and cold (dropped with posix_fadvise(DONTNEED), which needs no privileges once the
 * files are on disk). Usage: rt_st_read [DIR [GIB]]; the model (GIB GiB, default 2) is
 * generated in DIR (default $TMPDIR or /tmp) and removed at the end. Prints GB/s and ratios. */
#include "sinter.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Tensors of 4096 x 4096 bf16 (32 MiB), in shards of 512 MiB. */
#define SIDE 4096
#define SHARD_BYTES (512LL << 20)
#define REPS 3

static char dir[512];
static int nshards;

static void shard_path(char *buf, size_t n, int s) {
  snprintf(buf, n, "%s/model-%05d-of-%05d.safetensors", dir, s + 1, nshards);
}

static void drop_cache(void) {
  for (int s = 0; s < nshards; s++) {
    char p[700];
    shard_path(p, sizeof p, s);
    int fd = open(p, O_RDONLY);
    if (fd >= 0) {
      fdatasync(fd);
      posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
      close(fd);
    }
  }
}

static double time_cat(void) {
  char cmd[8192];
  int k = snprintf(cmd, sizeof cmd, "cat");
  for (int s = 0; s < nshards; s++) {
    char p[700];
    shard_path(p, sizeof p, s);
    k += snprintf(cmd + k, sizeof cmd - (size_t)k, " '%s'", p);
  }
  snprintf(cmd + k, sizeof cmd - (size_t)k, " > /dev/null");
  double t0 = sn_now();
  if (system(cmd) != 0) fprintf(stderr, "cat failed\n");
  return sn_now() - t0;
}

/* Opens the model, takes every tensor and sums its elements as f32 (in f64 across chunks). */
static double time_read(double *sum) {
  double t0 = sn_now();
  char index[700];
  snprintf(index, sizeof index, "%s/model.safetensors.index.json", dir);
  SnStFile *f = sn_st_open(index);
  if (!f) {
    fprintf(stderr, "%s\n", sn_error_message());
    exit(1);
  }
  double total = 0;
  for (int64_t i = 0; i < sn_st_count(f); i++) {
    SnTensor *t = sn_st_get(f, i);
    const uint16_t *p = t->data;
    int64_t n = sn_tensor_numel(t);
    double part = 0;
#pragma omp parallel for reduction(+ : part) schedule(static)
    for (int64_t c = 0; c < n; c += 1 << 16) {
      float acc[16] = {0};
      int64_t end = c + (1 << 16) < n ? c + (1 << 16) : n;
      for (int64_t j = c; j + 16 <= end; j += 16)
        for (int l = 0; l < 16; l++) {
          uint32_t u = (uint32_t)p[j + l] << 16; /* bf16 -> f32, inline so the loop vectorises */
          float v;
          memcpy(&v, &u, 4);
          acc[l] += v;
        }
      for (int l = 0; l < 16; l++) part += acc[l];
    }
    total += part;
    sn_tensor_release(t);
  }
  sn_st_close(f);
  *sum = total;
  return sn_now() - t0;
}

int main(int argc, char **argv) {
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/sinter-bench-st-%d", argc > 1 ? argv[1] : tmp && *tmp ? tmp : "/tmp", (int)getpid());
  int gib = argc > 2 ? atoi(argv[2]) : 2;
  if (gib < 1) gib = 1;
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
  if (system(cmd) != 0) return 1;
  int64_t ntensors = (int64_t)gib * 32;
  int64_t shape[2] = {SIDE, SIDE};
  SnTensor *w = sn_tensor_new(SN_BF16, 2, shape);
  for (int64_t i = 0; i < SIDE * SIDE; i++) ((uint16_t *)w->data)[i] = sn_f32_to_bf16((float)(i % 17) * 0.125f);
  char path[700];
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  SnStWriter *wr = sn_st_writer_new(path, SHARD_BYTES);
  char name[64];
  for (int64_t i = 0; i < ntensors; i++) {
    snprintf(name, sizeof name, "layers.%lld.weight", (long long)i);
    sn_st_writer_declare(wr, name, SN_BF16, 2, shape);
  }
  for (int64_t i = 0; i < ntensors; i++) {
    snprintf(name, sizeof name, "layers.%lld.weight", (long long)i);
    if (sn_st_writer_write(wr, name, w)) {
      fprintf(stderr, "%s\n", sn_error_message());
      return 1;
    }
  }
  if (sn_st_writer_close(wr)) {
    fprintf(stderr, "%s\n", sn_error_message());
    return 1;
  }
  sn_tensor_release(w);
  nshards = (int)((ntensors * SIDE * SIDE * 2 + SHARD_BYTES - 1) / SHARD_BYTES);
  double bytes = (double)ntensors * SIDE * SIDE * 2, sum = 0;
  double cat_warm = 1e9, read_warm = 1e9, cat_cold = 1e9, read_cold = 1e9;
  for (int r = 0; r < REPS; r++) {
    drop_cache();
    double t = time_cat();
    cat_cold = t < cat_cold ? t : cat_cold;
    drop_cache();
    t = time_read(&sum);
    read_cold = t < read_cold ? t : read_cold;
    t = time_cat();
    cat_warm = t < cat_warm ? t : cat_warm;
    t = time_read(&sum);
    read_warm = t < read_warm ? t : read_warm;
  }
  printf("model: %.2f GB in %d shards, sum %.6g\n", bytes / 1e9, nshards, sum);
  printf("warm: cat %.2f GB/s, sinter read+sum %.2f GB/s, ratio %.2f\n", bytes / cat_warm / 1e9,
         bytes / read_warm / 1e9, cat_warm / read_warm);
  printf("cold: cat %.2f GB/s, sinter read+sum %.2f GB/s, ratio %.2f\n", bytes / cat_cold / 1e9,
         bytes / read_cold / 1e9, cat_cold / read_cold);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) != 0;
}
