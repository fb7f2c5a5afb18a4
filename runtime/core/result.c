/* result.c: the result of a kernel with several outputs (SnResult, sinter/abi.h): named parts,
 * each a tensor or an f64 or i64 scalar, and the list of results not yet freed, which
 * sn_run_cleanup empties when a run stops on an error between a kernel and its readers. */
#include "core/rt_core.h"
#include "sinter/abi.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

typedef struct SnPart {
  const char *name;
  int32_t kind; /* SnPartKind */
  union {
    SnTensor *t;
    double f;
    int64_t i;
  } v;
} SnPart;

struct SnResult {
  SnResult *prev, *next; /* the open results */
  int32_t n;
  SnPart parts[];
};

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static SnResult *open_head;

SnResult *sn_result_new(int32_t nparts) {
  if (nparts < 0 || nparts > SN_RESULT_MAX_PARTS) {
    sn_error_set("a result of %d parts: at most %d", (int)nparts, SN_RESULT_MAX_PARTS);
    return NULL;
  }
  SnResult *r = calloc(1, sizeof *r + (size_t)nparts * sizeof(SnPart));
  if (!r) {
    sn_error_set("out of memory for a result of %d parts", (int)nparts);
    return NULL;
  }
  r->n = nparts;
  pthread_mutex_lock(&open_lock);
  r->next = open_head;
  if (open_head) open_head->prev = r;
  open_head = r;
  pthread_mutex_unlock(&open_lock);
  return r;
}

/* Part k, emptied (its tensor released) and named, ready for a value. */
static SnPart *reset(SnResult *r, int32_t k, const char *name, int32_t kind) {
  SnPart *p = &r->parts[k];
  if (p->kind == SN_PART_TENSOR) sn_tensor_release(p->v.t);
  p->name = name;
  p->kind = kind;
  return p;
}

void sn_result_set_tensor(SnResult *r, int32_t k, const char *name, SnTensor *t) {
  reset(r, k, name, t ? SN_PART_TENSOR : SN_PART_NONE)->v.t = t;
}

void sn_result_set_f64(SnResult *r, int32_t k, const char *name, double v) {
  reset(r, k, name, SN_PART_F64)->v.f = v;
}

void sn_result_set_i64(SnResult *r, int32_t k, const char *name, int64_t v) {
  reset(r, k, name, SN_PART_I64)->v.i = v;
}

int32_t sn_result_count(const SnResult *r) { return r->n; }

const char *sn_result_name(const SnResult *r, int32_t k) {
  return k >= 0 && k < r->n && r->parts[k].name ? r->parts[k].name : "";
}

int32_t sn_result_kind(const SnResult *r, int32_t k) { return k >= 0 && k < r->n ? r->parts[k].kind : SN_PART_NONE; }

int32_t sn_result_find(const SnResult *r, const char *name) {
  for (int32_t k = 0; k < r->n; k++)
    if (r->parts[k].name && strcmp(r->parts[k].name, name) == 0) return k;
  return -1;
}

SnTensor *sn_result_tensor(SnResult *r, int32_t k) {
  if (sn_result_kind(r, k) != SN_PART_TENSOR) {
    sn_error_set("internal error: part %d (`%s`) of a result of %d parts is not a tensor", (int)k,
                 sn_result_name(r, k), (int)r->n);
    return NULL;
  }
  sn_tensor_retain(r->parts[k].v.t);
  return r->parts[k].v.t;
}

double sn_result_f64(const SnResult *r, int32_t k) {
  switch (sn_result_kind(r, k)) {
  case SN_PART_F64: return r->parts[k].v.f;
  case SN_PART_I64: return (double)r->parts[k].v.i;
  default: return NAN;
  }
}

int64_t sn_result_i64(const SnResult *r, int32_t k) {
  switch (sn_result_kind(r, k)) {
  case SN_PART_I64: return r->parts[k].v.i;
  case SN_PART_F64: return snrt_f64_to_int(r->parts[k].v.f, INT64_MIN, INT64_MAX);
  default: return 0;
  }
}

void sn_result_free(SnResult *r) {
  if (!r) return;
  pthread_mutex_lock(&open_lock);
  if (r->prev) r->prev->next = r->next;
  else open_head = r->next;
  if (r->next) r->next->prev = r->prev;
  pthread_mutex_unlock(&open_lock);
  for (int32_t k = 0; k < r->n; k++)
    if (r->parts[k].kind == SN_PART_TENSOR) sn_tensor_release(r->parts[k].v.t);
  free(r);
}

SnResult *sn_result_of_tensors(const char *where, int32_t n, const char *const *names, SnTensor *const *parts) {
  int all = 1;
  for (int32_t k = 0; k < n; k++) all &= parts[k] != NULL;
  SnResult *r = all ? sn_result_new(n) : NULL;
  for (int32_t k = 0; k < n; k++) {
    if (r) sn_result_set_tensor(r, k, names[k], parts[k]);
    else sn_tensor_release(parts[k]);
  }
  return r ? r : sn_result_failed(where, NULL);
}

SnResult *sn_result_failed(const char *where, SnResult *r) {
  sn_fail_msg(where, sn_error_message());
  sn_result_free(r);
  return NULL;
}

void sn_result_free_open(void) {
  for (;;) {
    pthread_mutex_lock(&open_lock);
    SnResult *r = open_head;
    pthread_mutex_unlock(&open_lock);
    if (!r) return;
    sn_result_free(r);
  }
}
