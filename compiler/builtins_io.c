/* builtins_io.c: the builtins that read and write files: load, load_csv, load_idx and save
 * (runtime/io/load.c, docs/runtime.md). A path known when the program is compiled is read then
 * for the dtypes and ranks its values will have; the program checks them again when it runs. */
#include "builtins.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

/* Records what a file read at compile time told the compiler (IrFunc.reads). */
static void note_read(Sema *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_read(Sema *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vec_push(s->fn->arena, &s->fn->reads, arena_vprintf(s->fn->arena, fmt, ap));
  va_end(ap);
}

/* Whether a file the compiler could not read is there at all: a missing one gets a hint about
 * reading it only at run time; for one that is there, the runtime's message says what is wrong. */
static bool file_exists(const char *path, struct stat *st) { return stat(path, st) == 0; }

/* A path load takes for a file of one of its formats (anything else is read as safetensors). */
static bool load_format(const char *path) {
  static const char *const suffixes[] = {".npy", ".safetensors", ".json"};
  size_t len = strlen(path);
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    size_t n = strlen(suffixes[i]);
    if (len >= n && strcmp(path + len - n, suffixes[i]) == 0) return true;
  }
  return false;
}

/* A tensor of `dt` and `rank` read from a file: its sizes are `sizes` where known when compiling
 * (not NULL, not -1), else read from it when the program runs (and show as `?`); a rank-0
 * tensor is a scalar. */
static Val *file_tensor(Sema *s, IrValue *t, SnDtype dt, int rank, const int64_t *sizes) {
  t->type = ir_tensor(dt, rank);
  if (rank == 0) return sema_scalar(s, dt, false, ir_elem(&s->b, t, 0, NULL));
  Dim dims[SN_MAX_RANK];
  for (int d = 0; d < rank; d++)
    dims[d] = sizes && sizes[d] >= 0 ? sema_dim_const(sizes[d]) : sema_dim_of_value(s, ir_dim(&s->b, t, d), "?");
  return sema_tensor(s, dt, rank, dims, t);
}

static bool path_arg(Sema *s, const Arg *a, const char *fn) {
  if (a->v->kind == V_STR) return true;
  diag_error(s->diags, a->span, "the path given to `%s` must be a string, not %s", fn, sema_type_str(s, a->v));
  return false;
}

/* The record of the values vals[0..n) named by dotted paths, nested at each dot, as PyTorch names
 * a module's tensors: `enc.weight` and `layers.0.bias` give {enc: {weight}, layers: {"0": {bias}}}
 * (a numeric part is a field read as r.layers["0"]); fields come in the order of their first
 * tensor. NULL when the names do not nest: a name that is also a group (`a` and `a.b`) or an
 * empty part (`a..b`). */
static Val *nest(Sema *s, int n, const char **names, Val **vals) {
  const char **head = arena_alloc(s->arena, (size_t)n * sizeof *head), **rest = arena_alloc(s->arena, (size_t)n * sizeof *rest);
  for (int i = 0; i < n; i++) {
    const char *dot = strchr(names[i], '.');
    head[i] = dot ? arena_strndup(s->arena, names[i], (size_t)(dot - names[i])) : names[i];
    rest[i] = dot ? dot + 1 : NULL;
    if (!*head[i] || (rest[i] && !*rest[i])) return NULL;
  }
  int nf = 0;
  const char **fields = arena_alloc(s->arena, (size_t)n * sizeof *fields);
  for (int i = 0; i < n; i++) {
    bool seen = false;
    for (int f = 0; f < nf && !seen; f++) seen = strcmp(fields[f], head[i]) == 0;
    if (!seen) fields[nf++] = head[i];
  }
  Val *r = sema_record(s, nf, fields, NULL);
  const char **sub = arena_alloc(s->arena, (size_t)n * sizeof *sub);
  Val **subv = arena_alloc(s->arena, (size_t)n * sizeof *subv);
  for (int f = 0; f < nf; f++) {
    int k = 0, leaf = -1;
    for (int i = 0; i < n; i++) {
      if (strcmp(head[i], fields[f]) != 0) continue;
      if (!rest[i]) leaf = i;
      else sub[k] = rest[i], subv[k++] = vals[i];
    }
    if (leaf >= 0 && k > 0) return NULL;
    r->rec->vals[f] = leaf >= 0 ? vals[leaf] : nest(s, k, sub, subv);
    if (!r->rec->vals[f]) return NULL;
  }
  return r;
}

/* The leaves of a record to save or to load against, depth first, with their dotted names
 * (`enc.weight`): tensors and numbers (a number is a tensor of no dimensions in the file, as a
 * PyTorch optimizer's `step`); function fields (a model's methods) are skipped. False after an
 * error naming the field that is neither. */
static bool leaves(Sema *s, Val *v, const char *prefix, PtrVec *names, PtrVec *vals, Span span, const char *what) {
  for (int i = 0; i < v->rec->n; i++) {
    Val *f = v->rec->vals[i];
    const char *name = prefix ? arena_printf(s->fn->arena, "%s.%s", prefix, v->rec->names[i])
                              : arena_strdup(s->fn->arena, v->rec->names[i]);
    if (f->kind == V_RECORD) {
      if (!leaves(s, f, name, names, vals, span, what)) return false;
    } else if (f->kind == V_TENSOR || f->kind == V_SCALAR) {
      vec_push(s->arena, names, (void *)name);
      vec_push(s->arena, vals, f);
    } else if (f->kind != V_FN) {
      Diag *g = diag_error(s->diags, span, "%s tensors and numbers, but field `%s` is %s", what, name, sema_type_str(s, f));
      diag_hint(s->diags, g, "a record of tensors, numbers and records of them is saved as named tensors (`enc.weight`)");
      return false;
    }
  }
  return true;
}

/* load(path): a tensor (.npy) or a record of tensors (.safetensors, an index .json, a directory).
 * With a literal path and no declared type, the file is read now for its dtypes and ranks (and
 * checked again when the program runs); with a declared type it need not exist yet. */
static Val *load(Sema *s, Arg *args, Node *call, Node *type) {
  if (!path_arg(s, &args[0], "load")) return ERR;
  Val *pv = args[0].v;
  Span pspan = args[0].span;
  IrValue *where = sema_where(s, call->span);
  if (type) {
    SnDtype dt;
    if (!type->ival || !sn_dtype_from_name(type->name, &dt)) {
      diag_error(s->diags, type->span, "load gives a tensor; the declared type must be one, such as f32[n, 3]");
      return ERR;
    }
    IrValue *ops[4] = {where, pv->ir, ir_const(&s->b, ir_scalar(SN_I32), 0, dt), ir_const_i64(&s->b, type->list.n)};
    IrBuilder save = s->b;
    s->b.span = call->span;
    IrValue *t = ir_call(&s->b, RT_LOAD_TENSOR, 4, ops);
    s->b = save;
    return file_tensor(s, t, dt, type->list.n, NULL);
  }
  const char *path = sema_const_str(pv);
  if (!path) {
    Diag *g = diag_error(s->diags, call->span, "load needs a path known when the program is compiled, or a declared type");
    diag_hint(s->diags, g, "write let x: f32[n, 3] = load(path) to load a path given when the program runs");
    return ERR;
  }
  size_t len = strlen(path);
  if (len >= 4 && strcmp(path + len - 4, ".csv") == 0) {
    Diag *g = diag_error(s->diags, pspan, "load reads tensor files, not the CSV table %s", path);
    diag_hint(s->diags, g, "read it with load_csv(\"%s\"), which gives {x: features, y: labels}", path);
    return ERR;
  }
  SnFileInfo info;
  if (sn_load_describe(path, &info)) {
    Diag *g = diag_error(s->diags, pspan, "cannot read %s", sn_error_message());
    struct stat st;
    if (!file_exists(path, &st))
      diag_hint(s->diags, g, "the file is read when the program is compiled; to load it only at run time, declare "
                             "its type: let x: f32[n, 3] = load(\"%s\")", path);
    else if (!S_ISDIR(st.st_mode) && !load_format(path))
      diag_hint(s->diags, g, "load reads .npy and .safetensors files, a sharded model's index .json or a directory; "
                             "a CSV table is read with load_csv");
    return ERR;
  }
  note_read(s, "load %s: %s of %lld", path, info.record ? "record" : "tensor", (long long)info.n);
  for (int64_t i = 0; i < info.n; i++)
    note_read(s, "  %s %s rank %lld", info.record ? info.names[i] : "", sn_dtype_name((SnDtype)info.dtypes[i]),
              (long long)info.ranks[i]);
  Val *r = ERR;
  if (!info.record) {
    IrValue *ops[4] = {where, pv->ir, ir_const(&s->b, ir_scalar(SN_I32), 0, info.dtypes[0]),
                       ir_const_i64(&s->b, info.ranks[0])};
    IrBuilder save = s->b;
    s->b.span = call->span;
    IrValue *t = ir_call(&s->b, RT_LOAD_TENSOR, 4, ops);
    s->b = save;
    r = file_tensor(s, t, (SnDtype)info.dtypes[0], (int)info.ranks[0], NULL);
  } else {
    r = sema_record(s, (int)info.n, NULL, NULL);
    for (int64_t i = 0; i < info.n; i++) {
      const char *name = arena_strdup(s->fn->arena, info.names[i]);
      IrValue *ops[5] = {where, pv->ir, ir_string(&s->b, name), ir_const(&s->b, ir_scalar(SN_I32), 0, info.dtypes[i]),
                         ir_const_i64(&s->b, info.ranks[i])};
      IrBuilder save = s->b;
      s->b.span = call->span;
      IrValue *t = ir_call(&s->b, RT_LOAD_NAMED, 5, ops);
      s->b = save;
      r->rec->names[i] = arena_strdup(s->arena, info.names[i]);
      r->rec->vals[i] = file_tensor(s, t, (SnDtype)info.dtypes[i], (int)info.ranks[i], NULL);
    }
    Val *nested = nest(s, r->rec->n, r->rec->names, r->rec->vals);
    if (nested) r = nested;
  }
  sn_file_info_free(&info);
  return r;
}

/* load_csv(path, label=last, dtype=f32, sep=",", header=true): {x: f32[n, d], y: i64[n]}; y is
 * f64 for a numeric label that is not integral, and class indices for text (see SnCsvSpec).
 * Without sep the header line's delimiter is found; without header a first row of numbers only
 * is an error (the file looks headerless). */
static Val *b_load_csv(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  SnDtype dt = args[2].dt;
  if (dt != SN_F32 && dt != SN_F64) {
    diag_error(s->diags, call->span, "load_csv reads features as f32 or f64, not %s", sn_dtype_name(dt));
    return ERR;
  }
  /* label=first|last|none or a column's name, sep and header, read from the syntax */
  const char *label = "last";
  int32_t sep = 0, header = SN_CSV_HEADER_CHECK;
  Node *n = args[1].node;
  if (n->kind == A_NAME && (!strcmp(n->name, "first") || !strcmp(n->name, "last") || !strcmp(n->name, "none"))) {
    label = strcmp(n->name, "none") == 0 ? "" : n->name;
  } else if (n->kind == A_STR) {
    label = n->str;
  } else {
    diag_error(s->diags, n->span, "label must be first, last, none or a column's name in quotes");
    return ERR;
  }
  if ((n = args[3].node)) {
    if (n->kind != A_STR || strlen(n->str) != 1 || strchr("\"\r\n", n->str[0])) {
      Diag *g = diag_error(s->diags, n->span, "sep must be one character in quotes, such as \";\" or \"\\t\"");
      diag_hint(s->diags, g, "without sep, the most frequent of , tab ; | on the header line separates the fields");
      return ERR;
    }
    sep = (unsigned char)n->str[0];
  }
  if ((n = args[4].node)) {
    if (n->kind != A_BOOL) {
      diag_error(s->diags, n->span, "header must be true (the first row names the columns) or false (it is data)");
      return ERR;
    }
    header = n->ival ? SN_CSV_HEADER_YES : SN_CSV_HEADER_NO;
  }
  if (!path_arg(s, &args[0], "load_csv")) return ERR;
  Val *pv = args[0].v;
  SnDtype ydt = SN_I64;
  Node *pn = args[0].node;
  if (pn->kind == A_STR && *label) {
    SnCsvSpec spec = {.label = label, .dtype = dt, .delimiter = (char)sep, .header = header};
    SnCsvData d = {0};
    if (sn_csv_read(pn->str, &spec, &d)) {
      Diag *g = diag_error(s->diags, pn->span, "cannot read %s", sn_error_message());
      struct stat st;
      if (!file_exists(pn->str, &st)) diag_hint(s->diags, g, "the file is read when the program is compiled, for the type of its labels");
      return ERR;
    }
    ydt = (SnDtype)d.y->dtype;
    sn_csv_free(&d);
    note_read(s, "load_csv %s label %s: y %s", pn->str, label, sn_dtype_name(ydt));
  }
  IrValue *where = sema_where(s, call->span);
  IrValue *path = pv->ir, *lab = ir_string(&s->b, arena_strdup(s->fn->arena, label));
  IrValue *ops[7] = {where, path, lab, ir_const(&s->b, ir_scalar(SN_I32), 0, dt), ir_const(&s->b, ir_scalar(SN_I32), 0, ydt),
                     ir_const(&s->b, ir_scalar(SN_I32), 0, sep), ir_const(&s->b, ir_scalar(SN_I32), 0, header)};
  IrBuilder save = s->b;
  s->b.span = call->span;
  IrValue *h = ir_call(&s->b, RT_LOAD_CSV, 7, ops);
  Val *r = sema_record(s, *label ? 2 : 1, NULL, NULL);
  for (int part = 0; part < r->rec->n; part++) {
    IrValue *pops[2] = {h, ir_const(&s->b, ir_scalar(SN_I32), 0, part)};
    IrValue *t = ir_call(&s->b, RT_RESULT_TENSOR, 2, pops);
    r->rec->names[part] = part ? "y" : "x";
    r->rec->vals[part] = file_tensor(s, t, part ? ydt : dt, part ? 1 : 2, NULL);
  }
  s->b = save;
  /* x and y have the same rows */
  if (r->rec->n == 2) sema_dims_match(s, r->rec->vals[0]->dims[0], r->rec->vals[1]->dims[0], call->span, "rows of x and y");
  return r;
}

/* load_idx(path, dtype=_): an IDX file (plain or gzip; runtime/io/idx.c) as f32, f64, i32 or i64;
 * without dtype, i64 for integer data and the file's own type for floats. A literal path is read
 * now for the rank and the sizes, which are then known when compiling (and checked when the
 * program runs). With a declared type (`let x: f32[n, 784] = load_idx(path)`) the file need not
 * exist yet, and a rank below the file's flattens its trailing dimensions into the last. */
static Val *b_load_idx(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  if (!path_arg(s, &args[0], "load_idx")) return ERR;
  Node *type = sema_declared_type(s, call);
  SnDtype dt = args[1].node ? args[1].dt : SN_NDTYPES;
  int64_t rank = -1, sizes[SN_MAX_RANK];
  if (type) {
    SnDtype tdt;
    if (!type->ival || !sn_dtype_from_name(type->name, &tdt)) {
      diag_error(s->diags, type->span, "load_idx gives a tensor; the declared type must be one, such as f32[n, 784]");
      return ERR;
    }
    if (args[1].node && tdt != dt) {
      diag_error(s->diags, args[1].span, "dtype=%s disagrees with the declared type %s", sn_dtype_name(dt), sn_dtype_name(tdt));
      return ERR;
    }
    dt = tdt;
    rank = type->list.n;
  }
  if (dt != SN_NDTYPES && dt != SN_F32 && dt != SN_F64 && dt != SN_I32 && dt != SN_I64) {
    Diag *g = diag_error(s->diags, type ? type->span : args[1].span, "load_idx reads IDX data as f32, f64, i32 or i64, not %s",
                         sn_dtype_name(dt));
    diag_hint(s->diags, g, "bytes (u8) are read as i64 labels or f32 pixels: load_idx(path, dtype=f32) / 255 scales them to [0, 1]");
    return ERR;
  }
  for (int d = 0; d < SN_MAX_RANK; d++) sizes[d] = -1;
  const char *path = sema_const_str(args[0].v);
  SnDtype fdt;
  int64_t frank, fshape[SN_MAX_RANK];
  if (path && !sn_idx_info(path, &fdt, &frank, fshape)) {
    if (dt == SN_NDTYPES) dt = fdt;
    if (fdt != SN_I64 && dt != SN_F32 && dt != SN_F64) {
      diag_error(s->diags, args[0].span, "%s holds %s values, which load_idx reads as f32 or f64, not %s", path, sn_dtype_name(fdt),
                 sn_dtype_name(dt));
      return ERR;
    }
    if (rank < 0) rank = frank;
    /* the sizes become constants of the program: sinter run's cache keys on them too */
    note_read(s, "load_idx %s: %s rank %lld", path, sn_dtype_name(fdt), (long long)frank);
    for (int64_t d = 0; d < frank; d++) note_read(s, "  size %lld", (long long)fshape[d]);
    if (sn_idx_fold(frank, fshape, rank, sizes)) {
      Diag *g = diag_error(s->diags, type ? type->span : call->span, "%s has %lld dimensions; the declared type has %lld", path,
                           (long long)frank, (long long)rank);
      diag_hint(s->diags, g, "a declared type may have fewer dimensions than the file (its last takes the file's trailing ones, "
                             "as f32[n, 784] for 28 x 28 images), not more");
      return ERR;
    }
  } else if (!type) {
    if (!path) {
      Diag *g = diag_error(s->diags, call->span, "load_idx needs a path known when the program is compiled, or a declared type");
      diag_hint(s->diags, g, "write let x: f32[n, 784] = load_idx(path) to load a path given when the program runs");
    } else {
      Diag *g = diag_error(s->diags, args[0].span, "cannot read %s", sn_error_message());
      struct stat st;
      if (!file_exists(path, &st))
        diag_hint(s->diags, g, "the file is read when the program is compiled; to load it only at run time, declare "
                               "its type: let x: f32[n, 784] = load_idx(\"%s\")", path);
    }
    return ERR;
  } else if (rank < 1) {
    diag_error(s->diags, type->span, "load_idx gives a tensor of 1 to %d dimensions, not a scalar", SN_MAX_RANK);
    return ERR;
  }
  IrValue *ops[3 + SN_MAX_RANK] = {sema_where(s, call->span), args[0].v->ir, ir_const(&s->b, ir_scalar(SN_I32), 0, dt)};
  for (int64_t d = 0; d < rank; d++) ops[3 + d] = ir_const_i64(&s->b, sizes[d]);
  IrBuilder save = s->b;
  s->b.span = call->span;
  IrValue *t = ir_call(&s->b, RT_LOAD_IDX, 3 + (int)rank, ops);
  s->b = save;
  return file_tensor(s, t, dt, (int)rank, sizes);
}

static Val *scalar_body(Sema *s, Val **idx, Span span, void *ctx) {
  (void)idx;
  (void)span;
  (void)s;
  return ctx;
}

/* The dtype a file holds for a leaf v of a record: its own, a literal's default (i64, f64). */
static SnDtype leaf_dtype(const Val *v) {
  if (v->kind == V_SCALAR && v->weak) return sema_is_float(v->dt) ? SN_F64 : v->dt == SN_BOOL ? SN_BOOL : SN_I64;
  return v->dt;
}

/* A number as a tensor of no dimensions, of its own type (a literal's default: i64, f64). */
static Val *scalar_tensor(Sema *s, Val *v, Span span) {
  SnDtype dt = leaf_dtype(v);
  return sema_compr(s, dt, 0, NULL, scalar_body, sema_cast(s, v, dt, span), span);
}

/* write_text(path, text, values): text with each `{}` replaced by the next number of the vector
 * values and `{*}` by the numbers left (runtime/io/text.c), written atomically when the program
 * runs (a search writes the program that re-runs its best recipe); the holes are counted against
 * values' length then. */
static Val *b_write_text(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (!path_arg(s, &args[0], b->name)) return ERR;
  if (args[1].v->kind != V_STR) {
    diag_error(s->diags, args[1].span, "the text given to `%s` must be a string, not %s", b->name, sema_type_str(s, args[1].v));
    return ERR;
  }
  Val *v = args[2].v;
  if (v->kind != V_TENSOR || v->rank != 1 || v->dt == SN_BOOL) {
    Diag *g = diag_error(s->diags, args[2].span, "`%s` fills each `{}` with a number of a vector, not %s", b->name, sema_type_str(s, v));
    diag_hint(s->diags, g, "e.g. write_text(\"best.dsl\", \"let w = [{}, {}]\\n\", [0.25, 0.5])");
    return ERR;
  }
  IrValue *ops[4] = {sema_where(s, call->span), args[0].v->ir, args[1].v->ir, v->ir};
  IrBuilder save = s->b;
  s->b.span = call->span;
  ir_call(&s->b, RT_WRITE_TEXT, 4, ops);
  s->b = save;
  return sema_unit(s);
}

/* save(value, path): a tensor to .npy or .safetensors, a record to .safetensors or a directory
 * (nested records as dotted names, numbers as tensors of no dimensions, functions skipped);
 * written atomically, never over one of the program's inputs. */
static Val *b_save(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  if (!path_arg(s, &args[1], "save")) return ERR;
  Val *v = args[0].v;
  if (v->kind == V_CHECKPOINT)
    return sema_map_save(s, v, &args[1], args[2].node, args[3].node ? (int)args[3].dt : -1, args[4].v ? &args[4] : NULL,
                         args[5].v ? &args[5] : NULL, args[6].node, call);
  static const char *const only_map[] = {"shard_size", "dtype", "files_from", "vocab", "pad_to_multiple_of"};
  for (int k = 2; k < 7; k++)
    if (args[k].node) {
      diag_error(s->diags, args[k].span, "%s applies to a checkpoint map's output (map ... in ...)", only_map[k - 2]);
      return ERR;
    }
  IrValue *where = sema_where(s, call->span);
  IrBuilder save = s->b;
  s->b.span = call->span;
  if (v->kind == V_TENSOR) {
    IrValue *ops[3] = {where, args[1].v->ir, v->ir};
    ir_call(&s->b, RT_SAVE_TENSOR, 3, ops);
  } else if (v->kind == V_RECORD) {
    PtrVec names = {0}, vals = {0};
    if (!leaves(s, v, NULL, &names, &vals, args[0].span, "save writes")) {
      s->b = save;
      return ERR;
    }
    IrValue *ops[2] = {where, args[1].v->ir};
    IrValue *saver = ir_call(&s->b, RT_SAVE_BEGIN, 2, ops);
    for (int i = 0; i < names.n; i++) {
      Val *leaf = vals.items[i];
      if (leaf->kind == V_SCALAR) leaf = scalar_tensor(s, leaf, call->span);
      IrValue *add[3] = {saver, ir_string(&s->b, names.items[i]), leaf->ir};
      ir_call(&s->b, RT_SAVE_ADD, 3, add);
    }
    ir_call(&s->b, RT_SAVE_END, 1, &saver);
  } else {
    diag_error(s->diags, args[0].span, "save writes tensors or records of tensors, not %s", sema_type_str(s, v));
    s->b = save;
    return ERR;
  }
  s->b = save;
  return sema_unit(s);
}

/* merge_passthrough(slices, path, shard_size=, files_from=): mergekit's passthrough with slices,
 * "a/[0:16] b/[8:24]" stacked into a deeper model (runtime/io/stmap.c, docs/merge.md). */
static Val *b_passthrough(Sema *s, const Builtin *b, Arg *args, Node *call) {
  if (args[0].v->kind != V_STR) {
    Diag *g = diag_error(s->diags, args[0].span, "the slices of `%s` are a string, not %s", b->name, sema_type_str(s, args[0].v));
    diag_hint(s->diags, g, "each slice is a checkpoint and a range of its layers: \"a/[0:16] b/[8:24]\"");
    return ERR;
  }
  IrValue *shard, *files;
  if (!path_arg(s, &args[1], b->name) ||
      !sema_checkpoint_output(s, "merge_passthrough's output", &args[1], args[2].node, args[3].v ? &args[3] : NULL, &shard, &files))
    return ERR;
  IrValue *ops[5] = {sema_where(s, call->span), args[0].v->ir, args[1].v->ir, shard, files};
  IrBuilder save = s->b;
  s->b.span = call->span;
  ir_call(&s->b, RT_PASSTHROUGH, 5, ops);
  s->b = save;
  return sema_unit(s);
}

/* The template t with its leaves replaced, depth first, by loaded[*k...]; function fields are
 * kept, so a model read from a checkpoint keeps its methods. */
static Val *like_rebuild(Sema *s, Val *t, Val **loaded, int *k) {
  if (t->kind == V_FN) return t;
  if (t->kind != V_RECORD) return loaded[(*k)++];
  Val *r = sema_record(s, t->rec->n, t->rec->names, NULL);
  for (int i = 0; i < r->rec->n; i++) r->rec->vals[i] = like_rebuild(s, t->rec->vals[i], loaded, k);
  return r;
}

/* load(path, like=template): a checkpoint read when the program runs, against the structure of
 * `template` (a record, nested as save writes it): the file must hold exactly its leaves, by
 * dotted name, each of the leaf's dtype and sizes; anything else stops the program with the
 * tensor and the file. The result has the template's type, so it can continue a loop's state. */
static Val *load_like(Sema *s, Val *tmpl, Arg *path, Node *call) {
  if (tmpl->kind != V_RECORD) {
    Diag *g = diag_error(s->diags, call->span, "like= takes a record to read the checkpoint against, not %s", sema_type_str(s, tmpl));
    diag_hint(s->diags, g, "pass the value the checkpoint was saved from, e.g. load(path, like={params: p0, opt: s0, step: 0})");
    return ERR;
  }
  PtrVec names = {0}, vals = {0};
  if (!leaves(s, tmpl, NULL, &names, &vals, call->span, "the template holds")) return ERR;
  Buf all = {0};
  for (int i = 0; i < names.n; i++) buf_printf(&all, "%s%s", i ? "\n" : "", (const char *)names.items[i]);
  IrValue *where = sema_where(s, call->span);
  IrBuilder save = s->b;
  s->b.span = call->span;
  IrValue *check[3] = {where, path->v->ir, ir_string(&s->b, arena_strdup(s->fn->arena, all.data ? all.data : ""))};
  buf_free(&all);
  ir_call(&s->b, RT_LOAD_NAMES, 3, check);
  Val **loaded = arena_alloc(s->arena, (size_t)(names.n ? names.n : 1) * sizeof *loaded);
  for (int i = 0; i < names.n; i++) {
    Val *leaf = vals.items[i];
    SnDtype dt = leaf_dtype(leaf);
    int rank = leaf->kind == V_TENSOR ? leaf->rank : 0;
    IrValue *ops[4 + SN_MAX_RANK] = {where, path->v->ir, ir_string(&s->b, names.items[i]), ir_const(&s->b, ir_scalar(SN_I32), 0, dt)};
    for (int d = 0; d < rank; d++) ops[4 + d] = sema_dim_value(s, leaf->dims[d]);
    IrValue *t = ir_call(&s->b, RT_LOAD_LIKE, 4 + rank, ops);
    t->type = ir_tensor(dt, rank);
    loaded[i] = rank ? sema_tensor(s, dt, rank, leaf->dims, t) : sema_scalar(s, dt, false, ir_elem(&s->b, t, 0, NULL));
  }
  s->b = save;
  int k = 0;
  return like_rebuild(s, tmpl, loaded, &k);
}

/* load(path), or `let x: f32[n, 3] = load(path)`: a declared type says what to expect, so the
 * file need not exist when the program is compiled; load(path, like=template) reads a checkpoint
 * against a template's structure. */
static Val *b_load(Sema *s, const Builtin *b, Arg *args, Node *call) {
  (void)b;
  if (args[1].v) {
    if (!path_arg(s, &args[0], "load")) return ERR;
    return load_like(s, args[1].v, &args[0], call);
  }
  return load(s, args, call, sema_declared_type(s, call));
}

/* tensor_layer(), tensor_layers(), tensor_id(), tensor_has(text): the tensor a map's body computes. */
static Val *b_map_tensor(Sema *s, const Builtin *b, Arg *args, Node *call) {
  Val *text = b->data == RT_MAP_HAS ? args[0].v : NULL;
  if (text && text->kind != V_STR) {
    diag_error(s->diags, args[0].span, "`%s` takes the text to look for in the tensor's name, not %s", b->name,
               sema_type_str(s, text));
    return ERR;
  }
  return sema_map_tensor(s, b->data, b->name, text, call->span);
}

const Builtin builtins_io[] = {
    BUILTIN("write_text", "path, text, values", b_write_text, 0),
    BUILTIN("load", "path, like = _", b_load, 0),
    BUILTIN("load_csv", "path, label: syntax = last, dtype: dtype = f32, sep: syntax = _, header: syntax = _", b_load_csv, 0),
    BUILTIN("load_idx", "path, dtype: dtype = _", b_load_idx, 0),
    BUILTIN("save", "value, path, shard_size: syntax = _, dtype: dtype = _, files_from = _, vocab = _, pad_to_multiple_of: syntax = _", b_save, 0),
    BUILTIN("merge_passthrough", "slices, path, shard_size: syntax = _, files_from = _", b_passthrough, 0),
    /* in a map's body, the tensor it computes, by its name (docs/merge.md) */
    BUILTIN("tensor_layer", "", b_map_tensor, RT_MAP_LAYER),
    BUILTIN("tensor_layers", "", b_map_tensor, RT_MAP_LAYERS),
    BUILTIN("tensor_id", "", b_map_tensor, RT_MAP_ID),
    BUILTIN("tensor_has", "text", b_map_tensor, RT_MAP_HAS),
    {0},
};
