/* autodiff.h: reverse-mode automatic differentiation of the tensor-level IR.
 *
 * Sema builds a grad instruction around the IR of the function it differentiates:
 *
 *   %L, %dx, %dy = grad %x, %y (%x', %y') { ...the function on %x', %y'...; yield %L }
 *
 * and autodiff_expand replaces it by that IR, now reading %x and %y, followed by the IR of the
 * gradients of %L with respect to %x' and %y' (docs/design.md, "Automatic differentiation"). */
#ifndef SN_AUTODIFF_H
#define SN_AUTODIFF_H

#include "diag.h"
#include "ir.h"

/* Expands the grad instruction g (IR_GRAD) in place. Reports what cannot be differentiated to d
 * at g's location (`call`: the call that asked for the gradient) and returns false; g is then
 * still replaced, by zero gradients, so the IR stays valid. */
bool autodiff_expand(IrFunc *fn, IrInst *g, DiagBag *d);

#endif
