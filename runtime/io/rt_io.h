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

#endif
