/* watchstore.h -- open the store for a command, seeding it on first use
 * with the public watchlist (data/watchlist.csv in the data folder), and
 * read a watchlist file. Shared by `watch` and by whatever loads the
 * watchlist for screening. Prints its own errors (lurewatch: ...). */
#ifndef LW_WATCHSTORE_H
#define LW_WATCHSTORE_H

#include "store/store.h"

enum lw_watchstore_flags {
    LW_WATCHSTORE_NO_PUBLIC = 1 << 0, /* first use: start empty, not with the public list */
    LW_WATCHSTORE_READONLY = 1 << 1,  /* never create or seed; the store must exist */
};

/* Open the store at path (NULL: lw_cli_store_path's default). On first use
 * (the store has no "initialised" mark) the public watchlist is imported
 * in the same transaction that sets the mark, unless NO_PUBLIC. */
LW_NODISCARD int lw_watchstore_open(const char *path, unsigned flags, struct lw_store **out);

/* Read a whole file ("-" is standard input) into a malloc'd buffer, at most
 * max bytes; prints the error. */
LW_NODISCARD int lw_watchstore_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
