/* sema_map.c: `map a, b in "a/", "b/" { body }`, a map over the tensors of checkpoints matched
 * by name (docs/language.md, "Mapping over checkpoints"; the runtime is runtime/io/stmap.c).
 *
 * The map is a value that only save takes: where it is saved, the body is compiled once per
 * (dtype, rank) that occurs among the tensors, with symbolic sizes, inside a loop over that
 * group's tensors, which reads each from the mapped files, computes it and writes it before the
 * next. Checkpoints that exist when the program is compiled are read then (names, dtypes and
 * shapes must agree, an error names the checkpoint, file and tensor) and the program checks them
 * again when it runs; checkpoints given only at run time get the body compiled for every float
 * dtype and the ranks up to MAP_RANKS. */
#include "sema_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Without the files, the body is compiled for these ranks (and the float dtypes). */
#define MAP_RANKS 4

typedef struct Group {
  SnDtype dt;
  int rank;
} Group;

struct MapVal {
  Node *n;        /* the A_MAP */
  Scope *scope;   /* where it was written, as it was then */
  IrFunc *fn;     /* the IR its body's free names belong to */
  int ninputs;
  Val **paths;
  const char **const_paths; /* the paths known when compiling, or NULL */
  Group *groups;
  int ngroups;
};

static bool exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int cmp_group(const void *a, const void *b) {
  const Group *x = a, *y = b;
  return x->dt != y->dt ? (int)x->dt - (int)y->dt : x->rank - y->rank;
}

/* The checkpoints opened as save's vocab= matches them (SN_VOCAB_HEADERS before save is seen),
 * or NULL after an error at the checkpoint at fault. */
static SnStMap *open_inputs(Sema *s, MapVal *m, int32_t vocab) {
  Node *paths = m->n->a;
  int64_t bad;
  SnStMap *sm = sn_stmap_open(m->ninputs, m->const_paths, vocab, &bad);
  if (sm) return sm;
  Span at = bad >= 0 ? ((Node *)paths->list.items[bad])->span : m->n->name_span;
  Diag *g = diag_error(s->diags, at, "%s", sn_error_message());
  if (bad >= 0 && !exists(m->const_paths[bad]))
    diag_hint(s->diags, g, "the checkpoints are read when the program is compiled if they all exist; if none "
                           "does, they are read only when it runs");
  else if (vocab == SN_VOCAB_SAME)
    /* what the headers' first reading let pass: the rows of embeddings */
    diag_hint(s->diags, g, "save(..., vocab=\"base\") gives the merge the base's vocabulary, vocab=\"union\" every "
                           "model's tokens; each model's rows are matched by the tokens of its tokenizer.json");
  else if (vocab == SN_VOCAB_HEADERS)
    diag_hint(s->diags, g, "every checkpoint a map reads must hold the same tensor names, each with the same "
                           "dtype and shape");
  return NULL;
}

/* The groups of the checkpoints as they are now, checked; false after an error. */
static bool read_headers(Sema *s, MapVal *m) {
  SnStMap *sm = open_inputs(s, m, SN_VOCAB_HEADERS);
  if (!sm) return false;
  int64_t count = sn_stmap_count(sm);
  m->groups = arena_alloc(s->arena, (size_t)(count ? count : 1) * sizeof *m->groups);
  for (int64_t k = 0; k < count; k++) {
    int32_t dt;
    int64_t rank;
    sn_stmap_info(sm, k, &dt, &rank);
    Group g = {(SnDtype)dt, (int)rank};
    bool seen = false;
    for (int i = 0; i < m->ngroups && !seen; i++) seen = m->groups[i].dt == g.dt && m->groups[i].rank == g.rank;
    if (!seen) m->groups[m->ngroups++] = g;
  }
  sn_stmap_close(sm);
  qsort(m->groups, (size_t)m->ngroups, sizeof *m->groups, cmp_group);
  /* what the code depends on, for the cache of compiled programs (IrFunc.reads) */
  const char *read = "map";
  for (int i = 0; i < m->ninputs; i++) read = arena_printf(s->fn->arena, "%s %s", read, m->const_paths[i]);
  for (int i = 0; i < m->ngroups; i++)
    read = arena_printf(s->fn->arena, "%s %s[%d]", read, sn_dtype_name(m->groups[i].dt), m->groups[i].rank);
  vec_push(s->fn->arena, &s->fn->reads, (void *)read);
  return true;
}

Val *sema_map(Sema *s, Node *n) {
  MapVal *m = NEW(s->arena, MapVal);
  m->n = n;
  Node *paths = n->a;
  bool ok = true;
  for (int i = 0; i < n->list.n; i++) {
    Node *nm = n->list.items[i];
    for (int j = 0; j < i; j++)
      if (strcmp(((Node *)n->list.items[j])->name, nm->name) == 0) {
        diag_error(s->diags, nm->span, "`%s` is bound twice by this map", nm->name);
        ok = false;
      }
  }
  if (n->list.n != paths->list.n) {
    Diag *g = diag_error(s->diags, paths->span, "the map binds %d name%s but reads %d checkpoint%s", n->list.n,
                         n->list.n == 1 ? "" : "s", paths->list.n, paths->list.n == 1 ? "" : "s");
    diag_hint(s->diags, g, "bind one name per checkpoint: map a, b in \"a/\", \"b/\" { ... }");
    ok = false;
  }
  m->ninputs = paths->list.n;
  m->paths = arena_alloc(s->arena, (size_t)m->ninputs * sizeof *m->paths);
  m->const_paths = arena_alloc(s->arena, (size_t)m->ninputs * sizeof *m->const_paths);
  int known = 0, present = 0;
  for (int i = 0; i < m->ninputs; i++) {
    Node *p = paths->list.items[i];
    m->paths[i] = sema_expr(s, p);
    if (m->paths[i]->kind == V_ERROR) {
      ok = false;
    } else if (m->paths[i]->kind != V_STR) {
      diag_error(s->diags, p->span, "a map reads checkpoints named by their paths (strings), not %s",
                 sema_type_str(s, m->paths[i]));
      ok = false;
    } else if ((m->const_paths[i] = sema_const_str(m->paths[i]))) {
      known++;
      present += exists(m->const_paths[i]);
    }
  }
  if (!ok) return ERR;
  if (known == m->ninputs && present > 0) {
    if (!read_headers(s, m)) return ERR;
  } else {
    /* read only when the program runs: every float dtype and rank up to MAP_RANKS */
    static const SnDtype floats[] = {SN_F16, SN_BF16, SN_F32, SN_F64};
    m->const_paths = NULL;
    m->groups = arena_alloc(s->arena, 4 * (MAP_RANKS + 1) * sizeof *m->groups);
    for (int d = 0; d < 4; d++)
      for (int r = 0; r <= MAP_RANKS; r++) m->groups[m->ngroups++] = (Group){floats[d], r};
  }
  m->scope = sema_snapshot_scope(s);
  m->fn = s->fn;
  Val *v = sema_val(s, V_CHECKPOINT);
  v->map = m;
  return v;
}

/* --- where it is saved: a loop per group ------------------------------------------------------- */

static IrValue *i32_const(Sema *s, int64_t v) { return ir_const(&s->b, ir_scalar(SN_I32), 0, v); }

/* The body, for the tensors `ins` of one group, in the map's own scope: its value as a tensor of
 * the group's dtype and the inputs' shape, or ERR. */
static Val *body_value(Sema *s, MapVal *m, Group g, SnDtype out, Val **ins) {
  Node *n = m->n;
  Scope *saved = sema_enter(s, m->scope);
  for (int i = 0; i < m->ninputs; i++) {
    Node *nm = n->list.items[i];
    sema_bind_val(s, nm->name, ins[i], nm->span);
  }
  Val *r = sema_unit(s);
  Node *last = NULL;
  for (int i = 0; i < n->body->list.n; i++) {
    Node *st = n->body->list.items[i];
    if (i + 1 == n->body->list.n && st->kind == A_EXPR) r = sema_expr(s, last = st->a);
    else sema_stmt(s, st);
  }
  sema_leave(s, saved);
  if (r->kind == V_ERROR) return ERR;
  Span at = last ? last->span : n->body->span;
  /* a rank-0 tensor's result may be a vector of one element (the merge methods lift numbers) */
  if (g.rank == 0 && r->kind == V_TENSOR && r->rank == 1 &&
      sema_dims_match(s, r->dims[0], sema_dim_const(1), at, "the map's result for a tensor of rank 0"))
    r = sema_elem(s, r, (IrValue *[]){ir_const_i64(&s->b, 0)});
  bool same = r->kind == V_TENSOR && r->rank == g.rank;
  if (!same && !(g.rank == 0 && r->kind == V_SCALAR)) {
    Diag *e = diag_error(s->diags, at, "the body of a map must give a tensor of its inputs' shape (%s here), not %s",
                         sema_type_str(s, ins[0]), sema_type_str(s, r));
    diag_hint(s->diags, e, "the body is computed once per tensor; combine the inputs elementwise, "
                           "e.g. 0.5 * a + 0.5 * b");
    return ERR;
  }
  for (int d = 0; d < g.rank; d++)
    if (!sema_dims_match(s, r->dims[d], ins[0]->dims[d], at, "the map's result and its input")) return ERR;
  if (r->dt != out) r = sema_cast(s, r, out, at);
  if (r->kind == V_SCALAR) {
    /* a rank-0 tensor: a one-element tensor of no dimensions holding the scalar */
    IrType tt = ir_tensor(out, 0);
    IrValue *t = ir_emit(&s->b, IR_ALLOC, 0, NULL, 1, &tt, 0)->res[0];
    IrValue *data = ir_emit(&s->b, IR_DATA, 1, &t, 1, &(IrType){IRT_PTR, (uint8_t)out, 0}, 0)->res[0];
    IrValue *x = out == SN_F16 || out == SN_BF16 ? ir_cast(&s->b, r->ir, ir_scalar(out)) : r->ir;
    IrValue *ops[3] = {data, ir_const_i64(&s->b, 0), x};
    ir_emit(&s->b, IR_STORE, 3, ops, 0, NULL, 0);
    r = sema_tensor(s, out, 0, NULL, t);
  }
  return r;
}

/* The tensor a group's loop computes, for the builtins that read its name. */
struct MapTensor {
  IrValue *run, *dt, *rank, *k;
};

Val *sema_map_tensor(Sema *s, int rt, const char *name, Val *text, Span at) {
  struct MapTensor *t = s->map_tensor;
  if (!t) {
    Diag *g = diag_error(s->diags, at, "`%s` reads the tensor a map computes, so it belongs in a map's body", name);
    diag_hint(s->diags, g, "map a, b in \"a/\", \"b/\" { if tensor_has(\"mlp\") then a else b }");
    return ERR;
  }
  IrValue *ops[5] = {t->run, t->dt, t->rank, t->k, text ? text->ir : NULL};
  IrValue *v = ir_call(&s->b, rt, rt == RT_MAP_LAYERS ? 1 : text ? 5 : 4, ops);
  if (rt == RT_MAP_HAS) return sema_scalar(s, SN_BOOL, false, ir_cmp(&s->b, CMP_NE, v, ir_const_i64(&s->b, 0)));
  return sema_scalar(s, SN_I64, false, v);
}

/* One group's loop: for k < count, each input's tensor k, the body, the result written. */
static bool group_loop(Sema *s, MapVal *m, IrValue *run, Group g, int out, Span span) {
  IrValue *dt = i32_const(s, g.dt), *rank = ir_const_i64(&s->b, g.rank);
  IrValue *cops[3] = {run, dt, rank};
  IrValue *count = ir_call(&s->b, RT_MAP_COUNT, 3, cops);
  IrType rts[2] = {ir_i64, ir_bool};
  IrInst *loop = ir_emit(&s->b, IR_LOOP, 1, &count, 2, rts, 1);
  int line, col;
  source_linecol(span.src, span.lo, &line, &col);
  loop->str = arena_printf(s->fn->arena, "map %s[%d] (%s:%d)", sn_dtype_name(g.dt), g.rank, span.src->path, line);
  IrBlock *body = loop->regions[0];
  IrValue *k = ir_block_arg(s->fn, body, ir_i64);
  k->name = "tensor";
  IrBuilder save = s->b;
  s->b.block = body;
  s->b.before = NULL;
  Val **ins = arena_alloc(s->arena, (size_t)m->ninputs * sizeof *ins);
  Dim dims[SN_MAX_RANK];
  for (int i = 0; i < m->ninputs; i++) {
    IrValue *gops[5] = {run, dt, rank, k, ir_const_i64(&s->b, i)};
    IrValue *t = ir_call(&s->b, RT_MAP_GET, 5, gops);
    t->type = ir_tensor(g.dt, g.rank);
    /* every input has input 0's shape (the runtime checked it) */
    for (int d = 0; d < g.rank && i == 0; d++) dims[d] = sema_dim_of_value(s, ir_dim(&s->b, t, d), "?");
    ins[i] = g.rank == 0 ? sema_scalar(s, g.dt, false, ir_elem(&s->b, t, 0, NULL)) : sema_tensor(s, g.dt, g.rank, dims, t);
  }
  struct MapTensor here = {run, dt, rank, k}, *outer = s->map_tensor;
  s->map_tensor = &here;
  Val *r = body_value(s, m, g, out >= 0 ? (SnDtype)out : g.dt, ins);
  s->map_tensor = outer;
  if (r->kind != V_ERROR) {
    IrValue *pops[5] = {run, dt, rank, k, r->ir};
    ir_call(&s->b, RT_MAP_PUT, 5, pops);
  }
  IrValue *done = ir_const_bool(&s->b, false);
  ir_yield(&s->b, 1, &done);
  s->b = save;
  return r->kind != V_ERROR;
}

bool sema_checkpoint_output(Sema *s, const char *what, Arg *path, Node *shard_size, Arg *files, IrValue **shard,
                            IrValue **files_ir) {
  *shard = ir_const_i64(&s->b, 0);
  if (shard_size) {
    Val *sv = sema_expr(s, shard_size);
    if (sv->kind == V_ERROR) return false;
    if (sv->kind != V_SCALAR || !sema_is_int(sv->dt)) {
      diag_error(s->diags, shard_size->span, "shard_size is a number of bytes (an integer), not %s", sema_type_str(s, sv));
      return false;
    }
    *shard = ir_cast(&s->b, sv->ir, ir_i64);
  }
  const char *out = sema_const_str(path->v);
  size_t len = out ? strlen(out) : 0;
  if (out && !(len && out[len - 1] == '/') && !(len >= 12 && strcmp(out + len - 12, ".safetensors") == 0)) {
    Diag *g = diag_error(s->diags, path->span, "%s is a checkpoint: a .safetensors file or a directory", what);
    diag_hint(s->diags, g, "end a directory's path with /, as in \"merged/\", for model.safetensors (or shards "
                           "of shard_size bytes with an index) in it");
    return false;
  }
  Val *files_from = files ? files->v : NULL;
  if (files_from && files_from->kind != V_STR) {
    diag_error(s->diags, files->span, "files_from is the directory to copy the config and tokenizer from, not %s",
               sema_type_str(s, files_from));
    return false;
  }
  if (files_from && out && out[len - 1] != '/') {
    Diag *g = diag_error(s->diags, files->span, "files_from copies files into a directory, but the output is a file");
    diag_hint(s->diags, g, "write into a directory: \"merged/\", files_from=\"base/\"");
    return false;
  }
  *files_ir = files_from ? files_from->ir : ir_string(&s->b, "");
  return true;
}

/* save's vocab=: SN_VOCAB_SAME when not given, BASE or UNION, or -1 after an error. */
static int32_t vocab_option(Sema *s, Arg *vocab, const char *out) {
  if (!vocab) return SN_VOCAB_SAME;
  const char *mode = vocab->v->kind == V_STR ? sema_const_str(vocab->v) : NULL;
  if (!mode || (strcmp(mode, "base") != 0 && strcmp(mode, "union") != 0)) {
    const char *got = mode                     ? arena_printf(s->arena, "\"%s\"", mode)
                      : vocab->v->kind == V_STR ? "a string computed when the program runs"
                                                : sema_type_str(s, vocab->v);
    Diag *g = diag_error(s->diags, vocab->span, "vocab is \"base\" or \"union\", not %s", got);
    diag_hint(s->diags, g, "vocab=\"base\" merges onto the base's vocabulary, vocab=\"union\" onto every model's "
                           "tokens (mergekit's tokenizer_source)");
    return -1;
  }
  if (out && out[strlen(out) - 1] != '/') {
    Diag *g = diag_error(s->diags, vocab->span, "vocab= writes the output's tokenizer.json beside it, but the output "
                                                "is a file");
    diag_hint(s->diags, g, "write into a directory: save(merged, \"merged/\", vocab=\"%s\")", mode);
    return -1;
  }
  return strcmp(mode, "base") == 0 ? SN_VOCAB_BASE : SN_VOCAB_UNION;
}

/* save's pad_to_multiple_of=: the rows vocab= gives the embedding and output matrices padded to a
 * multiple of it (an integer from 1; a value computed when the program runs is checked then), as
 * mergekit's; NULL after an error. */
static IrValue *pad_option(Sema *s, Node *pad, int32_t vocab) {
  if (!pad) return ir_const_i64(&s->b, 1);
  if (vocab != SN_VOCAB_BASE && vocab != SN_VOCAB_UNION) {
    Diag *g = diag_error(s->diags, pad->span, "pad_to_multiple_of pads the vocabulary that vocab= builds, and this "
                                              "save has no vocab=");
    diag_hint(s->diags, g, "save(merged, \"merged/\", vocab=\"base\", pad_to_multiple_of=64)");
    return NULL;
  }
  Val *pv = sema_expr(s, pad);
  if (pv->kind == V_ERROR) return NULL;
  if (pv->kind != V_SCALAR || !sema_is_int(pv->dt)) {
    diag_error(s->diags, pad->span, "pad_to_multiple_of is a number of rows (an integer), not %s", sema_type_str(s, pv));
    return NULL;
  }
  int64_t c;
  if (ir_is_const_int(pv->ir, &c) && c < 1) {
    diag_error(s->diags, pad->span, "pad_to_multiple_of is a number of rows, 1 or more, not %lld", (long long)c);
    return NULL;
  }
  return ir_cast(&s->b, pv->ir, ir_i64);
}

Val *sema_map_save(Sema *s, Val *v, Arg *path, Node *shard_size, int dtype, Arg *files, Arg *vocab_arg, Node *pad,
                   Node *call) {
  MapVal *m = v->map;
  if (m->fn != s->fn) {
    /* the REPL compiles each input on its own: the body's names are an earlier input's values */
    Diag *g = diag_error(s->diags, call->span, "a map is saved in the same input that writes it");
    diag_hint(s->diags, g, "write both on one line: save(map a in \"a/\" { ... }, \"out/\")");
    return ERR;
  }
  IrValue *shard, *files_ir;
  if (!sema_checkpoint_output(s, "a map's output", path, shard_size, files, &shard, &files_ir)) return ERR;
  const char *out = sema_const_str(path->v);
  int32_t vocab = vocab_option(s, vocab_arg, out);
  if (vocab < 0) return ERR;
  IrValue *pad_ir = pad_option(s, pad, vocab);
  if (!pad_ir) return ERR;
  if (m->const_paths) {
    SnStMap *sm = open_inputs(s, m, vocab);
    if (!sm) return ERR;
    SnStatus st = out ? sn_stmap_check_output(sm, out) : 0;
    sn_stmap_close(sm);
    if (st) {
      Diag *g = diag_error(s->diags, path->span, "%s", sn_error_message());
      diag_hint(s->diags, g, "a map's output is written beside its target and renamed over it, so it cannot be "
                             "one of the checkpoints it reads");
      return ERR;
    }
  }
  IrValue *where = sema_where(s, call->span);
  IrBuilder save = s->b;
  s->b.span = call->span;
  IrValue *bops[2] = {where, ir_const_i64(&s->b, m->ninputs)};
  IrValue *run = ir_call(&s->b, RT_MAP_BEGIN, 2, bops);
  for (int i = 0; i < m->ninputs; i++) {
    IrValue *iops[2] = {run, m->paths[i]->ir};
    ir_call(&s->b, RT_MAP_INPUT, 2, iops);
  }
  for (int g = 0; g < m->ngroups; g++) {
    IrValue *aops[3] = {run, i32_const(s, m->groups[g].dt), ir_const_i64(&s->b, m->groups[g].rank)};
    ir_call(&s->b, RT_MAP_ACCEPT, 3, aops);
  }
  IrValue *sops[7] = {run, path->v->ir, shard, i32_const(s, dtype), files_ir, i32_const(s, vocab), pad_ir};
  ir_call(&s->b, RT_MAP_START, 7, sops);
  bool ok = true;
  for (int g = 0; g < m->ngroups && ok; g++) ok = group_loop(s, m, run, m->groups[g], dtype, m->n->name_span);
  ir_call(&s->b, RT_MAP_END, 1, &run);
  s->b = save;
  return ok ? sema_unit(s) : ERR;
}
