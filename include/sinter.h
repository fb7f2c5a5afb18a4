/* sinter.h: the public C API of libsinter, one header per family of the runtime's layers
 * (runtime/core, math, io, ot, plot; docs/design.md, "The runtime's layers"). What only generated code
 * and the compiler use is in sinter/abi.h.
 *
 * Generated code reads SnTensor's `data` and `shape` fields directly; everything else goes
 * through functions. Functions that can fail return NULL or a non-zero SnStatus and leave a
 * message that sn_error_message() returns; the runtime never aborts on bad data. */
#ifndef SINTER_H
#define SINTER_H

#include "sinter/core.h"
#include "sinter/io.h"
#include "sinter/math.h"
#include "sinter/ot.h"
#include "sinter/plot.h"

#endif
