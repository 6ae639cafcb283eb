/* opts.h -- options shared by the commands that screen (scan, eval):
 * where the rules and the store are, limits, and the watchlist switch;
 * and the engine they build. */
#ifndef LW_OPTS_H
#define LW_OPTS_H

#include <getopt.h>

#include "detect/engine.h"
#include "ingest/reader.h"

#define LW_OPTS_ENGINE_HELP                                                                        \
    "      --rules PATH        rule folder or file (default: the built-in rules)\n"                \
    "      --store PATH        the store holding the watchlist (default lurewatch.db,\n"           \
    "                          created and seeded with the public watchlist if missing)\n"         \
    "      --no-watchlist      do not match the watchlist\n"                                       \
    "      --model FILE        the learned classifier (default: the built-in model)\n"             \
    "      --no-model          screen with the rules and the watchlist alone\n"                    \
    "      --max-text BYTES    text screened per message (default 1 MiB; longer is cut)\n"

enum {
    LW_OPT_RULES = 1000,
    LW_OPT_STORE,
    LW_OPT_NO_WATCHLIST,
    LW_OPT_MAX_TEXT,
    LW_OPT_MODEL,
    LW_OPT_NO_MODEL
};

#define LW_OPTS_ENGINE_LONGOPTS                                                                    \
    {"rules", required_argument, NULL, LW_OPT_RULES},                                              \
        {"store", required_argument, NULL, LW_OPT_STORE},                                          \
        {"no-watchlist", no_argument, NULL, LW_OPT_NO_WATCHLIST},                                  \
        {"model", required_argument, NULL, LW_OPT_MODEL},                                          \
        {"no-model", no_argument, NULL, LW_OPT_NO_MODEL},                                          \
    {                                                                                              \
        "max-text", required_argument, NULL, LW_OPT_MAX_TEXT                                       \
    }

struct lw_engine_opts {
    const char *rules;
    const char *store;
    bool no_watchlist;
    const char *model;
    bool no_model;
};

/* What lw_engine_set_open builds; close frees all of it. */
struct lw_engine_set {
    struct lw_engine *engine;
    void *watch;            /* private: the store, names and watchlist */
    struct lw_model *model; /* private */
};

void lw_engine_opts_init(struct lw_engine_opts *o);
/* Handle one getopt result; 0 if it was one of ours, -1 otherwise (or on a
 * bad value, after printing an error). */
int lw_engine_opts_parse(struct lw_engine_opts *o, int opt, const char *arg, struct lw_limits *lim);
void lw_engine_set_init(struct lw_engine_set *s);
/* Build the engine (and load the watchlist); prints errors itself. */
LW_NODISCARD int lw_engine_set_open(struct lw_engine_set *s, const struct lw_engine_opts *o);
void lw_engine_set_close(struct lw_engine_set *s);

#endif
