/* fuse.c: fusion of lazy comprehensions into their consumers.
 *
 * An element C[a, b] of a comprehension C is replaced by a copy of C's body with its indices
 * set to a and b, so C is never stored. C is materialised instead (by the loop pass) when
 *  - something needs the whole tensor (matmul, print, an iterate state, a REPL slot), or
 *  - C's body contains a reduction, or C is a vector computed in floating point, and the use
 *    sits inside a loop or comprehension whose index does not appear in the subscripts: C would
 *    be recomputed for every iteration of that index (`sum(i) sum(j) B[i] * B[j]` with
 *    B[i] = sum(k) ..., an asymptotic loss; or a log per element of an n x m lse).
 * Recomputing a cheap body (or one whose reduction is indexed by every enclosing loop, as the
 * cost C[i,j] inside Sinkhorn's lse(j)) is the point: memory stays O(n) instead of O(n m). */
#include "passes.h"
#include "reductions.h"

/* Does a body compute in floating point (beyond loads, casts and index arithmetic)? */
static bool computes(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_MATH || in->op == IR_RAND) return true;
    if ((in->op == IR_BIN || in->op == IR_NEG || in->op == IR_SELECT) && ir_is_float(in->res[0]->type)) return true;
    for (int r = 0; r < in->nregions; r++)
      if (computes(in->regions[r])) return true;
  }
  return false;
}

/* Does a body draw random numbers? Each element is Philox's 10 rounds, recomputed at every read
 * as a reduction would be. */
static bool draws(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_RAND) return true;
    for (int r = 0; r < in->nregions; r++)
      if (draws(in->regions[r])) return true;
  }
  return false;
}

/* Does a body narrow a float precision (f32(y) of an f64 y)? */
static bool narrows(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_CAST) {
      IrType to = in->res[0]->type, from = ir_op(in, 0)->type;
      if (ir_is_float(to) && ir_is_float(from) && sn_dtype_size((SnDtype)to.dtype) < sn_dtype_size((SnDtype)from.dtype))
        return true;
    }
    for (int r = 0; r < in->nregions; r++)
      if (narrows(in->regions[r])) return true;
  }
  return false;
}

/* Is owner (a comprehension or reduction) inside another, so that its loops are not parallel? */
static bool nested(IrInst *owner) {
  for (IrBlock *b = owner->parent; b && b->parent; b = b->parent->parent)
    if (b->parent->op == IR_COMPR || b->parent->op == IR_REDUCE || b->parent->op == IR_FOR) return true;
  return false;
}

/* Will the loop over index i of owner be replaced by its iterations (unroll.c)? It will when
 * its extent is a constant of at most UNROLL_TRIP, it is lowered to a plain loop (a short sum
 * in order, a short lse of one index: loops.c), and it is not a parallel outermost loop. */
static bool unrolled_index(IrInst *owner, int i) {
  int64_t n;
  if (!ir_is_const_int(ir_op(owner, i), &n) || n > UNROLL_TRIP) return false;
  if (owner->op == IR_COMPR) return i > 0 || nested(owner);
  return owner->op == IR_REDUCE && nested(owner) && (red_info[owner->sub].order != RO_TILES || owner->nops == 1);
}

/* Would inlining C's body at the element use e recompute C redundantly? It would when an index
 * of an enclosing comprehension or reduction is missing from e's subscripts, and C's body
 * holds a reduction (lKu[k, j] = lse(i) lf[k, i] ... evaluates lf[k, i] once for every j) or a
 * random draw (x = rand([n, 3]) read in an lse(j) would draw x[i, k] anew for every j), or
 * C is a vector computed in floating point: gb[j] = lb[j] + g[j] / eps inside Sinkhorn's
 * lse(j) over the rows i would be recomputed n times; stored, it costs O(m) memory and one load
 * per use. (A larger C is fused all the same: storing it would cost its whole size.) A
 * narrowing of precision that computes nothing else is stored at any rank: y32 = f32(y) read
 * for every row i would convert y n times, and its loads would mix f64 and f32, which halves
 * the vector width; stored, it costs less than its source. (Widening, bf16 to f32, would double
 * it; f32(a[i] * b[j]) has no stored source and stays fused.) A missing index whose loop will
 * be unrolled (unrolled_index), with every loop between it and the read, is no recomputation
 * when C's own loops unroll too: the copies are the same straight code, which cse computes
 * once. A mixture denoiser's log-densities ll[i, c] and their lse lz[i], read in the posterior
 * mean D[i, j] = sum(c) exp(ll[i, c] - lz[i]) ..., are then computed once per point in D's
 * loop, and never stored as an n x k matrix. */
static bool redundant(IrInst *c, IrInst *e) {
  IrBlock *body = c->regions[0];
  if ((c->flags & IRF_LAZY) && c->nops > 1) return false;
  if (!ir_contains_reduction(body) && !draws(body) && !(c->nops == 1 && computes(body)) && !(narrows(body) && !computes(body)))
    return false;
  /* copies of a body whose own loops unroll are straight code that cse can share */
  bool shareable = ir_short_loops(body, UNROLL_TRIP), inner_unrolled = true;
  for (IrBlock *b = e->parent; b && b != c->parent; b = b->parent ? b->parent->parent : NULL) {
    IrInst *owner = b->parent;
    if (!owner || owner->op == IR_IF) continue;
    /* an iterate's body runs again and again: draws read there are drawn once and stored */
    if (owner->op == IR_LOOP) {
      if (draws(body)) return true;
      continue;
    }
    for (int i = 0; i < b->nargs; i++)
      if (!ir_subscripted_by(e, b->args[i]) && !(shareable && inner_unrolled && unrolled_index(owner, i))) return true;
    for (int i = 0; i < b->nargs; i++) inner_unrolled &= owner->op == IR_REDUCE && unrolled_index(owner, i);
  }
  return false;
}

/* Does a read of t in block b (regions included) recompute t's body redundantly? */
static bool read_redundantly(IrBlock *b, IrInst *c) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_ELEM && ir_op(in, 0) == c->res[0] && redundant(c, in)) return true;
    for (int k = 0; k < in->nregions; k++)
      if (read_redundantly(in->regions[k], c)) return true;
  }
  return false;
}

bool fuse_stores(IrValue *t) {
  IrInst *c = ir_val(t)->def;
  return c && c->op == IR_COMPR && !(c->flags & IRF_LAZY) && read_redundantly(c->parent, c);
}

/* --- duplication ------------------------------------------------------------------------------- */

/* A fused body copies its producers' bodies in, one copy per distinct element it reads: a chain
 * of comprehensions that each read the previous one at two places (a smoothing step,
 * a1[i] = 0.5 * (a0[i] + a0[i + 1]), then a2 from a1, ...) doubles its code and its work at
 * every level, and 20 levels never compiled. A producer is stored instead when one consumer
 * reads it at r distinct subscripts and the copies beyond the first would add more than
 * FUSE_DUP_LIMIT instructions per element: (r - 1) * size > FUSE_DUP_LIMIT, where size counts
 * the producer's body with its own fused producers' bodies in it. The chain is then stored every
 * few levels and compiles in time linear in its length; a cost C[i, j] read once per element,
 * or a small body read at two places, fuses as before; so does a body that computes nothing (a
 * view of other tensors), whatever its size up to FUSE_SHARED_LIMIT. */
#define FUSE_DUP_LIMIT 64
/* A producer whose fused body is larger than this and that is read by more than one element
 * read is stored (plan_block). */
#define FUSE_SHARED_LIMIT 512
/* Sizes saturate here (a size is only compared with the limits above). */
#define FUSE_SIZE_CAP (1 << 30)

typedef struct Producer {
  IrInst *compr;
  int size;   /* instructions of its fused body */
  bool store; /* decided: materialise it */
} Producer;

typedef struct Reads {
  IrInst *compr;
  PtrVec elems; /* IR_ELEM reads with distinct subscripts */
} Reads;

static Producer *producer_of(IrValue *t) {
  IrInst *c = t->def;
  return c && c->op == IR_COMPR ? c->aux : NULL;
}

static bool same_subscripts(IrInst *a, IrInst *b) {
  for (int k = 1; k < a->nops; k++)
    if (ir_op(a, k) != ir_op(b, k)) return false;
  return true;
}

/* Collects the distinct element reads of fusable producers in block b (regions included, bodies
 * of comprehensions defined inside left out: they are consumers of their own). */
static void collect_reads(Arena *a, IrBlock *b, PtrVec *reads) {
  for (IrInst *in = b->first; in; in = in->next) {
    if (in->op == IR_ELEM) {
      Producer *p = producer_of(ir_op(in, 0));
      IrUses *u = ir_op(in, 0)->aux;
      if (p && !p->store && u && u->other == 0) {
        Reads *r = NULL;
        for (int i = 0; i < reads->n && !r; i++)
          if (((Reads *)reads->items[i])->compr == p->compr) r = reads->items[i];
        if (!r) {
          r = NEW(a, Reads);
          r->compr = p->compr;
          vec_push(a, reads, r);
        }
        bool seen = false;
        for (int i = 0; i < r->elems.n && !seen; i++) seen = same_subscripts(r->elems.items[i], in);
        if (!seen) vec_push(a, &r->elems, in);
      }
    }
    if (in->op == IR_COMPR) continue;
    for (int k = 0; k < in->nregions; k++) collect_reads(a, in->regions[k], reads);
  }
}

/* Instructions of block b with every fusable producer's body counted where it is read. */
static int fused_size(IrBlock *b) {
  int64_t n = 0;
  for (IrInst *in = b->first; in; in = in->next) {
    Producer *p = in->op == IR_ELEM ? producer_of(ir_op(in, 0)) : NULL;
    IrUses *u = in->op == IR_ELEM ? ir_op(in, 0)->aux : NULL;
    n += p && !p->store && u && u->other == 0 ? p->size : 1;
    for (int k = 0; k < in->nregions; k++) n += fused_size(in->regions[k]);
    if (n > FUSE_SIZE_CAP) return FUSE_SIZE_CAP;
  }
  return (int)n;
}

/* Decides, for the consumer whose regions are `regions`, which producers it would copy too often. */
static void limit_copies(Arena *a, IrBlock **regions, int nregions) {
  PtrVec reads = {0};
  for (int k = 0; k < nregions; k++) collect_reads(a, regions[k], &reads);
  for (int i = 0; i < reads.n; i++) {
    Reads *r = reads.items[i];
    Producer *p = r->compr->aux;
    /* a body that only moves data (loads, casts, index arithmetic: a stack of flattened
     * inputs) costs less copied than stored, which would read it all and write it again */
    IrBlock *body = r->compr->regions[0];
    if (!computes(body) && !ir_contains_reduction(body) && p->size <= FUSE_SHARED_LIMIT) continue;
    if ((int64_t)(r->elems.n - 1) * p->size > FUSE_DUP_LIMIT) p->store = true;
  }
}

/* Walks the function in order: every comprehension is a consumer of what its body reads, then a
 * producer of a known size; a reduction outside any comprehension is a consumer too. */
static void plan_block(Arena *a, IrBlock *b, bool in_consumer) {
  for (IrInst *in = b->first; in; in = in->next) {
    for (int k = 0; k < in->nregions; k++) plan_block(a, in->regions[k], in_consumer || in->op == IR_COMPR || in->op == IR_REDUCE);
    if (in->op == IR_COMPR) {
      limit_copies(a, in->regions, in->nregions);
      Producer *p = NEW(a, Producer);
      p->compr = in;
      p->size = fused_size(in->regions[0]);
      p->store = in->flags & IRF_STORE;
      /* a large body read in several places (a backward's adjoints reach a state through two
       * paths at every step of an unrolled iterate) would be copied into each, and doubled at
       * every level: stored once instead */
      IrUses *u = in->res[0]->aux;
      if (p->size > FUSE_SHARED_LIMIT && u && u->elem > 1) p->store = true;
      in->aux = p;
    } else if (in->op == IR_REDUCE && !in_consumer) {
      limit_copies(a, in->regions, in->nregions);
    }
  }
}

static void clear_inst_aux(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    in->aux = NULL;
    for (int k = 0; k < in->nregions; k++) clear_inst_aux(in->regions[k]);
  }
}

typedef struct Fuser {
  IrFunc *fn;
  bool changed;
  bool enabled;
} Fuser;

static void fuse_block(Fuser *f, IrBlock *b) {
  for (IrInst *in = b->first, *next; in; in = next) {
    next = in->next;
    if (in->op == IR_DIM) {
      IrValue *t = ir_op(in, 0);
      if (t->def && t->def->op == IR_COMPR) {
        ir_replace(in->res[0], ir_op(t->def, (int)in->imm.i));
        ir_remove(in);
        f->changed = true;
        continue;
      }
    }
    if (in->op == IR_ELEM && f->enabled) {
      IrValue *t = ir_op(in, 0);
      IrInst *c = t->def;
      if (c && c->op == IR_COMPR) {
        IrUses *u = t->aux;
        Producer *p = c->aux;
        if (u && u->other == 0 && !(p && p->store) && !redundant(c, in)) {
          IrBuilder bld = {.fn = f->fn, .block = b, .before = in, .span = in->span};
          IrValue *idx[SN_MAX_RANK], *out = NULL;
          for (int k = 1; k < in->nops; k++) idx[k - 1] = ir_op(in, k);
          /* the region's first new instruction is where fusion continues, so nested
           * comprehensions in the copied body fuse too */
          IrInst *before = in->prev;
          ir_inline_region(&bld, c->regions[0], idx, &out, 1);
          IrValue *e = out;
          if (!ir_type_eq(e->type, in->res[0]->type)) e = ir_cast(&bld, e, in->res[0]->type);
          ir_replace(in->res[0], e);
          ir_remove(in);
          next = before ? before->next : b->first;
          f->changed = true;
          continue;
        }
      }
    }
    for (int r = 0; r < in->nregions; r++) fuse_block(f, in->regions[r]);
  }
}

/* --- size checks out of loops ------------------------------------------------------------------ */

/* A check that two sizes are equal (the range of k in C[i, j] = sum(k) x[i, k] * y[j, k], read
 * from both tensors) sits where sema checked the body, and fusion copies it into every loop that
 * reads C: it moves out of comprehensions and reductions, before the outermost one whose indices
 * it does not depend on, and runs once. (Over an empty range it now fails where it was not
 * reached before: the shapes are wrong all the same.) */
static void hoist_checks(IrBlock *b) {
  for (IrInst *in = b->first, *next; in; in = next) {
    next = in->next;
    for (int r = 0; r < in->nregions; r++) hoist_checks(in->regions[r]);
    if (in->op != IR_CHECK || in->sub != CHECK_DIMS) continue;
    IrInst *to = NULL;
    for (IrInst *o = b->parent; o && (o->op == IR_COMPR || o->op == IR_REDUCE); o = o->parent->parent) {
      bool invariant = true;
      for (int i = 0; i < in->nops; i++) invariant &= !ir_defined_within(ir_op(in, i), o);
      if (!invariant) break;
      to = o;
    }
    if (to) {
      ir_remove(in);
      ir_insert_before(to, in);
    }
  }
}

/* --- repeated reads ---------------------------------------------------------------------------- */

/* Two reads of one comprehension at the same subscripts in one block (`0.5 * s + 0.2 * sin(s)`
 * reads s[i] twice) become one before fusing, so its body is copied in once: copied per read, a
 * chain of such steps grew as 3^k and 8 unrolled steps never compiled. */
static void share_reads(Arena *a, IrBlock *b) {
  IrMap seen = {0}; /* tensor -> PtrVec of its reads in b */
  for (IrInst *in = b->first, *next; in; in = next) {
    next = in->next;
    for (int r = 0; r < in->nregions; r++) share_reads(a, in->regions[r]);
    if (in->op != IR_ELEM) continue;
    IrValue *t = ir_op(in, 0);
    if (!t->def || t->def->op != IR_COMPR) continue;
    PtrVec *reads = ir_map_get(&seen, t);
    if (!reads) {
      reads = NEW(a, PtrVec);
      ir_map_put(&seen, t, reads);
    }
    IrInst *same = NULL;
    for (int k = 0; k < reads->n && !same; k++) {
      IrInst *e = reads->items[k];
      bool eq = e->nops == in->nops;
      for (int j = 1; eq && j < in->nops; j++) eq = ir_op(e, j) == ir_op(in, j);
      if (eq) same = e;
    }
    if (same) {
      ir_replace(in->res[0], same->res[0]);
      ir_remove(in);
    } else {
      vec_push(a, reads, in);
    }
  }
  ir_map_free(&seen);
}

/* --- stored copies ------------------------------------------------------------------------------ */

/* The comprehension that c copies at its own indices, c[I] = p[I] over p's extents, with p's
 * dtype; NULL for any other c. */
static IrValue *copy_source(IrInst *c) {
  IrBlock *b = c->regions[0];
  IrInst *e = b->first;
  if (!e || e->op != IR_ELEM || e->nops != c->nops + 1 || !e->next || e->next->op != IR_YIELD ||
      ir_op(e->next, 0) != e->res[0])
    return NULL;
  IrValue *p = ir_op(e, 0);
  IrInst *d = p->def;
  if (!d || d->op != IR_COMPR || d->nops != c->nops || p->type.dtype != c->res[0]->type.dtype) return NULL;
  for (int k = 0; k < c->nops; k++)
    if (ir_op(e, k + 1) != b->args[k] || ir_op(d, k) != ir_op(c, k)) return NULL;
  return p;
}

/* Points the element reads of p in b (regions included) at c. */
static void read_copy(IrBlock *b, IrInst *from, IrValue *p, IrValue *c) {
  for (IrInst *in = from ? from->next : b->first; in; in = in->next) {
    if (in->op == IR_ELEM && ir_op(in, 0) == p) in->ops[0] = c;
    for (int r = 0; r < in->nregions; r++) read_copy(in->regions[r], NULL, p, c);
  }
}

/* A comprehension c that copies another, c[I] = p[I], and is stored (a call reads it whole: the
 * backward's dY of a linear layer, which BLAS reads) holds p's values: the reads of p after c
 * read c instead, and do not compute p's body again. A bias's gradient, the sum over rows of
 * dY, read p, the gather of dY from the attention heads' layout through quotients and
 * remainders, at every term; it reads the stored rows now. */
static void stored_copies(IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    for (int r = 0; r < in->nregions; r++) stored_copies(in->regions[r]);
    IrUses *u = in->op == IR_COMPR ? in->res[0]->aux : NULL;
    IrValue *p = u && u->other ? copy_source(in) : NULL;
    if (p) read_copy(b, in, p, in->res[0]);
  }
}

/* The matrix (or batch of matrices) that c transposes: c a comprehension
 * c[..., i, j] = m[..., j, i] of an m of its rank and dtype; NULL for any other c. */
static IrValue *transpose_of(IrValue *c) {
  IrInst *d = ir_val(c)->def;
  int r = d && d->op == IR_COMPR ? d->nops : 0;
  if (r < 2 || d->regions[0]->nargs != r) return NULL;
  IrBlock *b = d->regions[0];
  IrInst *e = b->first;
  if (!e || e->op != IR_ELEM || e->nops != r + 1 || ir_op(e, r - 1) != b->args[r - 1] || ir_op(e, r) != b->args[r - 2])
    return NULL;
  for (int k = 0; k < r - 2; k++)
    if (ir_op(e, k + 1) != b->args[k]) return NULL;
  IrInst *y = e->next;
  if (!y || y->op != IR_YIELD || y->nops != 1 || ir_op(y, 0) != e->res[0]) return NULL;
  IrValue *m = ir_op(e, 0);
  return m->type.rank == r && m->type.dtype == ir_val(c)->type.dtype ? m : NULL;
}

/* A product of transposed matrices (a gradient's A^T @ dC, a user's x.T @ y, attention's
 * q @ k^T over a batch) reads the matrices in place with BLAS's transpose flags (sn_matmul_t)
 * instead of a stored transposed copy. */
static void transposed_products(IrFunc *f, IrBlock *b) {
  for (IrInst *in = b->first; in; in = in->next) {
    for (int r = 0; r < in->nregions; r++) transposed_products(f, in->regions[r]);
    if (in->op != IR_CALL || in->sub != RT_MATMUL || ir_op(in, 0)->type.rank < 2 ||
        ir_op(in, 1)->type.rank != ir_op(in, 0)->type.rank)
      continue;
    IrValue *ta = transpose_of(ir_op(in, 0)), *tb = transpose_of(ir_op(in, 1));
    if (!ta && !tb) continue;
    IrBuilder ib = {.fn = f, .block = b, .before = in, .span = in->span};
    IrValue *ops[4] = {ta ? ta : ir_op(in, 0), tb ? tb : ir_op(in, 1), ir_const_bool(&ib, ta != NULL),
                       ir_const_bool(&ib, tb != NULL)};
    IrValue *res = ir_call(&ib, RT_MATMUL_T, 4, ops);
    res->type = in->res[0]->type;
    res->dims = in->res[0]->dims;
    ir_replace(in->res[0], res);
  }
}

void pass_fuse(IrFunc *f, const PassOptions *opt) {
  Arena scratch = {0};
  Fuser fu = {f, true, opt->fuse};
  transposed_products(f, f->body);
  pass_dce(f, opt);
  share_reads(&scratch, f->body);
  ir_resolve(f);
  ir_count_uses(&scratch, f);
  stored_copies(f->body);
  ir_count_uses(&scratch, f);
  plan_block(&scratch, f->body, false);
  while (fu.changed) {
    fu.changed = false;
    ir_count_uses(&scratch, f);
    fuse_block(&fu, f->body);
    ir_clear_aux(f->body);
    pass_dce(f, opt);
  }
  clear_inst_aux(f->body);
  arena_free(&scratch);
  ir_resolve(f);
  hoist_checks(f->body);
}
