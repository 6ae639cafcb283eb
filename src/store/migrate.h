/* migrate.h -- numbered schema migrations, embedded as SQL strings.
 *
 * Migration N turns a store at schema version N-1 into version N; a new
 * store runs them all, in order. A migration is never edited once
 * released: a change is a new migration. Each backend applies the steps of
 * its own dialect in one transaction per step and records the version
 * (SQLite: PRAGMA user_version). */
#ifndef LW_MIGRATE_H
#define LW_MIGRATE_H

#include "base/common.h"

enum lw_migrate_dialect {
    LW_MIGRATE_SQLITE = 1,
};

struct lw_migration {
    int version;      /* 1, 2, ... with no gaps */
    const char *name; /* what it does, for messages */
    const char *sql;  /* one or more statements */
};

/* The steps of a dialect, in order; *n is set to their count (0 for an
 * unknown dialect, with NULL returned). */
const struct lw_migration *lw_migrate_steps(enum lw_migrate_dialect d, size_t *n);

/* The schema version this build writes (the last step's). */
int lw_migrate_latest(enum lw_migrate_dialect d);

#endif
