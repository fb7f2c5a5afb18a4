/* util.h: arenas, growable arrays and small string helpers shared by every compiler stage. */
#ifndef SN_UTIL_H
#define SN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An arena: bump allocation from chained blocks, freed all at once. Compiler data lives in one
 * arena per compilation (per REPL line for what the line alone needs). */
typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
  ArenaBlock *head;
  size_t used_total; /* bytes handed out, for --time-passes style statistics */
} Arena;

void *arena_alloc(Arena *a, size_t size); /* zeroed, 16-byte aligned; aborts only on OOM */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *a, const char *fmt, va_list ap);
void arena_free(Arena *a);

#define NEW(arena, T) ((T *)arena_alloc((arena), sizeof(T)))

/* A growable array of pointers allocated in an arena. */
typedef struct PtrVec {
  void **items;
  int n, cap;
} PtrVec;

void vec_push(Arena *a, PtrVec *v, void *item);

/* A growable byte buffer on the heap (for building output text). */
typedef struct Buf {
  char *data;
  size_t len, cap;
} Buf;

void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_puts(Buf *b, const char *s);
void buf_free(Buf *b);

/* Levenshtein distance, capped: values above `cap` are reported as cap + 1. */
int edit_distance(const char *a, const char *b, int cap);

/* The reading of a whole file into a NUL-terminated heap buffer; NULL with errno on failure. */
char *read_file(const char *path, size_t *len);

/* Internal invariant failures: a bug in sinter, never the user's fault. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
