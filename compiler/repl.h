/* repl.h: the interactive session. */
#ifndef SN_REPL_H
#define SN_REPL_H

#include "driver.h"

/* Runs the REPL on stdin/stdout until end of input or :quit. Returns the exit code. */
int repl_main(Options *o, bool no_history);

#endif
