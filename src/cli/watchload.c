/* watchload.c -- the watchlist for screening: open the store (seeding it
 * with the public watchlist on first use), load every unexpired entry and
 * build the index the engine matches against. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/watchload.h"
#include "cli/watchstore.h"
#include "detect/watchlist.h"
#include "store/store.h"
#include "text/names.h"

struct watchload {
    struct lw_names *names;
    struct lw_watchlist *wl;
};

int lw_watchload_open(const char *store_path, void **out)
{
    struct watchload *w = calloc(1, sizeof(*w));
    struct lw_store *store = NULL;
    struct lw_entry_list entries;
    struct lw_diag d;
    char path[4096];
    int rc;

    lw_entry_list_init(&entries);
    lw_diag_clear(&d);
    if (!w)
        return LW_ENOMEM;
    rc = lw_watchstore_open(store_path, 0, &store);
    if (rc < 0)
        goto out;
    rc = lw_store_load_active(store, &entries, &d);
    if (rc < 0) {
        lw_cli_diag(&d);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/surnames.tsv", lw_cli_data_dir());
    rc = lw_names_load_cached(path, lw_cli_cache_dir(), &w->names, &d);
    if (rc < 0) {
        lw_cli_diag(&d);
        goto out;
    }
    rc = lw_watchlist_build_take(&entries, w->names, &w->wl, &d);
    if (rc < 0) {
        lw_cli_diag(&d);
        goto out;
    }
    /* Keep the Han readings of the surname table and the watchlist for the
     * next run; readings of names met in messages are never written. */
    lw_names_cache_save(w->names);
out:
    lw_entry_list_release(&entries);
    lw_store_close(store);
    if (rc < 0) {
        lw_watchload_close(w);
        return rc;
    }
    *out = w;
    return LW_OK;
}

const struct lw_watchlist *lw_watchload_get(void *p)
{
    struct watchload *w = p;

    return w ? w->wl : NULL;
}

void lw_watchload_close(void *p)
{
    struct watchload *w = p;

    if (!w)
        return;
    lw_watchlist_free(w->wl);
    lw_names_free(w->names);
    free(w);
}
