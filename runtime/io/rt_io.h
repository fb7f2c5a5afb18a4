/* rt_io.h: what the io layer's files share and keep out of the public API: recording a program
 * input from its stat, UTF-8 validation and shapes in messages (runtime/io/file.c). */
#ifndef SN_RT_IO_H
#define SN_RT_IO_H

#include "core/rt_core.h"
#include "sinter/abi.h"
#include "sinter/io.h"

#include <sys/stat.h>

/* Records the file behind `st` as a program input (see sn_io_add_input). */
SnStatus snrt_io_add_input_stat(const struct stat *st, const char *path);

/* Length of the longest prefix of s[0..n) that is well-formed UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF); n when all of it is. */
size_t snrt_utf8_valid_prefix(const unsigned char *s, size_t n);

/* "f32[2, 3]": a tensor's dtype and shape, as messages show them. */
void snrt_io_shape_text(char *buf, size_t n, SnDtype dtype, int64_t rank, const int64_t *shape);

/* The file a record saved to `path` is written as: path itself for a .safetensors file; for a
 * directory (a path ending in '/'), created if missing, dir/model.safetensors cut into shards of
 * *shard_bytes (Hugging Face's 5 GB when it is 0 or less). *file is malloc'd (NULL on failure). */
SnStatus snrt_io_record_target(const char *path, char **file, int64_t *shard_bytes);

/* The pending error message, located at `where` (a call's source position): a failed status. */
SnStatus snrt_io_fail_where(const char *where);

/* --- merging models of different vocabularies (vocab.c; save's vocab=, docs/merge.md) --------
 * The output vocabulary of SN_VOCAB_BASE or SN_VOCAB_UNION over n checkpoints (paths) whose
 * embedding matrices have nrows[i] rows, from each one's tokenizer.json; NULL with a message
 * naming the model and the file. gather gives model `input`'s matrix (got by get(ctx, i), as
 * for every model whose rows it needs) with one row per output token (and the padding rows): a
 * new tensor, or the model's own when its rows are the output's already. */
typedef struct SnVocab SnVocab;
SnVocab *snrt_vocab_new(int32_t mode, int64_t n, char *const *paths, const int64_t *nrows);
void snrt_vocab_free(SnVocab *v);
/* Pads the output's rows to a multiple of `multiple` (save's pad_to_multiple_of=); fails for a
 * multiple below 1. */
SnStatus snrt_vocab_pad(SnVocab *v, int64_t multiple);
/* The output's rows (padded). */
int64_t snrt_vocab_rows(const SnVocab *v);
SnTensor *snrt_vocab_gather(const SnVocab *v, int64_t input, SnTensor *(*get)(void *ctx, int64_t input), void *ctx);
/* "base" or "union", as save's vocab= says it. */
const char *snrt_vocab_mode_name(int32_t mode);
/* The tokenizer.json of a checkpoint: in its directory, or beside its file. */
void snrt_vocab_tokenizer_path(char *buf, size_t size, const char *checkpoint);
/* UNION's tokenizer.json at path: the base's (checkpoint `base`) with the added tokens after its
 * own, each with its model's added_tokens entry if it has one, else as Hugging Face's add_tokens
 * writes one (not special, normalized). */
SnStatus snrt_vocab_write_tokenizer(SnVocab *v, const char *base, const char *path);

#endif
