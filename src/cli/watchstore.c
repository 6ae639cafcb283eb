/* watchstore.c -- the store as commands open it: created and seeded with
 * the public watchlist on first use (watchstore.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/watchstore.h"
#include "share/share.h"

#define INIT_KEY "initialised"

int lw_watchstore_read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    struct lw_buf b = LW_BUF_INIT(max);
    char chunk[65536];
    size_t n;
    int rc = LW_OK;

    if (!f) {
        lw_cli_error("cannot open '%s': %s", path, strerror(errno));
        return LW_EIO;
    }
    while (rc == LW_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = lw_buf_append(&b, chunk, n);
    if (rc == LW_ELIMIT)
        lw_cli_error("'%s' is larger than %zu MiB", path, max >> 20);
    else if (rc == LW_OK && ferror(f)) {
        lw_cli_error("cannot read '%s': %s", path, strerror(errno));
        rc = LW_EIO;
    } else if (rc < 0)
        lw_cli_error("cannot read '%s': %s", path, lw_strerror(rc));
    if (f != stdin)
        fclose(f);
    if (rc < 0) {
        lw_buf_release(&b);
        return rc;
    }
    if (!b.p) { /* an empty file still gets a (NUL-terminated) buffer */
        *len = 0;
        *out = calloc(1, 1);
        return *out ? LW_OK : LW_ENOMEM;
    }
    *out = lw_buf_detach(&b, len);
    return LW_OK;
}

/* Import the public watchlist into s, inside the caller's transaction. */
static int seed_public(struct lw_store *s)
{
    char path[4096], *data = NULL;
    struct lw_entry_list l;
    struct lw_store_add_stats st;
    struct lw_diag d;
    size_t len = 0;
    int rc;

    snprintf(path, sizeof(path), "%s/watchlist.csv", lw_cli_data_dir());
    lw_entry_list_init(&l);
    lw_diag_clear(&d);
    rc = lw_watchstore_read_file(path, LW_SHARE_MAX_INPUT, &data, &len);
    if (rc < 0)
        goto out;
    rc = lw_share_import(LW_SHARE_CSV, data, len, path, &l, &d);
    if (rc == LW_OK)
        rc = lw_store_add_entries(s, l.v, l.n, LW_STORE_SKIP_DUPLICATES, &st, &d);
    if (rc < 0)
        lw_cli_diag(&d);
out:
    free(data);
    lw_entry_list_release(&l);
    return rc;
}

int lw_watchstore_open(const char *path, unsigned flags, struct lw_store **out)
{
    struct lw_store *s = NULL;
    struct lw_diag d;
    char mark[128], today[16];
    int rc;

    path = lw_cli_store_path(path);
    lw_diag_clear(&d);
    rc = lw_store_open(path, flags & LW_WATCHSTORE_READONLY ? LW_STORE_READONLY : 0, &s, &d);
    if (rc < 0) {
        if (!d.source[0])
            lw_diag_at(&d, path, 0, 0);
        lw_cli_diag(&d);
        return rc;
    }
    if (flags & LW_WATCHSTORE_READONLY)
        goto done;
    rc = lw_store_begin(s, &d);
    if (rc < 0)
        goto fail;
    /* Checked inside the transaction: two first uses at once seed once. */
    rc = lw_store_meta_get(s, INIT_KEY, mark, sizeof(mark), &d);
    if (rc == LW_ENOTFOUND) {
        lw_entry_today(today, sizeof(today));
        if (!(flags & LW_WATCHSTORE_NO_PUBLIC)) {
            rc = seed_public(s);
            if (rc < 0) {
                lw_store_rollback(s);
                lw_cli_error("could not seed the new store with the public watchlist; use "
                             "--no-public to start with an empty one");
                lw_store_close(s);
                return rc;
            }
        }
        snprintf(mark, sizeof(mark), "%s %s",
                 flags & LW_WATCHSTORE_NO_PUBLIC ? "empty" : "public-watchlist", today);
        rc = lw_store_meta_set(s, INIT_KEY, mark, &d);
    }
    if (rc < 0) {
        lw_store_rollback(s);
        goto fail;
    }
    rc = lw_store_commit(s, &d);
    if (rc < 0)
        goto fail;
done:
    *out = s;
    return LW_OK;
fail:
    lw_cli_diag(&d);
    lw_store_close(s);
    return rc;
}
