/* cse.c: common subexpression elimination over the structured IR. A pure instruction that
 * repeats one visible earlier (same operation, operands, immediates and type) is replaced by
 * it: fusion copies comprehension bodies, so `C[i,j] * C[i,j]` or two reductions over the same
 * cost would otherwise compute the same loads twice. Constants move to the function's entry so
 * every later use can share them. Loads from tensors count as pure: a tensor is immutable once
 * made. A value defined in a region is visible to the regions nested
 * in it, so the table is scoped: entries added inside a region are dropped on leaving it. */
#include "passes.h"

#include <string.h>

typedef struct Entry {
  IrInst *in;
  uint64_t hash;
} Entry;

typedef struct Table {
  Entry *slots;
  int cap, n;
  IrInst **stack; /* insertion order, to undo on leaving a region */
  int nstack, capstack;
} Table;

/* May `in` share the result of an equal instruction before it? Pure ones without regions
 * (ops.def, and runtime functions marked pure in rtabi.def) that make no new tensor. */
static bool pure(IrInst *in) {
  if (in->op == IR_LOAD) {
    /* a tensor's elements never change once it is made (stores fill fresh tensors before
     * any use); scratch buffers do change, so their loads stay */
    IrValue *p = ir_op(in, 0);
    return p->def && p->def->op == IR_DATA;
  }
  unsigned f = ir_inst_flags(in);
  return (f & OPF_PURE) && !(f & (OPF_READS | OPF_ALLOCS)) && !in->nregions && in->nres == 1;
}

static uint64_t mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

static uint64_t hash_inst(IrInst *in) {
  uint64_t h = mix((uint64_t)in->op, (uint64_t)in->sub);
  h = mix(h, (uint64_t)in->imm.i);
  h = mix(h, (uint64_t)in->flags);
  IrType t = in->res[0]->type;
  h = mix(h, (uint64_t)t.kind << 16 | (uint64_t)t.dtype << 8 | t.rank);
  for (int i = 0; i < in->nops; i++) h = mix(h, (uint64_t)(uintptr_t)ir_op(in, i));
  if (in->str) h = mix(h, (uint64_t)(uintptr_t)in->str);
  return h;
}

static bool same(IrInst *a, IrInst *b) {
  if (a->op != b->op || a->sub != b->sub || a->imm.i != b->imm.i || a->flags != b->flags || a->nops != b->nops)
    return false;
  if (!ir_type_eq(a->res[0]->type, b->res[0]->type)) return false;
  if (a->op == IR_STRING ? strcmp(a->str, b->str) != 0 : a->str != b->str) return false;
  for (int i = 0; i < a->nops; i++)
    if (ir_op(a, i) != ir_op(b, i)) return false;
  return true;
}

static void grow(Table *t, Arena *a) {
  int cap = t->cap ? t->cap * 2 : 1024;
  Entry *s = arena_alloc(a, (size_t)cap * sizeof *s);
  for (int i = 0; i < t->cap; i++) {
    if (!t->slots[i].in) continue;
    int k = (int)(t->slots[i].hash & (uint64_t)(cap - 1));
    while (s[k].in) k = (k + 1) & (cap - 1);
    s[k] = t->slots[i];
  }
  t->slots = s;
  t->cap = cap;
}

static IrInst *find(Table *t, IrInst *in, uint64_t h) {
  if (!t->cap) return NULL;
  for (int k = (int)(h & (uint64_t)(t->cap - 1)); t->slots[k].in; k = (k + 1) & (t->cap - 1))
    if (t->slots[k].hash == h && same(t->slots[k].in, in)) return t->slots[k].in;
  return NULL;
}

static void insert(Table *t, Arena *a, IrInst *in, uint64_t h) {
  if ((t->n + 1) * 2 > t->cap) grow(t, a);
  int k = (int)(h & (uint64_t)(t->cap - 1));
  while (t->slots[k].in) k = (k + 1) & (t->cap - 1);
  t->slots[k] = (Entry){in, h};
  t->n++;
  if (t->nstack == t->capstack) {
    int cap = t->capstack ? t->capstack * 2 : 1024;
    IrInst **s = arena_alloc(a, (size_t)cap * sizeof *s);
    if (t->nstack) memcpy(s, t->stack, (size_t)t->nstack * sizeof *s);
    t->stack = s;
    t->capstack = cap;
  }
  t->stack[t->nstack++] = in;
}

/* Forgets the entries added after `mark` (with linear probing, by rebuilding the table from the
 * entries that stay). */
static void undo(Table *t, Arena *a, int mark) {
  if (t->nstack == mark) return;
  t->slots = arena_alloc(a, (size_t)t->cap * sizeof *t->slots);
  t->n = 0;
  for (int i = 0; i < mark; i++) {
    IrInst *in = t->stack[i];
    uint64_t h = hash_inst(in);
    int k = (int)(h & (uint64_t)(t->cap - 1));
    while (t->slots[k].in) k = (k + 1) & (t->cap - 1);
    t->slots[k] = (Entry){in, h};
    t->n++;
  }
  t->nstack = mark;
}

typedef struct Cse {
  IrFunc *fn;
  Arena scratch;
  Table table;       /* scoped: pure instructions visible here */
  Table consts;      /* constants, all at the entry */
  IrInst *entry_pos; /* constants are hoisted before this */
} Cse;

static void cse_block(Cse *c, IrBlock *b, bool top) {
  for (IrInst *in = b->first, *next; in; in = next) {
    next = in->next;
    if (in->op == IR_CONST) {
      uint64_t h = hash_inst(in);
      IrInst *prev = find(&c->consts, in, h);
      if (prev) {
        ir_replace(in->res[0], prev->res[0]);
        ir_remove(in);
        continue;
      }
      if (!top) {
        /* constants go to the entry, where they dominate everything */
        ir_remove(in);
        if (c->entry_pos) ir_insert_before(c->entry_pos, in);
        else ir_insert_end(c->fn->body, in);
      }
      insert(&c->consts, &c->scratch, in, h);
      continue;
    }
    if (pure(in)) {
      uint64_t h = hash_inst(in);
      IrInst *prev = find(&c->table, in, h);
      if (prev) {
        ir_replace(in->res[0], prev->res[0]);
        ir_remove(in);
        continue;
      }
      insert(&c->table, &c->scratch, in, h);
    }
    if (in->nregions) {
      int mark = c->table.nstack;
      for (int r = 0; r < in->nregions; r++) {
        cse_block(c, in->regions[r], false);
        undo(&c->table, &c->scratch, mark);
      }
    }
  }
}

void pass_cse(IrFunc *f, const PassOptions *opt) {
  (void)opt;
  Cse c = {f, {0}, {0}, {0}, f->body->first};
  /* hoisted constants land before the first non-constant instruction */
  while (c.entry_pos && c.entry_pos->op == IR_CONST) c.entry_pos = c.entry_pos->next;
  cse_block(&c, f->body, true);
  arena_free(&c.scratch);
  ir_resolve(f);
}
