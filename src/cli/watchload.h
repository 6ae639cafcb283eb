/* watchload.h -- open the store, load the unexpired watchlist entries and
 * build the index the engine matches against (for scan, eval and vet). */
#ifndef LW_WATCHLOAD_H
#define LW_WATCHLOAD_H

#include "base/err.h"

struct lw_watchlist;

/* Prints its own errors. *out is freed with lw_watchload_close. */
LW_NODISCARD int lw_watchload_open(const char *store_path, void **out);
const struct lw_watchlist *lw_watchload_get(void *w);
void lw_watchload_close(void *w);

#endif
