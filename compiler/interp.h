/* interp.h: the IR interpreter (reference semantics; see interp.c). */
#ifndef SN_INTERP_H
#define SN_INTERP_H

#include "ir.h"
#include "rtabi.h"

/* Runs the loop-level IR function passed as `user` (an IrFunc *): an SnProgramFn. */
int32_t interp_program(void *user, SnArgValue *args, SnArgValue *slots);

/* Can the interpreter call f (an IR_CALL)? Every row of rtabi.def but the RT_LOWERING ones. */
bool interp_calls(RtFn f);

#endif
