/* cli.h: the command line, read the same way by both programs that make up `sinter`: the front
 * (front.c), which runs cached programs, and the full compiler (main.c). */
#ifndef SN_CLI_H
#define SN_CLI_H

#include "driver.h"

typedef enum { CLI_RUN, CLI_BUILD, CLI_CHECK, CLI_REPL } CliCommand;

typedef struct Cli {
  CliCommand command;
  Options o;
  const char *file; /* the .dsl file (NULL for repl) */
  int nargs;        /* run: the program's own arguments, after the file */
  char **args;
  bool no_history;  /* repl --no-history */
} Cli;

/* Reads argv into c. Answers --help and --version and reports bad usage itself, returning the
 * exit code (0 or 2); returns -1 when the command is to be carried out. */
int cli_parse(int argc, char **argv, Cli *c);

/* The program's name: its file name without directory and .dsl. */
char *cli_prog_name(const char *path);

/* The directory holding this executable (the build's bin/ or libexec/). */
char *cli_self_dir(void);

#endif
