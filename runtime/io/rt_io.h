/* rt_io.h: what the io layer's files share and keep out of the public API: recording a program
 * input from its stat, and UTF-8 validation (runtime/io/file.c). */
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

#endif
