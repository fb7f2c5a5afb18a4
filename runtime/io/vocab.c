/* vocab.c: merging models of different vocabularies (save's vocab=, docs/merge.md), as mergekit's
 * tokenizer_source (mergekit/tokenizer/build.py, embed.py). Each model's tokens are those of its
 * directory's tokenizer.json (model.vocab, an object of tokens to ids or Unigram's list of [token,
 * score], then added_tokens, which win) with an id below its embedding's rows. The output
 * vocabulary is the base's (input 0's) rows, and with UNION the other models' tokens it lacks
 * after them, model by model in id order. A model's embedding or output matrix becomes one row
 * per output token: its own row for a token it has, else mergekit's default: the row of the one
 * model that has the token, else the base's, else the mean of the rows of those that have it.
 * With save's pad_to_multiple_of=, the rows after the tokens' (up to the multiple) are the mean
 * of the model's token rows, as mergekit's. */
#include "io/rt_io.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Token strings (pointing into a parsed tokenizer.json) to rows: open addressing. */
typedef struct {
  const char **keys;
  int64_t *rows;
  int64_t n, cap;
} Tokens;

struct SnVocab {
  int32_t mode;
  int64_t n;           /* models */
  cJSON **json;        /* each model's tokenizer.json */
  int64_t base_rows;   /* the base's vocabulary, the output's first rows */
  int64_t rows;        /* the output's tokens' */
  int64_t padded;      /* the output's rows: rows, or rows padded to a multiple (snrt_vocab_pad) */
  int64_t *src;        /* src[i * rows + r]: model i's row of the output's token r, or -1 */
  int64_t *fill;       /* fill[r]: the model whose row one lacking token r gets, or -1: the mean */
  bool *same;          /* whether model i's rows are the output's as they are (its matrix is read in place) */
  const char **added;  /* UNION: the tokens after the base's rows */
  int64_t *added_from; /* and the model each came from */
};

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static int64_t tokens_slot(const Tokens *t, const char *key) {
  int64_t i = (int64_t)(hash(key) & (uint64_t)(t->cap - 1));
  while (t->keys[i] && strcmp(t->keys[i], key) != 0) i = (i + 1) & (t->cap - 1);
  return i;
}

static int64_t tokens_get(const Tokens *t, const char *key) {
  if (!t->cap) return -1;
  int64_t i = tokens_slot(t, key);
  return t->keys[i] ? t->rows[i] : -1;
}

/* Sets key's row (a later one replaces it). */
static SnStatus tokens_put(Tokens *t, const char *key, int64_t row) {
  if (2 * (t->n + 1) > t->cap) {
    Tokens g = {calloc((size_t)(t->cap ? 2 * t->cap : 64), sizeof *g.keys), NULL, 0, t->cap ? 2 * t->cap : 64};
    g.rows = g.keys ? malloc((size_t)g.cap * sizeof *g.rows) : NULL;
    if (!g.rows) {
      free(g.keys);
      return sn_error_set("out of memory");
    }
    for (int64_t i = 0; i < t->cap; i++)
      if (t->keys[i]) {
        int64_t j = tokens_slot(&g, t->keys[i]);
        g.keys[j] = t->keys[i];
        g.rows[j] = t->rows[i];
        g.n++;
      }
    free(t->keys);
    free(t->rows);
    *t = g;
  }
  int64_t i = tokens_slot(t, key);
  t->n += !t->keys[i];
  t->keys[i] = key;
  t->rows[i] = row;
  return 0;
}

static void tokens_free(Tokens *t) {
  free(t->keys);
  free(t->rows);
}

const char *snrt_vocab_mode_name(int32_t mode) { return mode == SN_VOCAB_UNION ? "union" : "base"; }

void snrt_vocab_tokenizer_path(char *buf, size_t size, const char *checkpoint) {
  size_t len = strlen(checkpoint);
  struct stat st;
  if (len && checkpoint[len - 1] == '/') snprintf(buf, size, "%stokenizer.json", checkpoint);
  else if (stat(checkpoint, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(buf, size, "%s/tokenizer.json", checkpoint);
  else {
    const char *slash = strrchr(checkpoint, '/');
    snprintf(buf, size, "%.*stokenizer.json", slash ? (int)(slash - checkpoint + 1) : 0, checkpoint);
  }
}

/* The file's text (NUL-terminated, *n bytes), or NULL with errno set. */
static char *read_all(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  long size = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  char *text = size >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)size + 1) : NULL;
  if (text && fread(text, 1, (size_t)size, f) != (size_t)size) free(text), text = NULL, errno = EIO;
  if (f) fclose(f);
  if (text) text[*n = (size_t)size] = 0;
  return text;
}

/* A token id of the JSON: a whole number from 0, or -1. */
static int64_t token_id(const cJSON *v) {
  return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15 && v->valuedouble == (double)(int64_t)v->valuedouble
             ? (int64_t)v->valuedouble
             : -1;
}

/* Gives `token` row `id` of a model of `rows` rows, when the id is one of them: t maps the token
 * to the row and names the row by the token (a token named again, as added_tokens may, leaves its
 * earlier row; a row named again keeps the later token). */
static SnStatus name_row(Tokens *t, const char **names, int64_t rows, const char *token, int64_t id) {
  if (id >= rows) return 0;
  int64_t old = tokens_get(t, token);
  if (old >= 0 && old != id) names[old] = NULL;
  names[id] = token;
  return tokens_put(t, token, id);
}

/* Model i's tokens: t (token -> row) and names (row -> token, NULL for none), for rows below
 * `rows`; a message naming the model and the file on failure. */
static SnStatus read_tokens(SnVocab *v, const char *checkpoint, int64_t i, int64_t rows, Tokens *t, const char **names) {
  char path[4096], what[160] = "";
  snrt_vocab_tokenizer_path(path, sizeof path, checkpoint);
  size_t n = 0;
  char *text = read_all(path, &n);
  if (!text)
    return sn_error_set("vocab=\"%s\" matches the models' embedding rows by their tokens, but %s cannot be read "
                        "(model %s): %s", snrt_vocab_mode_name(v->mode), path, checkpoint, strerror(errno));
  cJSON *root = v->json[i] = cJSON_ParseWithLength(text, n);
  free(text);
  const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
  const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
  const cJSON *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens");
  int64_t k = 0;
  SnStatus st = 0;
  if (!root) snprintf(what, sizeof what, "it is not JSON");
  else if (!cJSON_IsObject(vocab) && !cJSON_IsArray(vocab))
    snprintf(what, sizeof what, "it has no model.vocab (an object of tokens to ids, or a list of [token, score])");
  for (const cJSON *e = vocab ? vocab->child : NULL; e && !*what && !st; e = e->next, k++) {
    const cJSON *piece = cJSON_IsArray(vocab) ? cJSON_GetArrayItem(e, 0) : NULL;
    if (cJSON_IsArray(vocab) ? !cJSON_IsArray(e) || !cJSON_IsString(piece) : token_id(e) < 0)
      snprintf(what, sizeof what, "model.vocab's entry %lld is not %s", (long long)k,
               cJSON_IsArray(vocab) ? "[token, score]" : "a token and its id (a whole number from 0)");
    else st = name_row(t, names, rows, piece ? piece->valuestring : e->string, piece ? k : token_id(e));
  }
  if (added && !cJSON_IsArray(added) && !*what) snprintf(what, sizeof what, "added_tokens is not a list");
  k = 0;
  for (const cJSON *e = added ? added->child : NULL; e && !*what && !st; e = e->next, k++) {
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(e, "content");
    int64_t id = token_id(cJSON_GetObjectItemCaseSensitive(e, "id"));
    if (!cJSON_IsString(content) || id < 0)
      snprintf(what, sizeof what, "added_tokens entry %lld has no content and id", (long long)k);
    else st = name_row(t, names, rows, content->valuestring, id);
  }
  if (*what) return sn_error_set("%s is not a tokenizer that vocab=\"%s\" can read (model %s): %s", path,
                                 snrt_vocab_mode_name(v->mode), checkpoint, what);
  return st;
}

/* The output vocabulary, each model's rows in it and the rows of the tokens a model lacks. */
static SnStatus build(SnVocab *v, Tokens *tok, const char ***names, const int64_t *nrows) {
  Tokens out = {0};
  SnStatus st = 0;
  v->rows = v->base_rows = nrows[0];
  for (int64_t k = 0; k < tok[0].cap && !st; k++)
    if (tok[0].keys[k]) st = tokens_put(&out, tok[0].keys[k], tok[0].rows[k]);
  for (int64_t i = 1; i < v->n && v->mode == SN_VOCAB_UNION && !st; i++)
    for (int64_t r = 0; r < nrows[i] && !st; r++) {
      const char *s = names[i][r];
      if (!s || tokens_get(&out, s) >= 0) continue;
      int64_t j = v->rows - v->base_rows;
      const char **a = realloc(v->added, (size_t)(j + 1) * sizeof *a);
      int64_t *f = a ? realloc(v->added_from, (size_t)(j + 1) * sizeof *f) : NULL;
      if (a) v->added = a;
      if (f) v->added_from = f;
      if (!a || !f) st = sn_error_set("out of memory");
      else {
        a[j] = s;
        f[j] = i;
        st = tokens_put(&out, s, v->rows++);
      }
    }
  tokens_free(&out);
  v->src = st ? NULL : malloc((size_t)(v->n * v->rows) * sizeof *v->src);
  v->fill = v->src ? malloc((size_t)v->rows * sizeof *v->fill) : NULL;
  v->same = v->fill ? malloc((size_t)v->n * sizeof *v->same) : NULL;
  if (st || !v->same) return st ? st : sn_error_set("out of memory");
  v->padded = v->rows;
  for (int64_t i = 0; i < v->n; i++) v->same[i] = nrows[i] == v->rows;
  for (int64_t r = 0; r < v->rows; r++) {
    const char *s = r < v->base_rows ? names[0][r] : v->added[r - v->base_rows];
    int64_t present = 0, one = -1;
    for (int64_t i = 0; i < v->n; i++) {
      /* a row of the base that no token names is a token of the base alone */
      int64_t k = v->src[i * v->rows + r] = s ? tokens_get(&tok[i], s) : i == 0 ? r : -1;
      if (k >= 0) present++, one = i;
      v->same[i] &= k == r;
    }
    v->fill[r] = present == 1 ? one : v->src[r] >= 0 ? 0 : -1;
  }
  return 0;
}

void snrt_vocab_free(SnVocab *v) {
  if (!v) return;
  for (int64_t i = 0; v->json && i < v->n; i++) cJSON_Delete(v->json[i]);
  free(v->json);
  free(v->src);
  free(v->fill);
  free(v->same);
  free(v->added);
  free(v->added_from);
  free(v);
}

SnVocab *snrt_vocab_new(int32_t mode, int64_t n, char *const *paths, const int64_t *nrows) {
  SnVocab *v = calloc(1, sizeof *v);
  Tokens *tok = calloc((size_t)n, sizeof *tok);
  const char ***names = calloc((size_t)n, sizeof *names);
  if (v) {
    v->json = calloc((size_t)n, sizeof *v->json);
    v->mode = mode;
    v->n = n;
  }
  SnStatus st = !v || !v->json || !tok || !names ? sn_error_set("out of memory") : 0;
  for (int64_t i = 0; i < n && !st; i++) {
    if (!(names[i] = calloc((size_t)(nrows[i] ? nrows[i] : 1), sizeof *names[i]))) st = sn_error_set("out of memory");
    else st = read_tokens(v, paths[i], i, nrows[i], &tok[i], names[i]);
  }
  if (!st) st = build(v, tok, names, nrows);
  for (int64_t i = 0; i < n && tok && names; i++) tokens_free(&tok[i]), free(names[i]);
  free(tok);
  free(names);
  if (st) snrt_vocab_free(v);
  return st ? NULL : v;
}

SnStatus snrt_vocab_pad(SnVocab *v, int64_t multiple) {
  if (multiple < 1) return sn_error_set("pad_to_multiple_of is a number of rows, 1 or more, not %lld", (long long)multiple);
  if (v->rows % multiple == 0) return 0;
  if (v->rows > INT64_MAX - multiple) return sn_error_set("pad_to_multiple_of=%lld: too many rows", (long long)multiple);
  v->padded = v->rows + multiple - v->rows % multiple;
  for (int64_t i = 0; i < v->n; i++) v->same[i] = false;
  return 0;
}

int64_t snrt_vocab_rows(const SnVocab *v) { return v->padded; }

/* Model i's tensor, read when first needed: m[i], or NULL with a message. */
static SnTensor *model(SnTensor **m, int64_t i, SnTensor *(*get)(void *ctx, int64_t input), void *ctx) {
  return m[i] ? m[i] : (m[i] = get(ctx, i));
}

/* Output row r of model `input`'s matrix (cols columns, `row` bytes); false with a message. */
static bool gather_row(const SnVocab *v, int64_t input, int64_t r, SnTensor **m, SnTensor *(*get)(void *ctx, int64_t input),
                       void *ctx, SnTensor *out) {
  int64_t cols = out->shape[1];
  size_t row = (size_t)cols * sn_dtype_size((SnDtype)out->dtype);
  int64_t from = v->src[input * v->rows + r] >= 0 ? input : v->fill[r];
  if (from >= 0) {
    if (!model(m, from, get, ctx)) return false;
    memcpy((char *)out->data + (size_t)r * row, (const char *)m[from]->data + (size_t)v->src[from * v->rows + r] * row, row);
    return true;
  }
  /* the mean of the rows of the models that have the token, in f64, rounded once */
  for (int64_t i = 0; i < v->n; i++)
    if (v->src[i * v->rows + r] >= 0 && !model(m, i, get, ctx)) return false;
  for (int64_t c = 0; c < cols; c++) {
    double sum = 0;
    int64_t count = 0;
    for (int64_t i = 0; i < v->n; i++)
      if (v->src[i * v->rows + r] >= 0) sum += sn_tensor_get_f64(m[i], v->src[i * v->rows + r] * cols + c), count++;
    sn_tensor_set_f64(out, r * cols + c, sum / (double)count);
  }
  return true;
}

/* The rows after the tokens': each column's mean over the token rows (in f64, rounded once),
 * summed row by row in memory order. */
static bool pad_rows(const SnVocab *v, SnTensor *out) {
  int64_t cols = out->shape[1];
  double *sum = calloc((size_t)(cols ? cols : 1), sizeof *sum);
  if (!sum) return sn_error_set("out of memory"), false;
  for (int64_t r = 0; r < v->rows; r++)
    for (int64_t c = 0; c < cols; c++) sum[c] += sn_tensor_get_f64(out, r * cols + c);
  for (int64_t c = 0; c < cols; c++) {
    double mean = v->rows ? sum[c] / (double)v->rows : 0;
    for (int64_t r = v->rows; r < v->padded; r++) sn_tensor_set_f64(out, r * cols + c, mean);
  }
  free(sum);
  return true;
}

SnTensor *snrt_vocab_gather(const SnVocab *v, int64_t input, SnTensor *(*get)(void *ctx, int64_t input), void *ctx) {
  if (v->same[input]) return get(ctx, input);
  SnTensor **m = calloc((size_t)v->n, sizeof *m);
  if (!m) {
    sn_error_set("out of memory");
    return NULL;
  }
  SnTensor *own = model(m, input, get, ctx);
  SnTensor *out = own ? sn_tensor_new((SnDtype)own->dtype, 2, (int64_t[]){v->padded, own->shape[1]}) : NULL;
  bool ok = out != NULL;
  for (int64_t r = 0; ok && r < v->rows; r++) ok = gather_row(v, input, r, m, get, ctx, out);
  if (ok && v->padded > v->rows) ok = pad_rows(v, out);
  for (int64_t i = 0; i < v->n; i++) sn_tensor_release(m[i]);
  free(m);
  if (!ok) sn_tensor_release(out);
  return ok ? out : NULL;
}

SnStatus snrt_vocab_write_tokenizer(SnVocab *v, const char *base, const char *path) {
  cJSON *root = v->json[0], *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens");
  if (!added && !(added = cJSON_AddArrayToObject(root, "added_tokens"))) return sn_error_set("out of memory");
  for (int64_t j = 0; j < v->rows - v->base_rows; j++) {
    /* the model's own added_tokens entry for it when it has one, else add_tokens' defaults */
    const cJSON *theirs = NULL, *list = cJSON_GetObjectItemCaseSensitive(v->json[v->added_from[j]], "added_tokens");
    for (const cJSON *e = list ? list->child : NULL; e && !theirs; e = e->next)
      if (strcmp(cJSON_GetObjectItemCaseSensitive(e, "content")->valuestring, v->added[j]) == 0) theirs = e;
    cJSON *e = theirs ? cJSON_Duplicate(theirs, 1) : cJSON_CreateObject();
    cJSON *id = cJSON_CreateNumber((double)(v->base_rows + j));
    bool ok = e && id && (theirs ? cJSON_ReplaceItemInObjectCaseSensitive(e, "id", id) : cJSON_AddItemToObject(e, "id", id));
    if (ok) id = NULL;
    if (!ok || (!theirs && (!cJSON_AddStringToObject(e, "content", v->added[j]) || !cJSON_AddFalseToObject(e, "single_word") ||
                            !cJSON_AddFalseToObject(e, "lstrip") || !cJSON_AddFalseToObject(e, "rstrip") ||
                            !cJSON_AddTrueToObject(e, "normalized") || !cJSON_AddFalseToObject(e, "special")))) {
      cJSON_Delete(id);
      cJSON_Delete(e);
      return sn_error_set("out of memory");
    }
    cJSON_AddItemToArray(added, e);
  }
  char *text = cJSON_Print(root);
  FILE *f = text ? fopen(path, "wb") : NULL;
  int bad = !f || fwrite(text, 1, strlen(text), f) != strlen(text);
  if (f && fclose(f)) bad = 1;
  cJSON_free(text);
  return bad ? sn_error_set("vocab=\"union\": cannot write the union of the tokenizers of %s to %s", base, path) : 0;
}
