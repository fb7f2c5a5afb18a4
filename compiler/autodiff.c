/* autodiff.c: reverse-mode automatic differentiation of the tensor-level IR (autodiff.h).
 *
 * The function's IR is first put in a normal form: every comprehension's body is a scalar
 * computation, or (a reduction's comprehension, R[i] = lse(j) body(i, j)) one reduction whose
 * body is one; every reduction's body is a scalar computation. A reduction found anywhere else
 * becomes a comprehension of its own over the indices around it, read where it was
 * (`hoist`). That costs nothing by itself (a comprehension is lazy: fusion puts it back where
 * it is read, or stores it when the backward reads it again for every term of another index, as
 * an lse's values). Then the backward walks the top-level instructions in reverse order:
 *
 * - scalar operations have the usual rules (`scalar_rule`);
 * - a tensor's adjoint is the sum of its contributions, each a lazy comprehension over the
 *   tensor's indices. A comprehension or reduction that reads x[s(I)] at the points I of its
 *   iteration space gives x the contribution dx[p] = sum over I with s(I) = p of the adjoint of
 *   that read at I. When the subscripts are distinct indices (x[i, k] in a body over i, j, k),
 *   those indices become p's and the others are summed: dx[i, k] = sum(j) ..., a gather, never
 *   a scatter; a linear subscript binds its outermost index: i + c binds i = p - c, a window
 *   t * stride + j - pad binds t = (p - j + pad) / stride (checked exact) and sums j, k terms
 *   per point, each checked in range; a flat index of several (z * s + i with i < s, or q / n
 *   and q % n at two axes, as a reshape reads, also at an offset) binds them by quotients and
 *   remainders; an integer tensor's element at distinct indices (W[idx[i], k], an embedding)
 *   binds them from the positions of idx whose value is p, grouped once by the runtime; any
 *   other subscript (y[i] in z[i, y[i]]) is a condition p = s(I), summed over every point.
 *   The adjoint at a point is computed by copying
 *   the body there (recomputing the forward, as KeOps does by hand) and sweeping it backwards,
 *   so the backward of a lazy comprehension stays lazy: O(n + m) memory for a pairwise lse.
 * - `@` goes back through BLAS (dA = dC @ B^T, dB = A^T @ dC); a literal's elements take their
 *   adjoints from the literal's.
 * Gradients pass through float values only: an integer, a comparison or argmax cuts them, and a
 * loss that depends on an argument only through such a cut is an error. */
#include "autodiff.h"

#include <math.h>
#include <string.h>

#include "passes.h"
#include "reductions.h"
#include "rtabi.h"

/* A top-level region instruction in normal form and its iteration space: the comprehension's
 * or reduction's indices, then (a reduction's comprehension) the inner reduction's. */
typedef struct Chain {
  IrInst *top;
  IrInst *inner;
  IrValue *vars[2 * SN_MAX_RANK];
  IrValue *ext[2 * SN_MAX_RANK];
  int nvars, ntop;
  IrValue *seed;   /* the adjoint of top's result: a scalar, or a tensor */
  IrValue *count;  /* max/min: how many terms reach the extreme (a scalar, or over top's indices) */
  IrValue *zeros;  /* prod: how many terms are zero, */
  IrValue *nonzero;/* and the product of the others */
} Chain;

/* What a backward sweep over a chain's body collects: the reads of one tensor at one list of
 * subscripts, or one scalar defined outside the chain. */
typedef struct Target {
  IrValue *tensor;
  IrValue **subs;
  int nsubs;
  IrValue *scalar;
} Target;

typedef struct Ad {
  IrFunc *fn;
  DiagBag *diags;
  Span where;      /* the grad call */
  bool failed;
  IrBuilder top;   /* where the backward goes: before the grad instruction */
  IrMap active;    /* value -> itself: float values a gradient flows through */
  IrMap touched;   /* value -> itself: values that depend on an argument at all */
  IrMap tadj;      /* top-level tensor -> PtrVec of its adjoint's contributions */
  struct Sweep *sweep; /* the top-level sweep: a kernel's rule reads its scalar parts' adjoints */
} Ad;

/* A backward sweep: at the top level (pt empty), or at one point of a chain's iteration space,
 * where the forward values are copies made at that point (pt: forward value -> copy). */
typedef struct Sweep {
  Ad *ad;
  IrBuilder *b;
  IrMap *pt;
  IrMap adj;       /* forward scalar -> its adjoint here */
  const Target *t; /* point sweeps: what to collect, into acc */
  IrValue *acc;
} Sweep;

static bool float_dtype(int dt) { return dt == SN_F16 || dt == SN_BF16 || dt == SN_F32 || dt == SN_F64; }
static bool float_valued(IrType t) { return (t.kind == IRT_SCALAR || t.kind == IRT_TENSOR) && float_dtype(t.dtype); }
static bool is_active(Ad *ad, IrValue *v) { return ir_map_get(&ad->active, ir_val(v)) != NULL; }
static bool is_touched(Ad *ad, IrValue *v) { return ir_map_get(&ad->touched, ir_val(v)) != NULL; }

static void fail(Ad *ad, Span at, const char *msg, const char *hint) {
  if (ad->failed) return;
  ad->failed = true;
  Diag *g = diag_error(ad->diags, at.src ? at : ad->where, "%s", msg);
  if (hint) diag_hint(ad->diags, g, "%s", hint);
}

/* The scalar type of an element of t (16-bit floats compute in f32). */
static IrType elem_type(IrValue *t) {
  int dt = ir_val(t)->type.dtype;
  return ir_scalar(dt == SN_F16 || dt == SN_BF16 ? SN_F32 : (SnDtype)dt);
}

static IrValue *zero_of(IrBuilder *b, IrType t) { return ir_const_f(b, (SnDtype)t.dtype, 0); }

/* Is v defined inside the instruction `in` (in one of its regions, at any depth)? */
static bool defined_inside(IrValue *v, IrInst *in) {
  v = ir_val(v);
  IrBlock *blk = v->def ? v->def->parent : v->block;
  while (blk) {
    if (blk->parent == in) return true;
    blk = blk->parent ? blk->parent->parent : NULL;
  }
  return false;
}

/* A size used inside `in` as a value at the builder, which is outside: itself when it is
 * defined outside, else a copy of its (constant or index-free) computation, or NULL. */
static IrValue *hoist_value(IrBuilder *b, IrInst *in, IrValue *v) {
  v = ir_val(v);
  if (!defined_inside(v, in)) return v;
  IrInst *d = v->def;
  if (!d || d->nregions || !(ir_inst_flags(d) & OPF_PURE) || d->op == IR_ELEM) return NULL;
  IrMap m = {0};
  for (int k = 0; k < d->nops; k++) {
    IrValue *o = hoist_value(b, in, d->ops[k]);
    if (!o) {
      ir_map_free(&m);
      return NULL;
    }
    ir_map_put(&m, ir_val(d->ops[k]), o);
  }
  ir_clone_inst(b, &m, d);
  IrValue *r = ir_map_get(&m, v);
  ir_map_free(&m);
  return r;
}

/* --- normal form: reductions hoisted into comprehensions of their own --------------------------- */

static bool hoist_reductions(Ad *ad, IrInst *top, IrBlock *blk, IrValue **space, int nspace, IrInst *keep);

/* Collects into deps the instructions inside `top` (not in `r`) that r needs, in no order. */
static void collect_deps(IrInst *top, IrInst *r, IrValue *v, IrMap *deps, IrValue **space, int nspace) {
  v = ir_val(v);
  if (!defined_inside(v, top) || ir_map_get(deps, v)) return;
  for (int k = 0; k < nspace; k++)
    if (space[k] == v) return;
  if (!v->def) return; /* an index of a region around r, which r's copy receives as such */
  IrInst *d = v->def;
  for (int k = 0; k < d->nres; k++) ir_map_put(deps, d->res[k], d);
  for (int k = 0; k < d->nops; k++) collect_deps(top, r, d->ops[k], deps, space, nspace);
  for (int q = 0; q < d->nregions; q++)
    for (IrInst *in = d->regions[q]->first; in; in = in->next)
      for (int k = 0; k < in->nops; k++)
        if (!defined_inside(in->ops[k], d)) collect_deps(top, r, in->ops[k], deps, space, nspace);
}

/* The values a region instruction reads from outside it, at any depth. */
static void outer_uses(IrInst *r, IrBlock *blk, PtrVec *out, Arena *a) {
  for (IrInst *in = blk->first; in; in = in->next) {
    for (int k = 0; k < in->nops; k++)
      if (!defined_inside(in->ops[k], r)) vec_push(a, out, ir_val(in->ops[k]));
    for (int q = 0; q < in->nregions; q++) outer_uses(r, in->regions[q], out, a);
  }
}

/* Copies, in program order, the instructions of blk (inside top, before r) that deps holds. */
static void clone_deps(IrBuilder *b, IrMap *m, IrBlock *blk, IrInst *r, IrMap *deps) {
  for (IrInst *in = blk->first; in && in != r; in = in->next) {
    if (in->nres && ir_map_get(deps, in->res[0])) {
      ir_clone_inst(b, m, in);
      continue;
    }
    for (int q = 0; q < in->nregions; q++) clone_deps(b, m, in->regions[q], r, deps);
  }
}

/* Replaces the reduction r (inside top, at the point `space` of top's iteration space) by an
 * element of a new comprehension over that space, emitted before top. */
static bool hoist(Ad *ad, IrInst *top, IrInst *r, IrValue **space, IrValue **ext, int nspace) {
  IrBuilder *b = &ad->top;
  IrBuilder at = *b;
  at.before = top;
  IrValue *hext[2 * SN_MAX_RANK];
  for (int k = 0; k < nspace; k++)
    if (!(hext[k] = hoist_value(&at, top, ext[k]))) {
      fail(ad, r->span, "cannot differentiate a reduction whose range depends on an index", NULL);
      return false;
    }
  IrType tt = ir_tensor((SnDtype)r->res[0]->type.dtype, nspace);
  IrInst *c = ir_emit(&at, IR_COMPR, nspace, hext, 1, &tt, 1);
  c->span = r->span;
  c->res[0]->dims = arena_alloc(ad->fn->arena, (size_t)(nspace ? nspace : 1) * sizeof(IrValue *));
  memcpy(c->res[0]->dims, hext, (size_t)nspace * sizeof(IrValue *));
  IrMap m = {0};
  for (int k = 0; k < nspace; k++) ir_map_put(&m, space[k], ir_block_arg(ad->fn, c->regions[0], ir_i64));
  IrMap deps = {0};
  PtrVec uses = {0};
  for (int k = 0; k < r->nops; k++) vec_push(ad->fn->arena, &uses, ir_val(r->ops[k]));
  outer_uses(r, r->regions[0], &uses, ad->fn->arena);
  for (int k = 0; k < uses.n; k++) collect_deps(top, r, uses.items[k], &deps, space, nspace);
  IrBuilder in = {.fn = ad->fn, .block = c->regions[0], .span = r->span};
  clone_deps(&in, &m, top->regions[0], r, &deps);
  ir_clone_inst(&in, &m, r);
  IrValue *y = ir_map_get(&m, r->res[0]);
  ir_yield(&in, 1, &y);
  ir_map_free(&deps);
  ir_map_free(&m);
  IrBuilder here = {.fn = ad->fn, .block = r->parent, .before = r, .span = r->span};
  IrValue *e = ir_elem(&here, c->res[0], nspace, space);
  ir_replace(r->res[0], e);
  ir_remove(r);
  return true;
}

/* Hoists every reduction of blk (inside top, whose body's iteration space is `space`) but
 * `keep`, normalising each one's own body first. */
static bool hoist_reductions(Ad *ad, IrInst *top, IrBlock *blk, IrValue **space, int nspace, IrInst *keep) {
  IrValue *ext[2 * SN_MAX_RANK];
  for (int k = 0; k < nspace; k++) {
    IrInst *owner = space[k]->block->parent;
    ext[k] = owner->ops[space[k]->index];
  }
  IrInst *next;
  for (IrInst *in = blk->first; in; in = next) {
    next = in->next;
    if (in->op == IR_REDUCE) {
      IrBlock *body = in->regions[0];
      IrValue *inner[2 * SN_MAX_RANK];
      if (nspace + body->nargs > 2 * SN_MAX_RANK) {
        fail(ad, in->span, "cannot differentiate reductions nested this deep", NULL);
        return false;
      }
      memcpy(inner, space, (size_t)nspace * sizeof *inner);
      memcpy(inner + nspace, body->args, (size_t)body->nargs * sizeof *inner);
      if (!hoist_reductions(ad, top, body, inner, nspace + body->nargs, NULL)) return false;
      if (in != keep && !hoist(ad, top, in, space, ext, nspace)) return false;
    } else if (in->op == IR_COMPR || in->op == IR_LOOP || in->op == IR_GRAD) {
      if (in->op == IR_COMPR) fail(ad, in->span, "cannot differentiate a comprehension inside another", NULL);
      else fail(ad, in->span, "cannot differentiate through an iterate inside a comprehension or reduction", NULL);
      return false;
    } else {
      for (int q = 0; q < in->nregions; q++)
        if (!hoist_reductions(ad, top, in->regions[q], space, nspace, NULL)) return false;
    }
  }
  return true;
}

/* The reduction a comprehension's body yields, when the rest of the body only prepares it. */
static IrInst *yielded_reduction(IrInst *c) {
  IrInst *y = c->regions[0]->last;
  IrValue *v = y && y->nops == 1 ? ir_val(y->ops[0]) : NULL;
  return v && v->def && v->def->op == IR_REDUCE && v->def->parent == c->regions[0] ? v->def : NULL;
}

/* Moves the instructions of top's bodies that depend on none of their indices (a tensor a
 * function computes inside a reduction's body, `mean(i) (model(p, x)[i] - y[i])^2`) out, before
 * top, in their order; `variant` holds the values that depend on an index. Branches of an `if`
 * keep theirs: they run only when taken. Returns the first instruction moved, or NULL. */
static bool invariant(IrInst *in, IrMap *variant) {
  if (in->op == IR_YIELD || in->op == IR_GRAD || in->op == IR_LOOP) return false;
  unsigned f = ir_inst_flags(in);
  if ((f & OPF_WRITES) && in->op != IR_STORE) return false;
  for (int k = 0; k < in->nops; k++)
    if (ir_map_get(variant, ir_op(in, k))) return false;
  for (int q = 0; q < in->nregions; q++) {
    PtrVec uses = {0};
    Arena scratch = {0};
    outer_uses(in, in->regions[q], &uses, &scratch);
    bool dep = false;
    for (int k = 0; k < uses.n && !dep; k++) dep = ir_map_get(variant, uses.items[k]) != NULL;
    arena_free(&scratch);
    if (dep) return false;
  }
  return true;
}

static void mark_variant(IrInst *in, IrMap *variant) {
  for (int k = 0; k < in->nres; k++) ir_map_put(variant, in->res[k], in->res[k]);
  for (int q = 0; q < in->nregions; q++) {
    IrBlock *r = in->regions[q];
    for (int k = 0; k < r->nargs; k++) ir_map_put(variant, r->args[k], r->args[k]);
    for (IrInst *x = r->first; x; x = x->next) mark_variant(x, variant);
  }
}

static IrInst *hoist_body(IrInst *top, IrBlock *body, IrMap *variant, IrInst *moved) {
  for (int k = 0; k < body->nargs; k++) ir_map_put(variant, body->args[k], body->args[k]);
  IrInst *next;
  for (IrInst *in = body->first; in; in = next) {
    next = in->next;
    if (invariant(in, variant)) {
      ir_remove(in);
      ir_insert_before(top, in);
      if (!moved) moved = in;
      continue;
    }
    if (in->op == IR_COMPR || in->op == IR_REDUCE) {
      for (int k = 0; k < in->nres; k++) ir_map_put(variant, in->res[k], in->res[k]);
      moved = hoist_body(top, in->regions[0], variant, moved);
    } else {
      mark_variant(in, variant);
    }
  }
  return moved;
}

static bool normalise(Ad *ad, IrInst *in) {
  IrBlock *body = in->regions[0];
  return hoist_reductions(ad, in, body, body->args, body->nargs, in->op == IR_COMPR ? yielded_reduction(in) : NULL);
}

static bool chain_of(Ad *ad, IrInst *in, Chain *ch) {
  memset(ch, 0, sizeof *ch);
  ch->top = in;
  IrBlock *body = in->regions[0];
  for (int k = 0; k < body->nargs; k++) {
    ch->vars[ch->nvars] = body->args[k];
    ch->ext[ch->nvars++] = ir_val(in->ops[k]);
  }
  ch->ntop = ch->nvars;
  if (in->op == IR_COMPR && (ch->inner = yielded_reduction(in))) {
    IrBlock *ib = ch->inner->regions[0];
    for (int k = 0; k < ib->nargs; k++) {
      ch->vars[ch->nvars] = ib->args[k];
      if (!(ch->ext[ch->nvars++] = hoist_value(&ad->top, in, ch->inner->ops[k]))) {
        fail(ad, ch->inner->span, "cannot differentiate a reduction whose range depends on an index", NULL);
        return false;
      }
    }
  }
  return true;
}

/* --- activity: which values a gradient flows through -------------------------------------------- */

/* A math function whose derivative is zero wherever it exists (or that gives a bool). */
static bool flat_math(int fn) { return fn == MF_FLOOR || fn == MF_CEIL || fn == MF_ROUND || fn == MF_ISNAN; }

/* Marks the instructions from `first` up to `stop` (NULL: the block's end). */
static bool has_rule(int fn);

static void activity(Ad *ad, IrInst *first, IrInst *stop) {
  for (IrInst *in = first; in != stop; in = in->next) {
    for (int q = 0; q < in->nregions; q++) activity(ad, in->regions[q]->first, NULL);
    bool act = false, touch = false;
    for (int k = 0; k < in->nops; k++) {
      act |= is_active(ad, in->ops[k]);
      touch |= is_touched(ad, in->ops[k]);
    }
    for (int q = 0; q < in->nregions; q++) {
      IrInst *y = in->regions[q]->last;
      for (int k = 0; y && y->op == IR_YIELD && k < y->nops; k++) {
        act |= is_active(ad, y->ops[k]);
        touch |= is_touched(ad, y->ops[k]);
      }
    }
    if (in->op == IR_STORE && in->nops == 3) {
      IrValue *p = ir_op(in, 0);
      if (p->def && p->def->op == IR_DATA) {
        if (is_active(ad, in->ops[2])) ir_map_put(&ad->active, ir_op(p->def, 0), p);
        if (is_touched(ad, in->ops[2])) ir_map_put(&ad->touched, ir_op(p->def, 0), p);
      }
      continue;
    }
    if (in->op == IR_CMP || in->op == IR_NOT || in->op == IR_DIM || (in->op == IR_MATH && flat_math(in->sub)) ||
        (in->op == IR_REDUCE && red_info[in->sub].result != RR_WIDEN && red_info[in->sub].result != RR_SAME &&
         red_info[in->sub].result != RR_FLOAT))
      act = false;
    for (int k = 0; k < in->nres; k++) {
      if (touch) ir_map_put(&ad->touched, in->res[k], in->res[k]);
      if (act && float_valued(in->res[k]->type)) ir_map_put(&ad->active, in->res[k], in->res[k]);
    }
    /* a kernel's result of several parts (slogdet's): its parts carry the gradient to its rule */
    if (act && in->op == IR_CALL && rt_fns[in->sub].ret == K_RESULT && has_rule(in->sub))
      ir_map_put(&ad->active, in->res[0], in->res[0]);
  }
}

/* An instruction on the way from the arguments to v that takes no gradient from its active
 * operands: where a loss that depends on an argument stops being differentiable. */
static IrInst *find_cut(Ad *ad, IrValue *v, IrMap *seen) {
  v = ir_val(v);
  if (!is_touched(ad, v) || is_active(ad, v) || !v->def || ir_map_get(seen, v)) return NULL;
  ir_map_put(seen, v, v);
  IrInst *d = v->def;
  for (int k = 0; k < d->nops; k++)
    if (is_active(ad, d->ops[k])) return d;
  for (int k = 0; k < d->nops; k++) {
    IrInst *c = find_cut(ad, d->ops[k], seen);
    if (c) return c;
  }
  for (int q = 0; q < d->nregions; q++) {
    PtrVec uses = {0};
    outer_uses(d, d->regions[q], &uses, ad->fn->arena);
    IrInst *y = d->regions[q]->last;
    for (int k = 0; y && k < y->nops; k++) vec_push(ad->fn->arena, &uses, ir_val(y->ops[k]));
    for (int k = 0; k < uses.n; k++) {
      IrValue *u = uses.items[k];
      if (is_active(ad, u)) return d;
      IrInst *c = find_cut(ad, u, seen);
      if (c) return c;
    }
  }
  return NULL;
}

/* --- adjoints ------------------------------------------------------------------------------------ */

static IrValue *cl(Sweep *sw, IrValue *v) {
  v = ir_val(v);
  IrValue *c = sw->pt ? ir_map_get(sw->pt, v) : NULL;
  return c ? c : v;
}

static void add_adj(Sweep *sw, IrValue *v, IrValue *g) {
  v = ir_val(v);
  if (!is_active(sw->ad, v) || !g) return;
  if (!ir_type_eq(g->type, v->type)) g = ir_cast(sw->b, g, v->type);
  IrValue *old = ir_map_get(&sw->adj, v);
  ir_map_put(&sw->adj, v, old ? ir_bin(sw->b, BIN_ADD, old, g) : g);
}

static IrValue *get_adj(Sweep *sw, IrValue *v) { return ir_map_get(&sw->adj, ir_val(v)); }

/* Adds a contribution to t's adjoint: for a tensor, a tensor; for a top-level scalar, a scalar
 * that a chain computed (scalar_adj adds it). */
static void add_tensor_adj(Ad *ad, IrValue *t, IrValue *part) {
  t = ir_val(t);
  PtrVec *parts = ir_map_get(&ad->tadj, t);
  if (!parts) {
    parts = NEW(ad->fn->arena, PtrVec);
    ir_map_put(&ad->tadj, t, parts);
  }
  vec_push(ad->fn->arena, parts, part);
}

/* t's sizes as values at the top level. */
static void dims_of(Ad *ad, IrValue *t, IrValue **dims) {
  t = ir_val(t);
  for (int k = 0; k < t->type.rank; k++) dims[k] = t->dims ? ir_val(t->dims[k]) : ir_dim(&ad->top, t, k);
}

/* A new comprehension of t's type and sizes at the top level; its body is built at *in. */
static IrInst *compr_like(Ad *ad, IrValue *t, IrBuilder *in, IrValue **idx) {
  t = ir_val(t);
  int rank = t->type.rank;
  IrValue **dims = arena_alloc(ad->fn->arena, (size_t)(rank ? rank : 1) * sizeof *dims);
  dims_of(ad, t, dims);
  IrType tt = ir_tensor((SnDtype)t->type.dtype, rank);
  IrInst *c = ir_emit(&ad->top, IR_COMPR, rank, dims, 1, &tt, 1);
  if (!fuse_stores(t)) c->flags |= IRF_LAZY;
  c->res[0]->dims = dims;
  for (int k = 0; k < rank; k++) idx[k] = ir_block_arg(ad->fn, c->regions[0], ir_i64);
  *in = (IrBuilder){.fn = ad->fn, .block = c->regions[0], .span = ad->top.span};
  return c;
}

/* t's adjoint: the sum of its contributions, or NULL when it has none (zero). */
static IrValue *tensor_adj(Ad *ad, IrValue *t) {
  PtrVec *parts = ir_map_get(&ad->tadj, ir_val(t));
  if (!parts || !parts->n) return NULL;
  if (parts->n == 1) return parts->items[0];
  IrBuilder in;
  IrValue *idx[SN_MAX_RANK];
  IrInst *c = compr_like(ad, t, &in, idx);
  IrValue *s = NULL;
  for (int k = 0; k < parts->n; k++) {
    IrValue *e = ir_elem(&in, parts->items[k], ir_val(t)->type.rank, idx);
    s = s ? ir_bin(&in, BIN_ADD, s, e) : e;
  }
  ir_yield(&in, 1, &s);
  parts->n = 1;
  parts->items[0] = c->res[0];
  return c->res[0];
}

static IrValue *zeros_like(Ad *ad, IrValue *t) {
  IrBuilder in;
  IrValue *idx[SN_MAX_RANK];
  IrInst *c = compr_like(ad, t, &in, idx);
  IrValue *z = zero_of(&in, elem_type(t));
  ir_yield(&in, 1, &z);
  return c->res[0];
}

/* --- scalar rules ------------------------------------------------------------------------------- */

static void sweep_block(Sweep *sw, IrBlock *blk, IrInst *from);

/* The most values from outside an `if` whose adjoints its backward yields (a branch of a
 * comprehension's body reads a few; the yield is a stack array). */
#define AD_IF_MAX 256

/* The adjoints of an `if` at a point: an `if` on the same condition whose branches copy the
 * branch's forward and sweep it back, yielding the adjoints of what the branch reads from
 * outside, and the target's share. */
static void if_rule(Sweep *sw, IrInst *in) {
  Ad *ad = sw->ad;
  PtrVec outer = {0};
  for (int q = 0; q < 2; q++) outer_uses(in, in->regions[q], &outer, ad->fn->arena);
  IrValue *u[AD_IF_MAX];
  int nu = 0;
  for (int k = 0; k < outer.n; k++) {
    IrValue *v = outer.items[k];
    if (v->type.kind != IRT_SCALAR || !is_active(ad, v)) continue;
    bool seen = false;
    for (int j = 0; j < nu; j++) seen |= u[j] == v;
    if (seen) continue;
    if (nu == AD_IF_MAX) {
      fail(ad, in->span, "cannot differentiate an `if` whose branches read this many values", NULL);
      return;
    }
    u[nu++] = v;
  }
  IrType acct = sw->t ? (sw->t->scalar ? ir_val(sw->t->scalar)->type : elem_type(sw->t->tensor)) : ir_scalar(SN_F64);
  IrValue *cond = cl(sw, in->ops[0]);
  IrInst *bi = ir_emit(sw->b, IR_IF, 1, &cond, 0, NULL, 2);
  for (int q = 0; q < 2; q++) {
    IrBuilder bb = {.fn = ad->fn, .block = bi->regions[q], .span = in->span};
    /* the enclosing point's values, then the branch's forward copied after them */
    IrMap pt = {0};
    for (size_t k = 0; sw->pt && k < sw->pt->cap; k++)
      if (sw->pt->from[k]) ir_map_put(&pt, sw->pt->from[k], sw->pt->to[k]);
    for (IrInst *x = in->regions[q]->first; x && x->op != IR_YIELD; x = x->next) ir_clone_inst(&bb, &pt, x);
    Sweep sub = {.ad = ad, .b = &bb, .pt = &pt, .t = sw->t};
    IrInst *y = in->regions[q]->last;
    for (int k = 0; k < in->nres; k++) {
      IrValue *g = get_adj(sw, in->res[k]);
      if (g) add_adj(&sub, y->ops[k], g);
    }
    sweep_block(&sub, in->regions[q], NULL);
    IrValue *ys[AD_IF_MAX + 1];
    ys[0] = sub.acc ? sub.acc : zero_of(&bb, acct);
    for (int k = 0; k < nu; k++) {
      IrValue *g = get_adj(&sub, u[k]);
      ys[1 + k] = g ? g : zero_of(&bb, u[k]->type);
    }
    ir_yield(&bb, 1 + nu, ys);
    ir_map_free(&sub.adj);
    ir_map_free(&pt);
  }
  ir_set_results(ad->fn, bi, 1 + nu);
  bi->res[0]->type = acct;
  for (int k = 0; k < nu; k++) bi->res[1 + k]->type = u[k]->type;
  if (sw->t) sw->acc = sw->acc ? ir_bin(sw->b, BIN_ADD, sw->acc, bi->res[0]) : bi->res[0];
  for (int k = 0; k < nu; k++) add_adj(sw, u[k], bi->res[1 + k]);
}

static IrValue *fconst(Sweep *sw, IrValue *like, double v) { return ir_const_f(sw->b, (SnDtype)ir_val(like)->type.dtype, v); }

/* d/dx of the math function fn at x (r = fn(x)), times g. */
static bool math_rule(Sweep *sw, IrInst *in, IrValue *g) {
  IrBuilder *b = sw->b;
  IrValue *x = cl(sw, in->ops[0]), *r = cl(sw, in->res[0]);
  IrValue *one = fconst(sw, x, 1), *d = NULL;
  switch ((IrMathFn)in->sub) {
  case MF_EXP: d = r; break;
  case MF_EXPM1: d = ir_bin(b, BIN_ADD, r, one); break;
  case MF_LOG: d = ir_bin(b, BIN_DIV, one, x); break;
  case MF_LOG1P: d = ir_bin(b, BIN_DIV, one, ir_bin(b, BIN_ADD, x, one)); break;
  case MF_LOG2: d = ir_bin(b, BIN_DIV, one, ir_bin(b, BIN_MUL, x, fconst(sw, x, M_LN2))); break;
  case MF_LOG10: d = ir_bin(b, BIN_DIV, one, ir_bin(b, BIN_MUL, x, fconst(sw, x, M_LN10))); break;
  case MF_SQRT: d = ir_bin(b, BIN_DIV, fconst(sw, x, 0.5), r); break;
  case MF_ABS: /* sign(x), 0 at 0 (PyTorch) */
    d = ir_select(b, ir_cmp(b, CMP_GT, x, fconst(sw, x, 0)), one,
                  ir_select(b, ir_cmp(b, CMP_LT, x, fconst(sw, x, 0)), fconst(sw, x, -1), fconst(sw, x, 0)));
    break;
  case MF_TANH: d = ir_bin(b, BIN_SUB, one, ir_bin(b, BIN_MUL, r, r)); break;
  case MF_SIN: d = ir_math(b, MF_COS, x, NULL); break;
  case MF_COS: d = ir_neg(b, ir_math(b, MF_SIN, x, NULL)); break;
  case MF_TAN: d = ir_bin(b, BIN_ADD, one, ir_bin(b, BIN_MUL, r, r)); break;
  case MF_ERF: /* 2/sqrt(pi) exp(-x^2) */
    d = ir_bin(b, BIN_MUL, fconst(sw, x, 1.1283791670955126), ir_math(b, MF_EXP, ir_neg(b, ir_bin(b, BIN_MUL, x, x)), NULL));
    break;
  case MF_ASIN: d = ir_bin(b, BIN_DIV, one, ir_math(b, MF_SQRT, ir_bin(b, BIN_SUB, one, ir_bin(b, BIN_MUL, x, x)), NULL)); break;
  case MF_ACOS: d = ir_neg(b, ir_bin(b, BIN_DIV, one, ir_math(b, MF_SQRT, ir_bin(b, BIN_SUB, one, ir_bin(b, BIN_MUL, x, x)), NULL))); break;
  case MF_ATAN: d = ir_bin(b, BIN_DIV, one, ir_bin(b, BIN_ADD, one, ir_bin(b, BIN_MUL, x, x))); break;
  case MF_SINH: d = ir_math(b, MF_COSH, x, NULL); break;
  case MF_COSH: d = ir_math(b, MF_SINH, x, NULL); break;
  case MF_POW: { /* x^y: y x^(y-1); and x^y log x, 0 where x = 0 and y >= 0 (PyTorch) */
    IrValue *y = cl(sw, in->ops[1]);
    add_adj(sw, in->ops[0], ir_bin(b, BIN_MUL, g, ir_bin(b, BIN_MUL, y, ir_math(b, MF_POW, x, ir_bin(b, BIN_SUB, y, one)))));
    IrValue *zero = fconst(sw, x, 0);
    IrValue *dy = ir_bin(b, BIN_MUL, r, ir_math(b, MF_LOG, x, NULL));
    dy = ir_select(b, ir_cmp(b, CMP_EQ, x, zero), zero, dy);
    add_adj(sw, in->ops[1], ir_bin(b, BIN_MUL, g, dy));
    return true;
  }
  case MF_ATAN2: { /* atan2(y, x): x / (x^2 + y^2), -y / (x^2 + y^2) */
    IrValue *y = x, *xx = cl(sw, in->ops[1]);
    IrValue *den = ir_bin(b, BIN_ADD, ir_bin(b, BIN_MUL, xx, xx), ir_bin(b, BIN_MUL, y, y));
    add_adj(sw, in->ops[0], ir_bin(b, BIN_DIV, ir_bin(b, BIN_MUL, g, xx), den));
    add_adj(sw, in->ops[1], ir_neg(b, ir_bin(b, BIN_DIV, ir_bin(b, BIN_MUL, g, y), den)));
    return true;
  }
  case MF_HYPOT: { /* x / r, y / r */
    IrValue *y = cl(sw, in->ops[1]);
    add_adj(sw, in->ops[0], ir_bin(b, BIN_DIV, ir_bin(b, BIN_MUL, g, x), r));
    add_adj(sw, in->ops[1], ir_bin(b, BIN_DIV, ir_bin(b, BIN_MUL, g, y), r));
    return true;
  }
  default: return false;
  }
  add_adj(sw, in->ops[0], ir_bin(b, BIN_MUL, g, d));
  return true;
}

/* The rules of the scalar operations; false for an instruction that is not one. */
static bool scalar_rule(Sweep *sw, IrInst *in) {
  IrBuilder *b = sw->b;
  if (in->op == IR_IF && in->nres && in->res[0]->type.kind == IRT_SCALAR) {
    if_rule(sw, in);
    return true;
  }
  if (in->nres != 1 || in->res[0]->type.kind != IRT_SCALAR) return false;
  IrValue *g = get_adj(sw, in->res[0]);
  switch (in->op) {
  case IR_CONST: case IR_CMP: case IR_NOT: case IR_DIM: return true;
  case IR_NEG: if (g) add_adj(sw, in->ops[0], ir_neg(b, g)); return true;
  case IR_CAST: if (g && float_valued(ir_op(in, 0)->type)) add_adj(sw, in->ops[0], g); return true;
  case IR_SELECT:
    if (g) {
      IrValue *c = cl(sw, in->ops[0]), *z = zero_of(b, g->type);
      add_adj(sw, in->ops[1], ir_select(b, c, g, z));
      add_adj(sw, in->ops[2], ir_select(b, c, z, g));
    }
    return true;
  case IR_MATH:
    if (!g || flat_math(in->sub)) return true;
    if (!math_rule(sw, in, g)) fail(sw->ad, in->span, "no gradient rule for this math function", NULL);
    return true;
  case IR_BIN: {
    if (!g) return true;
    IrValue *x = cl(sw, in->ops[0]), *y = cl(sw, in->ops[1]);
    switch ((IrBinOp)in->sub) {
    case BIN_ADD: add_adj(sw, in->ops[0], g); add_adj(sw, in->ops[1], g); break;
    case BIN_SUB: add_adj(sw, in->ops[0], g); add_adj(sw, in->ops[1], ir_neg(b, g)); break;
    case BIN_MUL:
      add_adj(sw, in->ops[0], ir_bin(b, BIN_MUL, g, y));
      add_adj(sw, in->ops[1], ir_bin(b, BIN_MUL, g, x));
      break;
    case BIN_DIV:
      add_adj(sw, in->ops[0], ir_bin(b, BIN_DIV, g, y));
      add_adj(sw, in->ops[1], ir_neg(b, ir_bin(b, BIN_DIV, ir_bin(b, BIN_MUL, g, cl(sw, in->res[0])), y)));
      break;
    case BIN_REM: /* x - floor(x / y) y */
      add_adj(sw, in->ops[0], g);
      add_adj(sw, in->ops[1], ir_neg(b, ir_bin(b, BIN_MUL, g, ir_math(b, MF_FLOOR, ir_bin(b, BIN_DIV, x, y), NULL))));
      break;
    case BIN_MAX: case BIN_MIN: { /* the larger (smaller) takes g; a tie halves it (torch.maximum) */
      IrCmp wins = in->sub == BIN_MAX ? CMP_GT : CMP_LT;
      IrValue *z = zero_of(b, g->type), *half = ir_bin(b, BIN_MUL, g, fconst(sw, g, 0.5));
      IrValue *tie = ir_cmp(b, CMP_EQ, x, y);
      add_adj(sw, in->ops[0], ir_select(b, tie, half, ir_select(b, ir_cmp(b, wins, x, y), g, z)));
      add_adj(sw, in->ops[1], ir_select(b, tie, half, ir_select(b, ir_cmp(b, wins, y, x), g, z)));
      break;
    }
    default: break; /* and, or, integer powers: not float */
    }
    return true;
  }
  default: return false;
  }
}

/* A size, seen through the clamp max(n, 0) that gives a comprehension's extent (a negative n
 * makes it empty). */
static IrValue *size_of(IrValue *v) {
  int64_t c;
  v = ir_val(v);
  IrInst *d = v->def;
  if (d && d->op == IR_BIN && d->sub == BIN_MAX)
    for (int k = 0; k < 2; k++)
      if (ir_is_const_int(d->ops[k], &c) && c == 0) return ir_val(d->ops[1 - k]);
  return v;
}

/* Are a and b the same size: one value, or equal constants? */
static bool same_size(IrValue *a, IrValue *b) {
  int64_t x, y;
  a = ir_val(a);
  b = ir_val(b);
  return a == b || (ir_is_const_int(a, &x) && ir_is_const_int(b, &y) && x == y);
}

/* A multiplier equal to an index's extent (both sizes, so the clamp may be on either side). */
static bool same_extent(IrValue *a, IrValue *b) { return same_size(size_of(a), size_of(b)); }

/* Is the element read `in` one the sweep's target collects? */
static bool is_target_read(const Target *t, IrInst *in) {
  if (!t || !t->tensor || ir_op(in, 0) != t->tensor || in->nops - 1 != t->nsubs) return false;
  for (int k = 0; k < t->nsubs; k++)
    if (!same_size(ir_op(in, k + 1), t->subs[k])) return false;
  return true;
}

/* A point sweep over blk from its last instruction back to (not including) `from`'s successor
 * chain start: every instruction of blk when from is NULL, else those before `from`. */
static void sweep_block(Sweep *sw, IrBlock *blk, IrInst *from) {
  IrInst *in = from ? from->prev : blk->last;
  for (; in; in = in->prev) {
    if (in->op == IR_YIELD) continue;
    if (in->op == IR_ELEM) {
      IrValue *g = get_adj(sw, in->res[0]);
      if (g && is_target_read(sw->t, in)) sw->acc = sw->acc ? ir_bin(sw->b, BIN_ADD, sw->acc, g) : g;
      if (g && !sw->t && is_active(sw->ad, in->ops[0]))
        fail(sw->ad, in->span, "no gradient through an `if` that reads a tensor outside a comprehension yet",
             "write the choice with where(cond, a, b), or inside a comprehension");
      continue;
    }
    if (!scalar_rule(sw, in) && in->op != IR_CHECK && in->op != IR_STRING)
      fail(sw->ad, in->span, "cannot differentiate this operation inside a comprehension", NULL);
  }
}

/* --- contributions of a chain ------------------------------------------------------------------- */

/* Is red over one term (every extent the constant 1)? Its max or min is that term, with
 * derivative 1: stdlib's fusion barrier (nn.dsl's _kept4, `max(u < 1) x[...]`) costs the
 * backward nothing, where the tie count would recompute the forward at every point. */
static bool one_term(IrInst *red) {
  for (int k = 0; k < red->nops; k++) {
    int64_t c;
    if (!ir_is_const_int(ir_op(red, k), &c) || c != 1) return false;
  }
  return true;
}

/* r's derivative with respect to its term v, at a point: sum 1, mean 1/N, lse exp(v - r), max and
 * min split among the terms that reach the extreme (torch.amax), prod the product of the others. */
static IrValue *red_deriv(Sweep *sw, Chain *ch, IrInst *red, IrValue *v, IrValue *r, IrValue *count, IrValue *zeros,
                          IrValue *nonzero) {
  IrBuilder *b = sw->b;
  IrValue *one = fconst(sw, v, 1), *zero = fconst(sw, v, 0);
  switch ((RedKind)red->sub) {
  case RED_SUM: return one;
  case RED_MEAN: {
    IrValue *n = NULL;
    IrBlock *body = red->regions[0];
    for (int k = 0; k < body->nargs; k++) {
      IrValue *e = NULL;
      for (int j = 0; j < ch->nvars; j++)
        if (ch->vars[j] == body->args[k]) e = ch->ext[j];
      n = n ? ir_bin(b, BIN_MUL, n, e) : e;
    }
    return ir_bin(b, BIN_DIV, one, ir_cast(b, n, v->type));
  }
  case RED_LSE:
    return ir_select(b, ir_cmp(b, CMP_EQ, r, fconst(sw, r, -INFINITY)), zero, ir_math(b, MF_EXP, ir_bin(b, BIN_SUB, v, r), NULL));
  case RED_MAX: case RED_MIN:
    if (one_term(red)) return one;
    return ir_select(b, ir_cmp(b, CMP_EQ, v, r), ir_bin(b, BIN_DIV, one, ir_cast(b, count, v->type)), zero);
  case RED_PROD: {
    IrValue *nz0 = ir_cmp(b, CMP_EQ, zeros, ir_const_i64(b, 0));
    IrValue *only = ir_bin(b, BIN_AND, ir_cmp(b, CMP_EQ, zeros, ir_const_i64(b, 1)), ir_cmp(b, CMP_EQ, v, zero));
    return ir_select(b, nz0, ir_bin(b, BIN_DIV, nonzero, v), ir_select(b, only, nonzero, zero));
  }
  default: return zero;
  }
}

/* Copies the chain's forward to the point (vars bound in pt) at b: top's body (but for the inner
 * reduction), then the inner reduction's body. Returns the term of the reduction (or the yield). */
static IrValue *copy_forward(Chain *ch, IrBuilder *b, IrMap *pt) {
  IrBlock *body = ch->top->regions[0];
  for (IrInst *in = body->first; in; in = in->next) {
    if (in->op == IR_YIELD) break;
    if (in == ch->inner) continue;
    ir_clone_inst(b, pt, in);
  }
  IrBlock *tb = ch->inner ? ch->inner->regions[0] : body;
  for (IrInst *in = ch->inner ? tb->first : NULL; in; in = in->next)
    if (in->op != IR_YIELD) ir_clone_inst(b, pt, in);
  IrValue *y = ir_op(tb->last, 0);
  IrValue *c = ir_map_get(pt, y);
  return c ? c : y;
}

/* An auxiliary reduction over a chain's reduction (its count of extremes, zeros, ...): a scalar
 * for a top-level reduction, a comprehension over top's indices for a reduction's comprehension.
 * term(v, r) is built at the point. */
typedef IrValue *AuxTerm(IrBuilder *b, IrValue *v, IrValue *r);

static IrValue *aux_reduction(Ad *ad, Chain *ch, RedKind kind, IrType t, AuxTerm *term) {
  IrInst *red = ch->inner ? ch->inner : ch->top;
  IrBuilder in;
  IrValue *idx[SN_MAX_RANK];
  IrInst *c = NULL;
  IrMap pt = {0};
  IrBuilder *at = &ad->top;
  if (ch->inner) {
    IrValue *dims[SN_MAX_RANK];
    for (int k = 0; k < ch->ntop; k++) dims[k] = ch->ext[k];
    IrType tt = ir_tensor((SnDtype)t.dtype, ch->ntop);
    c = ir_emit(&ad->top, IR_COMPR, ch->ntop, dims, 1, &tt, 1);
    c->res[0]->dims = arena_alloc(ad->fn->arena, (size_t)(ch->ntop ? ch->ntop : 1) * sizeof(IrValue *));
    memcpy(c->res[0]->dims, dims, (size_t)ch->ntop * sizeof(IrValue *));
    for (int k = 0; k < ch->ntop; k++) {
      idx[k] = ir_block_arg(ad->fn, c->regions[0], ir_i64);
      ir_map_put(&pt, ch->vars[k], idx[k]);
    }
    in = (IrBuilder){.fn = ad->fn, .block = c->regions[0], .span = red->span};
    at = &in;
  }
  int first = ch->inner ? ch->ntop : 0;
  IrType rt = t;
  IrInst *r = ir_emit(at, IR_REDUCE, ch->nvars - first, ch->ext + first, 1, &rt, 1);
  r->sub = kind;
  IrBuilder rb = {.fn = ad->fn, .block = r->regions[0], .span = red->span};
  for (int k = first; k < ch->nvars; k++) ir_map_put(&pt, ch->vars[k], ir_block_arg(ad->fn, r->regions[0], ir_i64));
  IrValue *v = copy_forward(ch, &rb, &pt);
  IrValue *res = ch->inner ? ir_elem(&rb, ch->top->res[0], ch->ntop, idx) : ch->top->res[0];
  IrValue *y = term(&rb, v, res);
  ir_yield(&rb, 1, &y);
  ir_map_free(&pt);
  if (!ch->inner) return r->res[0];
  ir_yield(&in, 1, &r->res[0]);
  return c->res[0];
}

static IrValue *term_extreme(IrBuilder *b, IrValue *v, IrValue *r) {
  return ir_select(b, ir_cmp(b, CMP_EQ, v, r), ir_const_i64(b, 1), ir_const_i64(b, 0));
}
static IrValue *term_zero(IrBuilder *b, IrValue *v, IrValue *r) {
  (void)r;
  return ir_select(b, ir_cmp(b, CMP_EQ, v, ir_const_f(b, (SnDtype)v->type.dtype, 0)), ir_const_i64(b, 1), ir_const_i64(b, 0));
}
static IrValue *term_nonzero(IrBuilder *b, IrValue *v, IrValue *r) {
  (void)r;
  IrValue *one = ir_const_f(b, (SnDtype)v->type.dtype, 1);
  return ir_select(b, ir_cmp(b, CMP_EQ, v, ir_const_f(b, (SnDtype)v->type.dtype, 0)), one, v);
}

/* The target's adjoint at the point bound in pt (emitted at b). */
static IrValue *point_adjoint(Ad *ad, Chain *ch, const Target *t, IrBuilder *b, IrMap *pt) {
  IrValue *v = copy_forward(ch, b, pt);
  Sweep sw = {.ad = ad, .b = b, .pt = pt, .t = t};
  IrInst *red = ch->inner ? ch->inner : (ch->top->op == IR_REDUCE ? ch->top : NULL);
  IrValue *seed;
  IrValue *topidx[SN_MAX_RANK];
  for (int k = 0; k < ch->ntop; k++) topidx[k] = cl(&sw, ch->vars[k]);
  seed = ch->top->op == IR_COMPR ? ir_elem(b, ch->seed, ch->ntop, topidx) : ch->seed;
  if (red) {
    IrValue *r = ch->inner ? ir_elem(b, ch->top->res[0], ch->ntop, topidx) : ch->top->res[0];
    IrValue *count = ch->count, *zeros = ch->zeros, *nonzero = ch->nonzero;
    if (ch->inner) {
      if (count) count = ir_elem(b, count, ch->ntop, topidx);
      if (zeros) zeros = ir_elem(b, zeros, ch->ntop, topidx);
      if (nonzero) nonzero = ir_elem(b, nonzero, ch->ntop, topidx);
    }
    if (!ir_type_eq(seed->type, v->type)) seed = ir_cast(b, seed, v->type);
    if (!ir_type_eq(r->type, v->type)) r = ir_cast(b, r, v->type);
    seed = ir_bin(b, BIN_MUL, seed, red_deriv(&sw, ch, red, v, r, count, zeros, nonzero));
  }
  IrBlock *tb = ch->inner ? ch->inner->regions[0] : ch->top->regions[0];
  add_adj(&sw, ir_op(tb->last, 0), seed);
  sweep_block(&sw, tb, NULL);
  if (ch->inner) sweep_block(&sw, ch->top->regions[0], ch->inner); /* what prepares the reduction */
  IrValue *acc = t->scalar ? get_adj(&sw, t->scalar) : sw.acc;
  IrType at = t->scalar ? ir_val(t->scalar)->type : elem_type(t->tensor);
  ir_map_free(&sw.adj);
  if (!acc) return zero_of(b, at);
  return ir_type_eq(acc->type, at) ? acc : ir_cast(b, acc, at);
}

static int var_index(Chain *ch, IrValue *v) {
  v = ir_val(v);
  for (int k = 0; k < ch->nvars; k++)
    if (ch->vars[k] == v) return k;
  return -1;
}

/* Does v depend on an index of the chain? */
static bool uses_vars(Chain *ch, IrValue *v) {
  v = ir_val(v);
  if (var_index(ch, v) >= 0) return true;
  if (!v->def || !defined_inside(v, ch->top)) return false;
  for (int k = 0; k < v->def->nops; k++)
    if (uses_vars(ch, v->def->ops[k])) return true;
  return v->def->nregions > 0;
}

/* i held in [0, n): the forward at a point outside the index's range is computed at its edge,
 * and the range check zeroes its share. */
static IrValue *clamp(IrBuilder *b, IrValue *i, IrValue *n) {
  return ir_bin(b, BIN_MIN, ir_bin(b, BIN_MAX, i, ir_const_i64(b, 0)), ir_bin(b, BIN_SUB, n, ir_const_i64(b, 1)));
}

/* The row-major position of the digits idx[0..n) over the sizes dims. */
static IrValue *flat_index(IrBuilder *b, IrValue *const *dims, IrValue *const *idx, int n) {
  IrValue *flat = ir_const_i64(b, 0);
  for (int d = 0; d < n; d++) flat = ir_bin(b, BIN_ADD, ir_bin(b, BIN_MUL, flat, dims[d]), idx[d]);
  return flat;
}

/* The digits out[from..n) of the row-major position q over the sizes dims, the first (digit 0)
 * what is left of q; an empty size divides as 1 (no position has it). */
static void unflatten(IrBuilder *b, IrValue *q, IrValue *const *dims, int from, int n, IrValue **out) {
  for (int d = n - 1; d >= from; d--) {
    IrValue *e1 = ir_bin(b, BIN_MAX, dims[d], ir_const_i64(b, 1));
    out[d] = d ? ir_bin(b, BIN_REM, q, e1) : q;
    q = ir_bin(b, BIN_DIV, q, e1);
  }
}

/* Is v computed before the chain and free of its indices? */
static bool chain_free(Chain *ch, IrValue *v) { return !uses_vars(ch, v) && !defined_inside(v, ch->top); }

/* The parts of a flat index free of the chain's indices, each added or subtracted (a block of
 * columns at an offset: off + g * dh + c). */
#define MAX_OFFSETS 8
typedef struct Offsets {
  IrValue *v[MAX_OFFSETS];
  int sign[MAX_OFFSETS], n;
} Offsets;

/* s without the chain-free parts added to or subtracted from it, which go to off (none when off
 * is NULL: under a multiplication they would be scaled). */
static IrValue *peel(Chain *ch, IrValue *s, Offsets *off) {
  s = ir_val(s);
  for (IrInst *d = s->def; off && off->n < MAX_OFFSETS && ir_is_int(s->type) && d && d->op == IR_BIN &&
                           (d->sub == BIN_ADD || d->sub == BIN_SUB);
       d = s->def) {
    IrValue *x = ir_val(d->ops[0]), *y = ir_val(d->ops[1]);
    if (!chain_free(ch, y)) {
      if (d->sub != BIN_ADD || !chain_free(ch, x)) break;
      y = x; /* off + q */
      x = ir_val(d->ops[1]);
    }
    off->v[off->n] = y;
    off->sign[off->n++] = d->sub == BIN_SUB ? -1 : 1;
    s = x;
  }
  return s;
}

/* Is s a flat index of chain indices, (v1 * e2 + v2) * e3 + v3 ..., with each multiplier the
 * next index's extent (a reshape's index, z * s + i with i < s), plus parts free of them (to
 * off; NULL: none allowed)? The indices' positions go to js, outermost first; each must be
 * unbound and appear once. */
static bool radix(Chain *ch, IrValue *s, const bool *bound, int *js, int *n, Offsets *off) {
  s = peel(ch, s, off);
  int j = var_index(ch, s);
  if (j >= 0) {
    for (int k = 0; k < *n; k++)
      if (js[k] == j) return false;
    if (bound[j] || *n >= 2 * SN_MAX_RANK) return false;
    js[(*n)++] = j;
    return true;
  }
  IrInst *d = s->def;
  if (!d || d->op != IR_BIN || d->sub != BIN_ADD || !ir_is_int(s->type)) return false;
  int noff = off ? off->n : 0;
  for (int side = 0; side < 2; side++) {
    IrValue *m = peel(ch, d->ops[side], off), *last = peel(ch, d->ops[1 - side], off);
    int jl = var_index(ch, last);
    IrInst *md = m->def;
    for (int f = 0; jl >= 0 && md && md->op == IR_BIN && md->sub == BIN_MUL && f < 2; f++) {
      int before = *n;
      if (same_extent(md->ops[f], ch->ext[jl]) && radix(ch, md->ops[1 - f], bound, js, n, NULL) &&
          radix(ch, last, bound, js, n, NULL))
        return true;
      *n = before;
    }
    if (off) off->n = noff;
  }
  return false;
}

/* The axis (not k, not done, not among taken[0..n)) whose subscript is num % d for div = num / d,
 * d free of the chain's indices; or -1. */
static int rem_partner(Chain *ch, const Target *t, const bool *done, int k, const int *taken, int n, IrInst *div) {
  if (uses_vars(ch, div->ops[1]) || defined_inside(div->ops[1], ch->top)) return -1;
  for (int k2 = 0; k2 < t->nsubs; k2++) {
    bool used = k2 == k || done[k2];
    for (int m = 0; m < n; m++) used |= taken[m] == k2;
    IrInst *rd = ir_val(t->subs[k2])->def;
    if (!used && rd && rd->op == IR_BIN && rd->sub == BIN_REM && ir_val(rd->ops[0]) == ir_val(div->ops[0]) &&
        same_size(rd->ops[1], div->ops[1]))
      return k2;
  }
  return -1;
}

/* A linear subscript: the sum of sign * coef * vars[j] terms (coef NULL: 1) and of sign * v
 * parts free of the chain's indices, as a window reads (x[t * stride + j - pad]). */
#define LIN_MAX_PARTS 8
typedef struct LinTerm {
  int j, sign;
  IrValue *coef;
} LinTerm;
typedef struct LinForm {
  LinTerm t[LIN_MAX_PARTS];
  struct { int sign; IrValue *v; } c[LIN_MAX_PARTS];
  int nt, nc;
  int k; /* the subscript's axis */
} LinForm;

static bool linear_form(Chain *ch, IrValue *s, int sign, LinForm *f) {
  s = ir_val(s);
  if (!ir_type_eq(s->type, ir_i64)) return false;
  int j = var_index(ch, s);
  IrInst *d = s->def;
  if (j < 0 && chain_free(ch, s)) {
    if (f->nc == LIN_MAX_PARTS) return false;
    f->c[f->nc].sign = sign;
    f->c[f->nc++].v = s;
    return true;
  }
  IrValue *coef = NULL;
  if (j < 0 && d && d->op == IR_BIN && (d->sub == BIN_ADD || d->sub == BIN_SUB))
    return linear_form(ch, d->ops[0], sign, f) && linear_form(ch, d->ops[1], d->sub == BIN_SUB ? -sign : sign, f);
  if (j < 0 && d && d->op == IR_BIN && d->sub == BIN_MUL)
    for (int side = 0; side < 2 && j < 0; side++)
      if (var_index(ch, d->ops[side]) >= 0 && chain_free(ch, d->ops[1 - side])) {
        j = var_index(ch, d->ops[side]);
        coef = ir_val(d->ops[1 - side]);
      }
  if (j < 0 || f->nt == LIN_MAX_PARTS) return false;
  for (int m = 0; m < f->nt; m++)
    if (f->t[m].j == j) return false;
  f->t[f->nt].j = j;
  f->t[f->nt].sign = sign;
  f->t[f->nt++].coef = coef;
  return true;
}

/* Can the form bind one of its indices? The outermost unbound one goes first: a window's
 * position t (t * stride + j) is bound and its offset j summed, O(k) terms per point. */
static bool window_ok(LinForm *f, const bool *bound) {
  int b = -1;
  for (int m = 0; m < f->nt; m++)
    if (!bound[f->t[m].j] && (b < 0 || f->t[m].j < f->t[b].j)) b = m;
  if (b < 0) return false;
  LinTerm first = f->t[b];
  f->t[b] = f->t[0];
  f->t[0] = first;
  return true;
}

/* May a coefficient be zero when the program runs? */
static bool maybe_zero(IrValue *coef) {
  int64_t c;
  return coef && !(ir_is_const_int(coef, &c) && c != 0);
}

/* A subscript that is an integer tensor's element at distinct indices (an embedding's W[idx[z, i],
 * k]), the first of them possibly bound already (a gather along an axis, x[i, idx[i, j]]): at
 * the target's point p the unbound indices run over the positions of idx, in the row the bound
 * ones give, whose value is p, grouped once by the runtime (sn_group_positions, a counting
 * sort), so the gradient sums p's group instead of testing every position: O(numel(idx))
 * rather than O(n numel(idx)). */
typedef struct Group {
  IrValue *idx, *pos;    /* the integer tensor, and its positions grouped by row and value */
  IrValue *base;         /* where the positions start in pos (the starts come first) */
  IrValue *first, *count; /* p's group in its row: where it starts, its size */
  int lead;              /* idx's leading axes, read at bound indices: the row */
  int js[SN_MAX_RANK];   /* the chain index at each of idx's other axes */
} Group;

/* How a chain's reads of a target become a gather at the target's point p: the chain indices
 * the subscripts bind (to values at p, in pt), those summed, the range checks, and the
 * subscripts left as conditions p = s(I). */
typedef struct Gather {
  Ad *ad;
  Chain *ch;
  const Target *t;
  IrInst *c;                    /* the adjoint comprehension (a tensor target), */
  IrBuilder in;                 /* its body, */
  IrValue *P[SN_MAX_RANK];      /* and its indices: the point p */
  IrMap pt;                     /* chain index -> its value at p */
  bool bound[2 * SN_MAX_RANK];  /* bound by a subscript, or a window's summed term */
  bool summed[2 * SN_MAX_RANK]; /* a window's other term: summed, not bound later */
  bool done[SN_MAX_RANK];       /* subscripts bound along with an earlier one (a reshape's digits) */
  LinForm win[SN_MAX_RANK];     /* windows, bound once the summed indices exist */
  int nwin;
  Group group[SN_MAX_RANK];     /* gathers by value, bound once their sums' indices exist */
  int ngroup;
  int condk[SN_MAX_RANK], ncond;
  IrValue *lo_hi[4 * SN_MAX_RANK][2]; /* 0 <= lo_hi[k][0] < lo_hi[k][1]: one per subscript, one
                                       * per index a flat one binds, a window's exactness */
  int nrange;
} Gather;

static void in_range(Gather *g, IrValue *v, IrValue *n) {
  g->lo_hi[g->nrange][0] = v;
  g->lo_hi[g->nrange++][1] = n;
}

/* A window's index at point p: t = num / a with num = sign (p - free parts - the other terms),
 * checked exact (num - t a = 0); a zero coefficient (the read does not move with t) leaves t
 * summed, as `alt` (a sum's index, over 1 term otherwise). */
static IrValue *window_index(Gather *g, IrBuilder *b, const LinForm *f, IrValue *alt) {
  IrValue *num = g->P[f->k];
  for (int m = 0; m < f->nc; m++) num = ir_bin(b, f->c[m].sign > 0 ? BIN_SUB : BIN_ADD, num, f->c[m].v);
  for (int m = 1; m < f->nt; m++) {
    IrValue *v = ir_map_get(&g->pt, g->ch->vars[f->t[m].j]);
    if (f->t[m].coef) v = ir_bin(b, BIN_MUL, v, f->t[m].coef);
    num = ir_bin(b, f->t[m].sign > 0 ? BIN_SUB : BIN_ADD, num, v);
  }
  if (f->t[0].sign < 0) num = ir_bin(b, BIN_SUB, ir_const_i64(b, 0), num);
  IrValue *a = f->t[0].coef;
  if (!a) return num;
  IrValue *t = ir_bin(b, BIN_DIV, num, a);
  if (alt) t = ir_select(b, ir_cmp(b, CMP_EQ, a, ir_const_i64(b, 0)), alt, t);
  in_range(g, ir_bin(b, BIN_SUB, num, ir_bin(b, BIN_MUL, t, a)), ir_const_i64(b, 1));
  return t;
}

/* Subscript k as a flat index of several indices (q = z * s + i), or q / n with q % n at another
 * axis (a reshape's read of its source), either at an offset (q + off): q = p - off, or
 * p_k * n + p_k2 - off, unflattened into the indices by remainders and quotients, the outermost
 * checked in range. */
static bool bind_flat(Gather *g, int k) {
  Chain *ch = g->ch;
  IrValue *s = g->t->subs[k], *q = NULL;
  int js[2 * SN_MAX_RANK], nj = 0;
  Offsets off = {.n = 0};
  IrInst *sd = ir_val(s)->def;
  if (sd && sd->op == IR_BIN && sd->sub == BIN_DIV && ir_is_int(s->type)) {
    /* the digits of q: q / n (this axis), then (q % n) or, for a deeper reshape, the
     * remainders of q / n' at the next axes ((q / e) / s, (q / e) % s, q % e) */
    int k2s[SN_MAX_RANK], nk2 = 0, ranges = g->nrange;
    IrInst *div = sd;
    IrValue *flat = g->P[k];
    for (;;) {
      int k2 = rem_partner(ch, g->t, g->done, k, k2s, nk2, div);
      if (k2 < 0) break;
      k2s[nk2++] = k2;
      in_range(g, g->P[k2], ir_op(div, 1));
      flat = ir_bin(&g->in, BIN_ADD, ir_bin(&g->in, BIN_MUL, flat, ir_op(div, 1)), g->P[k2]);
      IrValue *num = ir_val(div->ops[0]);
      IrInst *inner = num->def;
      if (inner && inner->op == IR_BIN && inner->sub == BIN_DIV && rem_partner(ch, g->t, g->done, k, k2s, nk2, inner) >= 0) {
        div = inner;
        continue;
      }
      if (radix(ch, num, g->bound, js, &nj, &off)) q = flat;
      break;
    }
    if (!q) {
      g->nrange = ranges;
      return false;
    }
    for (int m = 0; m < nk2; m++) g->done[k2s[m]] = true;
  } else if (radix(ch, s, g->bound, js, &nj, &off) && nj >= 2) {
    q = g->P[k];
  } else {
    return false;
  }
  if (off.n) {
    /* p before the offset: checked not negative (its remainders would be), and held at 0 */
    for (int m = 0; m < off.n; m++) q = ir_bin(&g->in, off.sign[m] > 0 ? BIN_SUB : BIN_ADD, q, off.v[m]);
    in_range(g, q, ir_const_i64(&g->in, INT64_MAX));
    q = ir_bin(&g->in, BIN_MAX, q, ir_const_i64(&g->in, 0));
  }
  for (int m = nj - 1; m > 0; m--) {
    /* an empty extent leaves no point: the range check zeroes it, the divisor stays 1 */
    IrValue *e = ch->ext[js[m]], *e1 = ir_bin(&g->in, BIN_MAX, e, ir_const_i64(&g->in, 1));
    IrValue *v = ir_bin(&g->in, BIN_REM, q, e1);
    in_range(g, v, e);
    ir_map_put(&g->pt, ch->vars[js[m]], v);
    q = ir_bin(&g->in, BIN_DIV, q, e1);
    g->bound[js[m]] = true;
  }
  in_range(g, q, ch->ext[js[0]]);
  ir_map_put(&g->pt, ch->vars[js[0]], clamp(&g->in, q, ch->ext[js[0]]));
  g->bound[js[0]] = true;
  return true;
}

/* Subscript k as an unbound index i: i = p, checked in range when i may run over less than the
 * tensor's axis (i < n - 1). */
static bool bind_index(Gather *g, int k) {
  Chain *ch = g->ch;
  int j = var_index(ch, g->t->subs[k]);
  if (j < 0 || g->bound[j]) return false;
  g->bound[j] = true;
  if (same_size(ir_op(g->c, k), ch->ext[j])) {
    ir_map_put(&g->pt, ch->vars[j], g->P[k]);
  } else {
    in_range(g, g->P[k], ch->ext[j]);
    ir_map_put(&g->pt, ch->vars[j], clamp(&g->in, g->P[k], ch->ext[j]));
  }
  return true;
}

/* Subscript k as a linear form, t * a + j - c (a window) or i + c: its first index is bound
 * once the others are summed (bind_windows), the others are summed. */
static bool bind_linear(Gather *g, int k) {
  LinForm *f = &g->win[g->nwin];
  if (!linear_form(g->ch, g->t->subs[k], 1, f) || !window_ok(f, g->bound)) {
    *f = (LinForm){0};
    return false;
  }
  f->k = k;
  for (int m = 0; m < f->nt; m++) {
    int j = f->t[m].j;
    g->summed[j] = m > 0 && !g->bound[j];
    g->bound[j] = true;
  }
  g->nwin++;
  return true;
}

/* The read of an integer tensor that subscript s is: idx[I] itself, widened to i64, or counted
 * from the end when negative, as x[idx] reads (sema_shape.c: select(v < 0 and v + n >= 0, v + n,
 * v), n the axis's size; *wrap is then set). */
static IrInst *index_read(IrValue *s, IrValue *n, bool *wrap) {
  IrInst *d = ir_val(s)->def;
  *wrap = false;
  if (d && d->op == IR_SELECT) {
    IrInst *w = ir_val(d->ops[1])->def, *c = ir_val(d->ops[0])->def;
    IrValue *v = ir_val(d->ops[2]);
    if (!w || w->op != IR_BIN || w->sub != BIN_ADD || ir_val(w->ops[0]) != v || !same_size(w->ops[1], n) || !c ||
        c->op != IR_BIN || c->sub != BIN_AND)
      return NULL;
    IrInst *lt = ir_val(c->ops[0])->def, *ge = ir_val(c->ops[1])->def;
    int64_t z0, z1;
    if (!lt || !ge || lt->op != IR_CMP || lt->sub != CMP_LT || ir_val(lt->ops[0]) != v || !ir_is_const_int(lt->ops[1], &z0) ||
        z0 != 0 || ge->op != IR_CMP || ge->sub != CMP_GE || ir_val(ge->ops[0]) != w->res[0] ||
        !ir_is_const_int(ge->ops[1], &z1) || z1 != 0)
      return NULL;
    *wrap = true;
    d = v->def;
  }
  if (d && d->op == IR_CAST) d = ir_val(d->ops[0])->def;
  return d && d->op == IR_ELEM && ir_is_int(d->res[0]->type) ? d : NULL;
}

/* The range check of subscript s done at every point of the chain (in its body's top block,
 * not under an `if`), or NULL. */
static IrInst *checked_everywhere(Chain *ch, IrValue *s) {
  IrBlock *blocks[2] = {ch->top->regions[0], ch->inner ? ch->inner->regions[0] : NULL};
  for (int b = 0; b < 2 && blocks[b]; b++)
    for (IrInst *in = blocks[b]->first; in; in = in->next)
      if (in->op == IR_CHECK && in->sub == CHECK_INDEX && ir_val(in->ops[0]) == ir_val(s)) return in;
  return NULL;
}

/* Subscript k as idx[I] (Group): the unbound indices of I are bound in the sum over p's group.
 * A read range-checked at every point keeps its check there: a position of idx out of range, in
 * no group, stops the program as the forward would (whose value a gradient may not need). */
static bool bind_group(Gather *g, int k) {
  Chain *ch = g->ch;
  bool wrap;
  IrInst *d = index_read(g->t->subs[k], ir_op(g->c, k), &wrap);
  if (!d || !chain_free(ch, d->ops[0]) || g->ngroup == SN_MAX_RANK) return false;
  Group *gr = &g->group[g->ngroup];
  IrValue *idx = ir_val(d->ops[0]), *dims[SN_MAX_RANK], *rowv[SN_MAX_RANK];
  int r = d->nops - 1;
  gr->lead = 0;
  for (int a = 0; a < r; a++) {
    int j = var_index(ch, d->ops[a + 1]);
    dims[a] = idx->dims ? ir_val(idx->dims[a]) : ir_dim(&g->in, idx, a);
    IrValue *at = j >= 0 ? ir_map_get(&g->pt, ch->vars[j]) : NULL;
    if (j >= 0 && g->bound[j] && at && a == gr->lead && same_extent(dims[a], ch->ext[j])) {
      rowv[gr->lead++] = at;
      continue;
    }
    if (j < 0 || g->bound[j]) return false;
    for (int b = gr->lead; b < a; b++)
      if (gr->js[b] == j) return false;
    gr->js[a] = j;
  }
  if (gr->lead == r) return false; /* nothing to sum: the condition p = idx[I] costs one test */
  for (int a = gr->lead; a < r; a++) g->bound[gr->js[a]] = true;
  gr->idx = idx;
  IrValue *n = ir_op(g->c, k);
  IrBuilder pre = g->ad->top;
  pre.before = g->c;
  IrInst *check = checked_everywhere(ch, g->t->subs[k]);
  if (check) pre.span = check->span;
  int flags = (wrap ? SN_GROUP_WRAP : 0) | (check ? SN_GROUP_CHECK : 0);
  IrValue *ops[5] = {idx, n, ir_const_i64(&pre, gr->lead), ir_const(&pre, ir_scalar(SN_I32), 0, flags),
                     ir_string(&pre, check && check->str ? check->str : "")};
  gr->pos = ir_call(&pre, RT_GROUP_POSITIONS, 5, ops);
  gr->pos->type = ir_tensor(SN_I64, 1);
  IrValue *rows = ir_const_i64(&g->in, 1);
  for (int a = 0; a < gr->lead; a++) rows = ir_bin(&g->in, BIN_MUL, rows, dims[a]);
  gr->base = ir_bin(&g->in, BIN_ADD, ir_bin(&g->in, BIN_MUL, rows, n), ir_const_i64(&g->in, 1));
  IrValue *row = flat_index(&g->in, dims, rowv, gr->lead);
  IrValue *key = ir_bin(&g->in, BIN_ADD, ir_bin(&g->in, BIN_MUL, row, n), g->P[k]);
  IrValue *next = ir_bin(&g->in, BIN_ADD, key, ir_const_i64(&g->in, 1));
  gr->first = ir_elem(&g->in, gr->pos, 1, &key);
  gr->count = ir_bin(&g->in, BIN_SUB, ir_elem(&g->in, gr->pos, 1, &next), gr->first);
  g->ngroup++;
  return true;
}

/* The groups' indices: the digits of the position at the sum's index in p's group (those of the
 * row are bound already). */
static void bind_groups(Gather *g, IrBuilder *rb, IrInst *sum) {
  for (int w = 0; w < g->ngroup; w++) {
    Group *gr = &g->group[w];
    IrValue *at = ir_bin(rb, BIN_ADD, ir_bin(rb, BIN_ADD, gr->base, gr->first),
                         ir_block_arg(g->ad->fn, sum->regions[0], ir_i64));
    IrValue *dims[SN_MAX_RANK], *digit[SN_MAX_RANK];
    int r = gr->idx->type.rank;
    for (int a = 0; a < r; a++) dims[a] = gr->idx->dims ? ir_val(gr->idx->dims[a]) : ir_dim(rb, gr->idx, a);
    unflatten(rb, ir_elem(rb, gr->pos, 1, &at), dims, gr->lead, r, digit);
    for (int a = gr->lead; a < r; a++) {
      IrValue *v = digit[a];
      int j = gr->js[a];
      if (!same_extent(dims[a], g->ch->ext[j])) {
        in_range(g, v, g->ch->ext[j]);
        v = clamp(rb, v, g->ch->ext[j]);
      }
      ir_map_put(&g->pt, g->ch->vars[j], v);
    }
  }
}

/* The windows' indices at p, in the sum over the indices they leave (rb, sum). */
static void bind_windows(Gather *g, IrBuilder *rb, IrInst *sum) {
  for (int w = 0; w < g->nwin; w++) {
    LinTerm *b = &g->win[w].t[0];
    IrValue *alt = maybe_zero(b->coef) ? ir_block_arg(g->ad->fn, sum->regions[0], ir_i64) : NULL;
    IrValue *v = window_index(g, rb, &g->win[w], alt);
    in_range(g, v, g->ch->ext[b->j]);
    ir_map_put(&g->pt, g->ch->vars[b->j], clamp(rb, v, g->ch->ext[b->j]));
  }
}

/* Whether the point I of the sum reads the target at p: the conditions and range checks. */
static IrValue *reads_here(Gather *g, IrBuilder *rb) {
  Chain *ch = g->ch;
  IrValue *ok = NULL;
  for (int k = 0; k < g->ncond; k++) {
    IrValue *sub = g->t->subs[g->condk[k]];
    IrBlock *home = sub->def ? sub->def->parent : sub->block;
    IrValue *sk = hoist_value(rb, ch->top, sub);
    if (!sk && (home == ch->top->regions[0] || (ch->inner && home == ch->inner->regions[0])))
      sk = ir_map_get(&g->pt, sub);
    if (!sk) {
      fail(g->ad, ch->top->span, "cannot differentiate a read whose subscript is computed inside an `if`",
           "compute the subscript before the `if`");
      sk = g->P[g->condk[k]];
    }
    IrValue *e = ir_cmp(rb, CMP_EQ, g->P[g->condk[k]], sk);
    ok = ok ? ir_bin(rb, BIN_AND, ok, e) : e;
  }
  for (int k = 0; k < g->nrange; k++) {
    IrValue *e = ir_bin(rb, BIN_AND, ir_cmp(rb, CMP_GE, g->lo_hi[k][0], ir_const_i64(rb, 0)),
                        ir_cmp(rb, CMP_LT, g->lo_hi[k][0], g->lo_hi[k][1]));
    ok = ok ? ir_bin(rb, BIN_AND, ok, e) : e;
  }
  return ok;
}

/* The contribution of the chain's reads of the target to the target's adjoint. */
static void contribute(Ad *ad, Chain *ch, const Target *t) {
  Gather *g = NEW(ad->fn->arena, Gather);
  *g = (Gather){.ad = ad, .ch = ch, .t = t};
  IrBuilder *at = &ad->top;
  if (t->tensor) {
    g->c = compr_like(ad, t->tensor, &g->in, g->P);
    at = &g->in;
    for (int k = 0; k < t->nsubs; k++)
      if (!g->done[k] && !bind_flat(g, k) && !bind_index(g, k) && !bind_linear(g, k) && !bind_group(g, k))
        g->condk[g->ncond++] = k;
  }
  /* the indices no subscript binds are summed, and a window's index whose coefficient may be 0
   * over its whole range */
  IrValue *sext[3 * SN_MAX_RANK];
  int ns = 0;
  for (int j = 0; j < ch->nvars; j++)
    if (!g->bound[j] || g->summed[j]) sext[ns++] = ch->ext[j];
  for (int w = 0; w < g->nwin; w++)
    if (maybe_zero(g->win[w].t[0].coef)) {
      IrValue *a = g->win[w].t[0].coef, *zero = ir_cmp(at, CMP_EQ, a, ir_const_i64(at, 0));
      sext[ns++] = ir_select(at, zero, ch->ext[g->win[w].t[0].j], ir_const_i64(at, 1));
    }
  for (int w = 0; w < g->ngroup; w++) sext[ns++] = g->group[w].count;
  IrBuilder rb = *at;
  IrInst *sum = NULL;
  IrType vt = t->scalar ? ir_val(t->scalar)->type : elem_type(t->tensor);
  if (ns) {
    sum = ir_emit(at, IR_REDUCE, ns, sext, 1, &vt, 1);
    sum->sub = RED_SUM;
    rb = (IrBuilder){.fn = ad->fn, .block = sum->regions[0], .span = ch->top->span};
    for (int j = 0; j < ch->nvars; j++)
      if (!g->bound[j] || g->summed[j]) ir_map_put(&g->pt, ch->vars[j], ir_block_arg(ad->fn, sum->regions[0], ir_i64));
  }
  bind_windows(g, &rb, sum);
  bind_groups(g, &rb, sum);
  IrValue *v = point_adjoint(ad, ch, t, &rb, &g->pt);
  IrValue *ok = reads_here(g, &rb);
  if (ok) v = ir_select(&rb, ok, v, zero_of(&rb, vt));
  if (sum) {
    ir_yield(&rb, 1, &v);
    v = sum->res[0];
  }
  ir_map_free(&g->pt);
  if (t->tensor) {
    ir_yield(&g->in, 1, &v);
    add_tensor_adj(ad, t->tensor, g->c->res[0]);
  } else {
    add_tensor_adj(ad, t->scalar, v); /* a scalar's share, added when the top level reaches it */
  }
}

/* The targets of a chain: each active tensor read inside it, by tensor and subscripts, and each
 * active scalar from outside it. */
static void find_targets(Ad *ad, IrInst *top, IrBlock *blk, PtrVec *out) {
  Arena *a = ad->fn->arena;
  for (IrInst *in = blk->first; in; in = in->next) {
    for (int q = 0; q < in->nregions; q++) find_targets(ad, top, in->regions[q], out);
    if (in->op == IR_ELEM && is_active(ad, in->ops[0]) && !defined_inside(in->ops[0], top)) {
      bool seen = false;
      for (int k = 0; k < out->n && !seen; k++) seen = is_target_read(out->items[k], in);
      if (seen) continue;
      Target *t = NEW(a, Target);
      t->tensor = ir_op(in, 0);
      t->nsubs = in->nops - 1;
      t->subs = arena_alloc(a, (size_t)(t->nsubs ? t->nsubs : 1) * sizeof *t->subs);
      for (int k = 0; k < t->nsubs; k++) t->subs[k] = ir_op(in, k + 1);
      vec_push(a, out, t);
      continue;
    }
    for (int k = 0; k < in->nops; k++) {
      IrValue *v = ir_op(in, k);
      if (in->op == IR_ELEM && k == 0) continue;
      if (v->type.kind != IRT_SCALAR || !is_active(ad, v) || defined_inside(v, top)) continue;
      bool seen = false;
      for (int j = 0; j < out->n && !seen; j++) seen = ((Target *)out->items[j])->scalar == v;
      if (seen) continue;
      Target *t = NEW(a, Target);
      t->scalar = v;
      vec_push(a, out, t);
    }
  }
}

/* --- the top level --------------------------------------------------------------------------------- */

/* A top-level scalar's adjoint: the top-level sweep's, plus the reductions the chains added. */
static IrValue *scalar_adj(Ad *ad, Sweep *top, IrValue *v) {
  PtrVec *parts = ir_map_get(&ad->tadj, ir_val(v));
  for (int k = 0; parts && k < parts->n; k++) add_adj(top, v, parts->items[k]);
  if (parts) parts->n = 0;
  return get_adj(top, v);
}

/* m with its last two axes swapped: a matrix's transpose, or a batch of transposes. */
static IrValue *transposed(Ad *ad, IrValue *m) {
  m = ir_val(m);
  int r = m->type.rank;
  IrValue *dims[SN_MAX_RANK], *idx[SN_MAX_RANK], *sw[SN_MAX_RANK];
  dims_of(ad, m, dims);
  IrValue *last = dims[r - 1];
  dims[r - 1] = dims[r - 2];
  dims[r - 2] = last;
  IrType tt = ir_tensor((SnDtype)m->type.dtype, r);
  IrInst *c = ir_emit(&ad->top, IR_COMPR, r, dims, 1, &tt, 1);
  c->res[0]->dims = arena_alloc(ad->fn->arena, (size_t)r * sizeof(IrValue *));
  memcpy(c->res[0]->dims, dims, (size_t)r * sizeof(IrValue *));
  for (int k = 0; k < r; k++) idx[k] = sw[k] = ir_block_arg(ad->fn, c->regions[0], ir_i64);
  sw[r - 2] = idx[r - 1];
  sw[r - 1] = idx[r - 2];
  IrBuilder in = {.fn = ad->fn, .block = c->regions[0]};
  IrValue *e = ir_elem(&in, m, r, sw);
  ir_yield(&in, 1, &e);
  return c->res[0];
}

static IrValue *matmul(Ad *ad, IrValue *a, IrValue *b, int rank) {
  IrValue *ops[2] = {a, b};
  IrValue *r = ir_call(&ad->top, RT_MATMUL, 2, ops);
  r->type = ir_tensor((SnDtype)ir_val(a)->type.dtype, rank);
  return r;
}

/* The outer product of vectors u and v (u[i] v[j]). */
static IrValue *outer(Ad *ad, IrValue *u, IrValue *v) {
  IrValue *du[1], *dv[1];
  dims_of(ad, u, du);
  dims_of(ad, v, dv);
  IrValue *dims[2] = {du[0], dv[0]};
  IrType tt = ir_tensor((SnDtype)ir_val(u)->type.dtype, 2);
  IrInst *c = ir_emit(&ad->top, IR_COMPR, 2, dims, 1, &tt, 1);
  c->res[0]->dims = arena_alloc(ad->fn->arena, 2 * sizeof(IrValue *));
  memcpy(c->res[0]->dims, dims, sizeof dims);
  IrValue *i = ir_block_arg(ad->fn, c->regions[0], ir_i64), *j = ir_block_arg(ad->fn, c->regions[0], ir_i64);
  IrBuilder in = {.fn = ad->fn, .block = c->regions[0]};
  IrValue *p = ir_bin(&in, BIN_MUL, ir_elem(&in, u, 1, &i), ir_elem(&in, v, 1, &j));
  ir_yield(&in, 1, &p);
  return c->res[0];
}

/* -t, element by element. */
static IrValue *negated(Ad *ad, IrValue *t) {
  IrBuilder in;
  IrValue *idx[SN_MAX_RANK];
  IrInst *c = compr_like(ad, t, &in, idx);
  IrValue *e = ir_elem(&in, t, ir_val(t)->type.rank, idx);
  e = ir_neg(&in, e);
  ir_yield(&in, 1, &e);
  return c->res[0];
}

/* Y = inv(A): dA = -Y^T dY Y^T. */
static void inv_rule(Ad *ad, IrInst *in) {
  IrValue *dY = tensor_adj(ad, in->res[0]), *A = ir_op(in, 0);
  if (!dY || !is_active(ad, A)) return;
  IrValue *Yt = transposed(ad, in->res[0]);
  add_tensor_adj(ad, A, negated(ad, matmul(ad, matmul(ad, Yt, dY, 2), Yt, 2)));
}

/* X = solve(A, B), B a vector or a matrix: dB = solve(A^T, dX), dA = -dB X^T. */
static void solve_rule(Ad *ad, IrInst *in) {
  IrValue *dX = tensor_adj(ad, in->res[0]), *A = ir_op(in, 0), *B = ir_op(in, 1), *X = in->res[0];
  if (!dX) return;
  IrValue *ops[2] = {transposed(ad, A), dX};
  IrValue *dB = ir_call(&ad->top, RT_SOLVE, 2, ops);
  dB->type = X->type;
  if (is_active(ad, B)) add_tensor_adj(ad, B, dB);
  if (is_active(ad, A))
    add_tensor_adj(ad, A, negated(ad, X->type.rank == 1 ? outer(ad, dB, X) : matmul(ad, dB, transposed(ad, X), 2)));
}

/* The adjoint of part `part` of a kernel's result of several parts (`call`): a scalar part's from
 * the top-level sweep, a tensor part's from its contributions; NULL when the part is not read. */
static IrValue *part_adj(Ad *ad, IrInst *call, int part) {
  int64_t k;
  for (IrInst *in = call->next; in; in = in->next)
    if (in->op == IR_CALL && (in->sub == RT_RESULT_F64 || in->sub == RT_RESULT_TENSOR) &&
        ir_op(in, 0) == call->res[0] && ir_is_const_int(in->ops[1], &k) && k == part)
      return in->sub == RT_RESULT_F64 ? scalar_adj(ad, ad->sweep, in->res[0]) : tensor_adj(ad, in->res[0]);
  return NULL;
}

/* A's adjoint g inv(A)^T: the gradient of log |det A| (g its adjoint), or of det A (g = dd d). */
static void add_inv_transposed(Ad *ad, IrValue *A, IrValue *g) {
  IrValue *Ai = ir_call(&ad->top, RT_INV, 1, &A);
  Ai->type = A->type;
  IrBuilder cb;
  IrValue *idx[2];
  IrInst *c = compr_like(ad, A, &cb, idx);
  IrValue *ji[2] = {idx[1], idx[0]}, *e = ir_elem(&cb, Ai, 2, ji);
  IrValue *v = ir_bin(&cb, BIN_MUL, ir_cast(&cb, g, e->type), e);
  ir_yield(&cb, 1, &v);
  add_tensor_adj(ad, A, c->res[0]);
}

/* {sign, logabsdet} = slogdet(A): dA = dlogabsdet inv(A)^T; the sign has no gradient. */
static void slogdet_rule(Ad *ad, IrInst *in) {
  IrValue *g = part_adj(ad, in, 1), *A = ir_op(in, 1);
  if (g && is_active(ad, A)) add_inv_transposed(ad, A, g);
}

/* L = cholesky(A): dA = L^-T S L^-1, S symmetric with lower triangle tril(L^T dL) halved
 * (PyTorch's cholesky_backward; Murray 2016), L^-1 by inv where PyTorch solves triangles. */
static void cholesky_rule(Ad *ad, IrInst *in) {
  IrValue *dL = tensor_adj(ad, in->res[0]), *A = ir_op(in, 0), *L = in->res[0];
  if (!dL || !is_active(ad, A)) return;
  IrValue *P = matmul(ad, transposed(ad, L), dL, 2);
  IrBuilder cb;
  IrValue *idx[2];
  IrInst *c = compr_like(ad, A, &cb, idx);
  IrValue *ji[2] = {idx[1], idx[0]}, *lower = ir_cmp(&cb, CMP_GE, idx[0], idx[1]);
  IrValue *e = ir_select(&cb, lower, ir_elem(&cb, P, 2, idx), ir_elem(&cb, P, 2, ji));
  e = ir_bin(&cb, BIN_MUL, e, ir_const_f(&cb, (SnDtype)e->type.dtype, 0.5));
  ir_yield(&cb, 1, &e);
  IrValue *Li = ir_call(&ad->top, RT_INV, 1, &L);
  Li->type = L->type;
  add_tensor_adj(ad, A, matmul(ad, matmul(ad, transposed(ad, Li), c->res[0], 2), Li, 2));
}

/* d = det(A): dA = dd d inv(A)^T (Jacobi's formula; a singular A stops the program in inv, where
 * PyTorch would go through an SVD). */
static void det_rule(Ad *ad, IrInst *in) {
  IrValue *dD = tensor_adj(ad, in->res[0]), *A = ir_op(in, 0);
  if (!dD || !is_active(ad, A)) return;
  add_inv_transposed(ad, A, ir_bin(&ad->top, BIN_MUL, ir_elem(&ad->top, dD, 0, NULL), ir_elem(&ad->top, in->res[0], 0, NULL)));
}

/* C = A @ B: dA = dC @ B^T, dB = A^T @ dC, for each pairing of vectors and matrices, and for
 * batches of matrices (each product's own). */
static void matmul_rule(Ad *ad, IrInst *in) {
  IrValue *dC = tensor_adj(ad, in->res[0]);
  if (!dC) return;
  IrValue *A = ir_op(in, 0), *B = ir_op(in, 1);
  int ra = A->type.rank, rb = B->type.rank;
  if (ra >= 2 && rb == ra) {
    if (is_active(ad, A)) add_tensor_adj(ad, A, matmul(ad, dC, transposed(ad, B), ra));
    if (is_active(ad, B)) add_tensor_adj(ad, B, matmul(ad, transposed(ad, A), dC, ra));
  } else if (ra == 1 && rb == 2) { /* c[m] = a[k] B[k, m] */
    if (is_active(ad, A)) add_tensor_adj(ad, A, matmul(ad, B, dC, 1));
    if (is_active(ad, B)) add_tensor_adj(ad, B, outer(ad, A, dC));
  } else if (ra == 2 && rb == 1) { /* c[n] = A[n, k] b[k] */
    if (is_active(ad, A)) add_tensor_adj(ad, A, outer(ad, dC, B));
    if (is_active(ad, B)) add_tensor_adj(ad, B, matmul(ad, dC, A, 1));
  } else { /* a dot product: a rank-0 result */
    IrValue *g = ir_elem(&ad->top, dC, 0, NULL);
    for (int side = 0; side < 2; side++) {
      IrValue *x = side ? B : A, *o = side ? A : B;
      if (!is_active(ad, x)) continue;
      IrBuilder cb;
      IrValue *idx[1];
      IrInst *c = compr_like(ad, x, &cb, idx);
      IrValue *p = ir_bin(&cb, BIN_MUL, g, ir_elem(&cb, o, 1, idx));
      ir_yield(&cb, 1, &p);
      add_tensor_adj(ad, x, c->res[0]);
    }
  }
}

/* t reversed along `axis` (its last element first). */
static IrValue *flipped(Ad *ad, IrValue *t, int axis) {
  IrBuilder in;
  IrValue *idx[SN_MAX_RANK];
  IrInst *c = compr_like(ad, t, &in, idx);
  idx[axis] = ir_bin(&in, BIN_SUB, ir_bin(&in, BIN_SUB, ir_op(c, axis), ir_const_i64(&in, 1)), idx[axis]);
  IrValue *e = ir_elem(&in, t, ir_val(t)->type.rank, idx);
  ir_yield(&in, 1, &e);
  return c->res[0];
}

/* Y = cumsum(X) along an axis: dX = the sums of dY from each place to the end, a cumsum of dY
 * reversed, reversed back. Over all elements (axis -1), Y is X's elements in row-major order. */
static void cumsum_rule(Ad *ad, IrInst *in) {
  IrValue *dY = tensor_adj(ad, in->res[0]), *X = ir_op(in, 0);
  int64_t axis;
  if (!dY || !is_active(ad, X)) return;
  if (!ir_is_const_int(in->ops[1], &axis)) {
    fail(ad, in->span, "no gradient for a cumsum whose axis is not known when compiling", NULL);
    return;
  }
  IrValue *ops[2] = {flipped(ad, dY, axis < 0 ? 0 : (int)axis), ir_op(in, 1)};
  IrValue *s = ir_call(&ad->top, RT_CUMSUM, 2, ops);
  s->type = ir_val(dY)->type;
  IrValue *R = flipped(ad, s, axis < 0 ? 0 : (int)axis);
  if (axis >= 0 || X->type.rank == 1) {
    add_tensor_adj(ad, X, R);
    return;
  }
  IrBuilder cb;
  IrValue *idx[SN_MAX_RANK];
  IrInst *c = compr_like(ad, X, &cb, idx);
  IrValue *flat = flat_index(&cb, c->ops, idx, X->type.rank);
  IrValue *e = ir_elem(&cb, R, 1, &flat);
  ir_yield(&cb, 1, &e);
  add_tensor_adj(ad, X, c->res[0]);
}

/* Each element's rank along `axis` of t in the stable sorted order: the inverse of t's argsort,
 * itself an argsort (of the permutation). */
static IrValue *ranks_along(Ad *ad, IrValue *t, int64_t axis) {
  IrValue *ops[2] = {t, ir_const_i64(&ad->top, axis)};
  IrValue *perm = ir_call(&ad->top, RT_ARGSORT, 2, ops);
  perm->type = ir_tensor(SN_I64, ir_val(t)->type.rank);
  ops[0] = perm;
  IrValue *ranks = ir_call(&ad->top, RT_ARGSORT, 2, ops);
  ranks->type = perm->type;
  return ranks;
}

/* Y = sort(X) along an axis: each element of X went to its place in the stable order, so dX
 * there is dY at that place, the inverse of X's argsort (itself an argsort, of the permutation).
 * Equal elements take the places the forward's stable sort gave them. */
static void sort_rule(Ad *ad, IrInst *in) {
  IrValue *dY = tensor_adj(ad, in->res[0]), *X = ir_op(in, 0);
  int64_t axis;
  if (!dY || !is_active(ad, X)) return;
  if (!ir_is_const_int(in->ops[1], &axis) || axis < 0 || axis >= X->type.rank) {
    fail(ad, in->span, "no gradient for a sort whose axis is not known when compiling", NULL);
    return;
  }
  int r = X->type.rank;
  IrValue *inv = ranks_along(ad, X, axis);
  IrBuilder cb;
  IrValue *idx[SN_MAX_RANK], *at[SN_MAX_RANK];
  IrInst *c = compr_like(ad, X, &cb, idx);
  memcpy(at, idx, (size_t)r * sizeof *at);
  at[axis] = ir_elem(&cb, inv, r, idx);
  IrValue *e = ir_elem(&cb, dY, r, at);
  ir_yield(&cb, 1, &e);
  add_tensor_adj(ad, X, c->res[0]);
}

/* The share of an order statistic's gradient that the element of rank rk (in a line of n) gets:
 * NumPy's linear method interpolates between ranks lo = floor(h) and lo + 1 at h = (n - 1) q,
 * so 1 - (h - lo) at lo and h - lo at lo + 1, all of it at rank n - 1 when h reaches it. */
static IrValue *quantile_share(IrBuilder *b, IrValue *rk, IrValue *n, IrValue *q) {
  IrValue *one = ir_const_i64(b, 1), *last = ir_bin(b, BIN_SUB, n, one), *f1 = ir_const_f(b, SN_F64, 1);
  IrValue *f0 = ir_const_f(b, SN_F64, 0), *h = ir_bin(b, BIN_MUL, ir_cast(b, last, ir_scalar(SN_F64)), q);
  IrValue *fl = ir_math(b, MF_FLOOR, h, NULL), *g = ir_bin(b, BIN_SUB, h, fl), *lo = ir_cast(b, fl, ir_i64);
  IrValue *w = ir_bin(b, BIN_ADD, ir_select(b, ir_cmp(b, CMP_EQ, rk, lo), ir_bin(b, BIN_SUB, f1, g), f0),
                      ir_select(b, ir_cmp(b, CMP_EQ, rk, ir_bin(b, BIN_ADD, lo, one)), g, f0));
  IrValue *top = ir_cmp(b, CMP_GE, h, ir_cast(b, last, ir_scalar(SN_F64)));
  return ir_select(b, top, ir_select(b, ir_cmp(b, CMP_EQ, rk, last), f1, f0), w);
}

/* R = quantile(X, q, axis), quantiles(X, qs, axis) (qs' axis first) or median(X, axis) (q = 1/2):
 * each element takes quantile_share of each statistic of its line (every element, in row-major
 * order, without an axis), at its rank there: the inverse of the line's stable argsort, the
 * order the forward sorted it in. */
static void quantile_rule(Ad *ad, IrInst *in) {
  IrValue *dR = tensor_adj(ad, in->res[0]), *X = ir_op(in, 0);
  if (!dR || !is_active(ad, X)) return;
  bool median = in->sub == RT_MEDIAN, vec = in->sub == RT_QUANTILES;
  int64_t axis;
  if (!ir_is_const_int(in->ops[median ? 1 : 2], &axis) || axis >= X->type.rank) {
    fail(ad, in->span, "no gradient for a quantile whose axis is not known when compiling", NULL);
    return;
  }
  int r = X->type.rank;
  IrValue *dims[SN_MAX_RANK], *src = X, *n;
  dims_of(ad, X, dims);
  if (axis < 0) { /* X's elements in row-major order */
    n = ir_const_i64(&ad->top, 1);
    for (int d = 0; d < r; d++) n = ir_bin(&ad->top, BIN_MUL, n, dims[d]);
    IrType ft = ir_tensor((SnDtype)X->type.dtype, 1);
    IrInst *f = ir_emit(&ad->top, IR_COMPR, 1, &n, 1, &ft, 1);
    IrValue *at[SN_MAX_RANK];
    IrBuilder fb = {.fn = ad->fn, .block = f->regions[0]};
    unflatten(&fb, ir_block_arg(ad->fn, f->regions[0], ir_i64), dims, 0, r, at);
    IrValue *e = ir_elem(&fb, X, r, at);
    ir_yield(&fb, 1, &e);
    src = f->res[0];
  } else {
    n = dims[axis];
  }
  IrValue *ranks = ranks_along(ad, src, axis < 0 ? 0 : axis);
  IrBuilder cb;
  IrValue *idx[SN_MAX_RANK], *at[SN_MAX_RANK + 1];
  IrInst *c = compr_like(ad, X, &cb, idx);
  IrValue *rk;
  if (axis < 0) {
    IrValue *flat = flat_index(&cb, dims, idx, r);
    rk = ir_elem(&cb, ranks, 1, &flat);
  } else {
    rk = ir_elem(&cb, ranks, r, idx);
  }
  int na = vec ? 1 : 0;
  for (int d = 0; d < r; d++)
    if (d != axis && axis >= 0) at[na++] = idx[d];
  IrBuilder qb = cb;
  IrInst *sum = NULL;
  IrValue *q = median ? ir_const_f(&cb, SN_F64, 0.5) : vec ? NULL : ir_cast(&cb, in->ops[1], ir_scalar(SN_F64));
  IrType vt = elem_type(dR);
  if (vec) { /* each of the statistics qs[j], summed */
    IrValue *nq = ir_dim(&cb, in->ops[1], 0);
    sum = ir_emit(&cb, IR_REDUCE, 1, &nq, 1, &vt, 1);
    sum->sub = RED_SUM;
    qb = (IrBuilder){.fn = ad->fn, .block = sum->regions[0], .span = cb.span};
    at[0] = ir_block_arg(ad->fn, sum->regions[0], ir_i64);
    q = ir_cast(&qb, ir_elem(&qb, in->ops[1], 1, at), ir_scalar(SN_F64));
  }
  IrValue *v = ir_bin(&qb, BIN_MUL, ir_elem(&qb, dR, na, at), ir_cast(&qb, quantile_share(&qb, rk, n, q), vt));
  if (sum) {
    ir_yield(&qb, 1, &v);
    v = sum->res[0];
  }
  ir_yield(&cb, 1, &v);
  add_tensor_adj(ad, X, c->res[0]);
}

/* A line's neighbour, 0 past either end: t[i, l + shift] of lines [n, L], or t[part, i, l + shift]
 * of a [2, n, L] tensor when part >= 0. */
static IrValue *shifted(IrBuilder *b, IrValue *t, int part, IrValue *i, IrValue *l, int shift, IrValue *len) {
  IrValue *at = ir_bin(b, BIN_ADD, l, ir_const_i64(b, shift));
  IrValue *inside = ir_bin(b, BIN_AND, ir_cmp(b, CMP_GE, at, ir_const_i64(b, 0)), ir_cmp(b, CMP_LT, at, len));
  IrValue *idx[3] = {ir_const_i64(b, part), i, clamp(b, at, len)};
  IrValue *e = part >= 0 ? ir_elem(b, t, 3, idx) : ir_elem(b, t, 2, idx + 1);
  return ir_select(b, inside, e, zero_of(b, elem_type(t)));
}

/* Part `part` of a [2, n, L] tensor, as an [n, L] comprehension shaped like `like`. */
static IrValue *part_of(Ad *ad, IrValue *t, int part, IrValue *like) {
  IrBuilder cb;
  IrValue *idx[2];
  IrInst *c = compr_like(ad, like, &cb, idx);
  IrValue *at[3] = {ir_const_i64(&cb, part), idx[0], idx[1]};
  IrValue *e = ir_elem(&cb, t, 3, at);
  ir_yield(&cb, 1, &e);
  return c->res[0];
}

/* X = linrec(a, b) (x_l = a_l x_{l-1} + b_l, complex, lines [n, L]; X [2, n, L]): the adjoint
 * G of x is the reverse recurrence G_l = dX_l + conj(a_{l+1}) G_{l+1}, so db = G and
 * da_l = G_l conj(x_{l-1}) (a reversed recurrence mirrors it). */
static void linrec_rule(Ad *ad, IrInst *in) {
  IrValue *dX = tensor_adj(ad, in->res[0]), *X = in->res[0], *flag = ir_val(in->ops[4]);
  int64_t rev;
  if (!dX) return;
  if (flag->def && flag->def->op == IR_CAST) flag = ir_op(flag->def, 0);
  if (!flag->def || flag->def->op != IR_CONST || ir_is_float(flag->type)) {
    fail(ad, in->span, "no gradient for a linear recurrence whose direction is not known when compiling",
         "pass reverse= a constant");
    return;
  }
  rev = flag->def->imm.i;
  int shift = rev ? -1 : 1;
  IrValue *ar = ir_op(in, 0), *ai = ir_op(in, 1);
  IrValue *ops[5];
  for (int part = 0; part < 2; part++) { /* conj(a) one step along the recurrence, 0 past its end */
    IrBuilder cb;
    IrValue *idx[2];
    IrInst *c = compr_like(ad, ar, &cb, idx);
    IrValue *e = shifted(&cb, part ? ai : ar, -1, idx[0], idx[1], shift, ir_op(c, 1));
    if (part) e = ir_neg(&cb, e);
    ir_yield(&cb, 1, &e);
    ops[part] = c->res[0];
  }
  ops[2] = part_of(ad, dX, 0, ar);
  ops[3] = part_of(ad, dX, 1, ar);
  ops[4] = ir_const(&ad->top, ir_scalar(SN_I32), 0, !rev);
  IrValue *G = ir_call(&ad->top, RT_LINREC, 5, ops);
  G->type = ir_val(X)->type;
  for (int k = 0; k < 4; k++) {
    IrValue *x = ir_op(in, k);
    if (!is_active(ad, x)) continue;
    if (k >= 2) {
      add_tensor_adj(ad, x, part_of(ad, G, k - 2, x));
      continue;
    }
    IrBuilder cb;
    IrValue *idx[2];
    IrInst *c = compr_like(ad, x, &cb, idx);
    IrValue *gi[3] = {ir_const_i64(&cb, 0), idx[0], idx[1]}, *gr = ir_elem(&cb, G, 3, gi);
    gi[0] = ir_const_i64(&cb, 1);
    IrValue *gim = ir_elem(&cb, G, 3, gi);
    IrValue *xr = shifted(&cb, X, 0, idx[0], idx[1], -shift, ir_op(c, 1));
    IrValue *xi = shifted(&cb, X, 1, idx[0], idx[1], -shift, ir_op(c, 1));
    IrValue *v = k == 0 ? ir_bin(&cb, BIN_ADD, ir_bin(&cb, BIN_MUL, gr, xr), ir_bin(&cb, BIN_MUL, gim, xi))
                        : ir_bin(&cb, BIN_SUB, ir_bin(&cb, BIN_MUL, gim, xr), ir_bin(&cb, BIN_MUL, gr, xi));
    ir_yield(&cb, 1, &v);
    add_tensor_adj(ad, x, c->res[0]);
  }
}

/* The runtime calls with a gradient: a row and a function each. */
typedef struct CallRule {
  RtFn fn;
  void (*rule)(Ad *ad, IrInst *in);
} CallRule;

static const CallRule call_rules[] = {
    {RT_MATMUL, matmul_rule},
    {RT_CUMSUM, cumsum_rule},
    {RT_LINREC, linrec_rule},
    {RT_SORT, sort_rule},
    {RT_QUANTILE, quantile_rule},
    {RT_QUANTILES, quantile_rule},
    {RT_MEDIAN, quantile_rule},
    {RT_INV, inv_rule},
    {RT_SOLVE, solve_rule},
    {RT_DET, det_rule},
    {RT_SLOGDET, slogdet_rule},
    {RT_CHOLESKY, cholesky_rule},
};

static bool has_rule(int fn) {
  for (size_t k = 0; k < sizeof call_rules / sizeof *call_rules; k++)
    if ((int)call_rules[k].fn == fn) return true;
  return false;
}

/* A literal's element stored at a constant offset takes the literal's adjoint there. */
static void store_rule(Ad *ad, Sweep *top, IrInst *in) {
  IrValue *p = ir_op(in, 0);
  if (!p->def || p->def->op != IR_DATA || !is_active(ad, in->ops[2])) return;
  IrValue *T = ir_op(p->def, 0);
  IrValue *dT = tensor_adj(ad, T);
  if (!dT) return;
  int rank = T->type.rank;
  IrValue *dims[SN_MAX_RANK], *idx[SN_MAX_RANK];
  dims_of(ad, T, dims);
  IrValue *off = ir_op(in, 1);
  for (int k = rank - 1; k >= 0; k--) {
    idx[k] = k ? ir_bin(&ad->top, BIN_REM, off, dims[k]) : off;
    if (k) off = ir_bin(&ad->top, BIN_DIV, off, dims[k]);
  }
  add_adj(top, in->ops[2], ir_elem(&ad->top, dT, rank, idx));
}

/* An `if` whose branches only choose between values (`f = if done then f else fnew`): each
 * value takes the adjoint where its branch is taken. */
static void select_rule(Ad *ad, Sweep *top, IrInst *in) {
  IrValue *c = ir_op(in, 0);
  for (int k = 0; k < in->nres; k++) {
    for (int q = 0; q < 2; q++) {
      IrValue *v = ir_op(in->regions[q]->last, k);
      if (!is_active(ad, v)) continue;
      if (in->res[k]->type.kind != IRT_TENSOR) {
        IrValue *g = scalar_adj(ad, top, in->res[k]);
        if (g) add_adj(top, v, ir_select(&ad->top, c, q ? zero_of(&ad->top, g->type) : g, q ? g : zero_of(&ad->top, g->type)));
        continue;
      }
      IrValue *dT = tensor_adj(ad, in->res[k]);
      if (!dT) continue;
      IrBuilder cb;
      IrValue *idx[SN_MAX_RANK];
      IrInst *cc = compr_like(ad, v, &cb, idx);
      IrValue *e = ir_elem(&cb, dT, ir_val(v)->type.rank, idx), *z = zero_of(&cb, e->type);
      IrValue *r = ir_select(&cb, c, q ? z : e, q ? e : z);
      ir_yield(&cb, 1, &r);
      add_tensor_adj(ad, v, cc->res[0]);
    }
  }
}

/* One instruction of the top level, backwards. */
static void top_rule(Ad *ad, Sweep *top, IrInst *in) {
  bool act = false;
  for (int k = 0; k < in->nres; k++) act |= is_active(ad, in->res[k]);
  if (in->op == IR_STORE) {
    store_rule(ad, top, in);
    return;
  }
  if (!act || in->op == IR_ALLOC) return; /* a literal: its stores took its adjoint */
  if (in->op == IR_COMPR || in->op == IR_REDUCE) {
    Chain ch;
    if (!chain_of(ad, in, &ch)) return;
    ch.seed = in->op == IR_REDUCE ? scalar_adj(ad, top, in->res[0]) : tensor_adj(ad, in->res[0]);
    if (!ch.seed) return;
    IrInst *red = ch.inner ? ch.inner : (in->op == IR_REDUCE ? in : NULL);
    if (red && (red->sub == RED_MAX || red->sub == RED_MIN) && !one_term(red))
      ch.count = aux_reduction(ad, &ch, RED_SUM, ir_i64, term_extreme);
    if (red && red->sub == RED_PROD) {
      ch.zeros = aux_reduction(ad, &ch, RED_SUM, ir_i64, term_zero);
      ch.nonzero = aux_reduction(ad, &ch, RED_PROD, ir_op(red->regions[0]->last, 0)->type, term_nonzero);
    }
    PtrVec targets = {0};
    find_targets(ad, in, in->regions[0], &targets);
    for (int k = 0; k < targets.n && !ad->failed; k++) contribute(ad, &ch, targets.items[k]);
    return;
  }
  if (in->op == IR_ELEM) { /* x[a, b] at the top level: a one-hot contribution */
    IrValue *g = scalar_adj(ad, top, in->res[0]);
    if (!g) return;
    IrValue *T = ir_op(in, 0);
    IrBuilder cb;
    IrValue *idx[SN_MAX_RANK];
    IrInst *c = compr_like(ad, T, &cb, idx);
    IrValue *ok = NULL;
    for (int k = 0; k + 1 < in->nops; k++) {
      IrValue *e = ir_cmp(&cb, CMP_EQ, idx[k], ir_op(in, k + 1));
      ok = ok ? ir_bin(&cb, BIN_AND, ok, e) : e;
    }
    IrValue *v = ok ? ir_select(&cb, ok, g, zero_of(&cb, g->type)) : g;
    ir_yield(&cb, 1, &v);
    add_tensor_adj(ad, T, c->res[0]);
    return;
  }
  if (in->op == IR_CALL && (in->sub == RT_RESULT_F64 || in->sub == RT_RESULT_TENSOR))
    return; /* a part of a kernel's result: the kernel's rule reads its adjoint (part_adj) */
  for (size_t k = 0; in->op == IR_CALL && k < sizeof call_rules / sizeof *call_rules; k++)
    if ((int)call_rules[k].fn == in->sub) {
      call_rules[k].rule(ad, in);
      return;
    }
  if (in->op == IR_CALL) {
    fail(ad, in->span, arena_printf(ad->fn->arena, "no gradient for `%s`", rt_fns[in->sub].name + (strncmp(rt_fns[in->sub].name, "sn_", 3) ? 0 : 3)),
         "gradients pass through the language's own operations, `@` and the functions written with them");
    return;
  }
  if (in->op == IR_LOOP) {
    fail(ad, in->span, "no gradient through an `iterate` whose count is not a constant of at most 256",
         "differentiate through a fixed number of steps, `iterate ... max 50`");
    return;
  }
  if (in->op == IR_IF && in->regions[0]->first == in->regions[0]->last && in->regions[1]->first == in->regions[1]->last) {
    select_rule(ad, top, in);
    return;
  }
  if (in->op == IR_IF) {
    for (int k = 0; k < in->nres; k++)
      if (in->res[k]->type.kind != IRT_SCALAR) {
        fail(ad, in->span, "no gradient through an `if` whose value is a tensor yet", "use where(cond, a, b)");
        return;
      }
  }
  for (int k = 0; k < in->nres; k++) scalar_adj(ad, top, in->res[k]);
  if (!scalar_rule(top, in)) fail(ad, in->span, "cannot differentiate this operation", NULL);
}

/* --- iterate: unrolled ----------------------------------------------------------------------------- */

/* An iterate with a constant count of at most AD_UNROLL_MAX steps is differentiated unrolled:
 * every step's states are values of the function (stored where the backward reads them), so its
 * memory is the steps times the state. An `until` is kept: once a step is done, the states stop
 * changing (and take no gradient through the steps after). */
#define AD_UNROLL_MAX 256

/* Does v depend on one of the grad's stand-ins? (memo: value -> v when it does, -> NULL stored
 * as the block itself when not) */
static bool depends(IrBlock *stand, IrValue *v, IrMap *memo) {
  v = ir_val(v);
  void *m = ir_map_get(memo, v);
  if (m) return m == v;
  bool dep = !v->def && v->block == stand;
  ir_map_put(memo, v, stand);
  if (v->def) {
    for (int k = 0; k < v->def->nops && !dep; k++) dep = depends(stand, v->def->ops[k], memo);
    for (int q = 0; q < v->def->nregions && !dep; q++) {
      PtrVec uses = {0};
      Arena scratch = {0};
      outer_uses(v->def, v->def->regions[q], &uses, &scratch);
      for (int k = 0; k < uses.n && !dep; k++) dep = depends(stand, uses.items[k], memo);
      arena_free(&scratch);
    }
  }
  if (dep) ir_map_put(memo, v, v);
  return dep;
}

/* x where stop, else y: a scalar select, or a comprehension of them for tensors. */
static IrValue *choose(Ad *ad, IrBuilder *b, IrValue *stop, IrValue *x, IrValue *y) {
  if (ir_val(x)->type.kind != IRT_TENSOR) return ir_select(b, stop, x, y);
  IrBuilder in;
  IrValue *idx[SN_MAX_RANK];
  IrBuilder saved = ad->top;
  ad->top = *b;
  IrInst *c = compr_like(ad, x, &in, idx);
  ad->top = saved;
  IrValue *r = ir_select(&in, stop, ir_elem(&in, x, ir_val(x)->type.rank, idx), ir_elem(&in, y, ir_val(x)->type.rank, idx));
  ir_yield(&in, 1, &r);
  return c->res[0];
}

/* Replaces the loop by its steps, before it; returns the first instruction it made (NULL when it
 * could not: the count is not a constant or is too large). */
static IrInst *unroll(Ad *ad, IrInst *loop) {
  int64_t n;
  if (!ir_is_const_int(loop->ops[0], &n) || n > AD_UNROLL_MAX) return NULL;
  IrBlock *body = loop->regions[0];
  IrInst *y = body->last;
  int nstate = loop->nops - 1;
  IrBuilder b = {.fn = ad->fn, .block = loop->parent, .before = loop, .span = loop->span};
  IrInst *first = loop->prev;
  IrValue **cur = arena_alloc(ad->fn->arena, (size_t)(nstate ? nstate : 1) * sizeof *cur);
  for (int k = 0; k < nstate; k++) cur[k] = ir_op(loop, k + 1);
  /* a counted loop's `done` is the constant false */
  IrInst *dd = ir_op(y, nstate)->def;
  bool counted = dd && dd->op == IR_CONST && dd->imm.i == 0;
  IrValue *stop = ir_const_bool(&b, false), *iters = ir_const_i64(&b, 0);
  for (int64_t step = 0; step < n; step++) {
    IrMap m = {0};
    ir_map_put(&m, body->args[0], ir_const_i64(&b, step));
    for (int k = 0; k < nstate; k++) ir_map_put(&m, body->args[k + 1], cur[k]);
    for (IrInst *in = body->first; in && in != y; in = in->next) ir_clone_inst(&b, &m, in);
    IrValue *done = counted ? NULL : ir_map_get(&m, ir_op(y, nstate));
    if (!done && !counted) done = ir_op(y, nstate);
    for (int k = 0; k < nstate; k++) {
      IrValue *nv = ir_map_get(&m, ir_op(y, k));
      if (!nv) nv = ir_op(y, k);
      cur[k] = counted ? nv : choose(ad, &b, stop, cur[k], nv);
    }
    if (!counted) {
      iters = ir_select(&b, stop, iters, ir_bin(&b, BIN_ADD, iters, ir_const_i64(&b, 1)));
      stop = ir_bin(&b, BIN_OR, stop, done);
    }
    ir_map_free(&m);
  }
  for (int k = 0; k < nstate; k++) ir_replace(loop->res[k], cur[k]);
  ir_replace(loop->res[nstate], counted ? ir_const_i64(&b, n) : iters);
  ir_replace(loop->res[nstate + 1], stop);
  ir_remove(loop);
  return first ? first->next : b.block->first;
}

/* Does a comprehension's body sum over something, itself or in a comprehension it reads?
 * (seen: the comprehensions already looked at) */
static bool sums(IrBlock *b, IrMap *seen) {
  if (ir_contains_reduction(b)) return true;
  for (IrInst *in = b->first; in; in = in->next) {
    IrInst *c = in->op == IR_ELEM ? ir_op(in, 0)->def : NULL;
    if (c && c->op == IR_COMPR && !ir_map_get(seen, c->res[0])) {
      ir_map_put(seen, c->res[0], c->res[0]);
      if (sums(c->regions[0], seen)) return true;
    }
    for (int q = 0; q < in->nregions; q++)
      if (sums(in->regions[q], seen)) return true;
  }
  return false;
}

bool autodiff_expand(IrFunc *fn, IrInst *g, DiagBag *d) {
  Ad ad = {.fn = fn, .diags = d, .where = g->span};
  ad.top = (IrBuilder){.fn = fn, .block = g->parent, .before = g, .span = g->span};
  IrBlock *body = g->regions[0];
  IrInst *y = body->last;
  IrValue *L = ir_op(y, 0);
  /* the function's IR moves out, before g, and is put in normal form (which adds
   * comprehensions before the instructions it normalises) */
  IrInst *before = g->prev, *next;
  for (IrInst *in = body->first; in && in != y; in = next) {
    next = in->next;
    ir_remove(in);
    ir_insert_before(g, in);
  }
  IrMap memo = {0};
  for (IrInst *in = before ? before->next : g->parent->first; in != g;) {
    if (in->op == IR_LOOP) {
      bool dep = false;
      for (int k = 0; k < in->nres && !dep; k++) dep = depends(body, in->res[k], &memo);
      IrInst *steps = dep ? unroll(&ad, in) : NULL;
      if (steps) {
        in = steps;
        continue;
      }
    }
    if (in->op == IR_COMPR || in->op == IR_REDUCE) {
      IrMap variant = {0};
      IrInst *moved = hoist_body(in, in->regions[0], &variant, NULL);
      ir_map_free(&variant);
      if (moved) { /* normalise what moved out first */
        in = moved;
        continue;
      }
      if (!normalise(&ad, in)) break;
    }
    in = in->next;
  }
  ir_map_free(&memo);
  IrInst *first = before ? before->next : g->parent->first;
  for (int k = 0; k < body->nargs; k++) {
    ir_map_put(&ad.active, body->args[k], body->args[k]);
    ir_map_put(&ad.touched, body->args[k], body->args[k]);
  }
  activity(&ad, first, g);
  Sweep top = {.ad = &ad, .b = &ad.top};
  ad.sweep = &top;
  if (!ad.failed && !is_active(&ad, L) && is_touched(&ad, L)) {
    IrMap seen = {0};
    IrInst *cut = find_cut(&ad, L, &seen);
    ir_map_free(&seen);
    fail(&ad, cut ? cut->span : g->span, "no gradient flows to the argument through this operation",
         "comparisons, integers, argmax and rounding have no gradient; the loss must depend on the argument "
         "through float arithmetic");
  }
  if (!ad.failed && is_active(&ad, L)) {
    add_adj(&top, L, ir_const_f(&ad.top, (SnDtype)L->type.dtype, 1));
    for (IrInst *in = g->prev; in && in != first->prev && !ad.failed; in = in->prev) top_rule(&ad, &top, in);
  }
  ir_replace(g->res[0], L);
  for (int k = 0; k < body->nargs; k++) {
    IrValue *a = body->args[k], *grad;
    if (a->type.kind == IRT_TENSOR) {
      grad = ad.failed ? NULL : tensor_adj(&ad, a);
      if (!grad) grad = zeros_like(&ad, a);
      IrInst *c = ir_val(grad)->def;
      IrMap seen = {0};
      if (c && c->op == IR_COMPR && sums(c->regions[0], &seen)) c->flags = (c->flags & ~IRF_LAZY) | IRF_STORE;
      ir_map_free(&seen);
    } else {
      grad = ad.failed ? NULL : scalar_adj(&ad, &top, a);
      if (!grad) grad = ir_const_f(&ad.top, (SnDtype)a->type.dtype, 0);
    }
    ir_replace(g->res[1 + k], grad);
    ir_replace(a, ir_op(g, k));
  }
  ir_remove(g);
  ir_map_free(&top.adj);
  ir_map_free(&ad.active);
  ir_map_free(&ad.touched);
  ir_map_free(&ad.tadj);
  return !ad.failed;
}
