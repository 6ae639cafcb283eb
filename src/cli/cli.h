/* cli.h -- the command-line front-end: one file per subcommand, one entry
 * in the command table of main.c. A command returns the process exit code:
 * 0 nothing flagged, 1 something flagged, 2 usage, input or runtime error.
 * Only the front-end prints, exits or reads the environment. */
#ifndef LW_CLI_H
#define LW_CLI_H

#include "base/err.h"

enum { LW_EXIT_CLEAN = 0, LW_EXIT_FLAGGED = 1, LW_EXIT_ERROR = 2 };

int cmd_scan(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_vet(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* "lurewatch: <message>" on stderr, git's grammar: lower case, no full stop. */
void lw_cli_error(const char *fmt, ...) LW_PRINTF(1, 2);
/* Print a diagnostic with its location: "lurewatch: file:line:col: msg". */
void lw_cli_diag(const struct lw_diag *d);

/* Parse a --threads value (1..256); prints the error. */
LW_NODISCARD int lw_cli_parse_threads(const char *arg, unsigned *out);

/* The rules folder: --rules, else $LUREWATCH_RULES, else the built-in one. */
const char *lw_cli_rules_dir(const char *opt);
/* The data folder (surname table, public watchlist): $LUREWATCH_DATA, else built in. */
const char *lw_cli_data_dir(void);
/* Where compiled rule databases are cached: $LUREWATCH_CACHE ("" or "off"
 * for none), else $XDG_CACHE_HOME/lurewatch, else ~/.cache/lurewatch; NULL
 * when none can be named. */
const char *lw_cli_cache_dir(void);
/* The classifier's model file: opt, else model.tsv in the data folder. */
const char *lw_cli_model_path(const char *opt);
/* The store: --store, else $LUREWATCH_STORE, else ./lurewatch.db. */
const char *lw_cli_store_path(const char *opt);

#endif
