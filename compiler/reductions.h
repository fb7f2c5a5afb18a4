/* reductions.h: the reductions, from the table in reductions.def. */
#ifndef SN_REDUCTIONS_H
#define SN_REDUCTIONS_H

#include <stddef.h>

typedef enum RedKind {
#define RED(id, ...) RED_##id,
#include "reductions.def"
  RED_COUNT
} RedKind;

/* The result's dtype. */
typedef enum RedResult {
  RR_SAME,  /* the body's */
  RR_WIDEN, /* bool and integers in i64, floats their own */
  RR_FLOAT, /* a float: the body's, or INT_FLOAT_DT for integers (sema.h) */
  RR_INDEX, /* i64: the flat index of a term */
  RR_BOOL,
} RedResult;

enum {
  RF_NONEMPTY = 1, /* no identity: fails at run time over an empty range */
  RF_MEAN = 2,     /* the fold divided by the number of terms */
  RF_LOGICAL = 4,  /* the body is a condition (`all(i) x[i] > 0`): parsed looser than a product */
};

/* The order of float terms (docs/language.md, "Reductions"). */
typedef enum RedOrder {
  RO_TREE,  /* leaves of SN_SUM_LEAF terms in runtime/sum.c's order, in a balanced tree */
  RO_ANY,   /* exact in any order (max and min order -0.0 below 0.0): vectorised freely */
  RO_TILES, /* lse: tiles of the running maximum and runtime/expsum.c's sum of exps */
  RO_FIRST, /* argmax/argmin: the first extreme in row-major order wins, NaN counting as one */
} RedOrder;

typedef struct RedInfo {
  const char *name;
  RedResult result;
  unsigned flags; /* RF_* */
  RedOrder order;
} RedInfo;

extern const RedInfo red_info[]; /* by RedKind */

/* The reduction named by the len bytes at name, or -1. */
int red_lookup(const char *name, size_t len);
const char *red_name(RedKind k);

#endif
