/* store.c -- the backend-neutral half of the store (store.h): picks the
 * backend, checks entries before they reach it, and nests transactions so
 * that a multi-row write is always exactly one backend transaction. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

struct lw_store {
    const struct lw_store_ops *ops;
    void *db;
    int version;
    unsigned depth; /* open lw_store_begin levels */
    bool doomed;    /* an inner level rolled back: the outer one must too */
};

int lw_store_open(const char *target, unsigned flags, struct lw_store **out, struct lw_diag *diag)
{
    struct lw_store *s = NULL;
    int rc;

    if (!target || !*target) {
        lw_diag_set(diag, "no store path given");
        return LW_EINVAL;
    }
    if (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11)) {
        lw_diag_at(diag, target, 0, 0);
        lw_diag_set(diag, "this build has no PostgreSQL store");
        return LW_EUNSUPPORTED;
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        return LW_ENOMEM;
    s->ops = &lw_store_sqlite_ops;
    rc = s->ops->open(target, flags, &s->db, &s->version, diag);
    if (rc < 0) {
        free(s);
        return rc;
    }
    *out = s;
    return LW_OK;
}

void lw_store_close(struct lw_store *s)
{
    if (!s)
        return;
    if (s->depth)
        s->ops->rollback(s->db);
    s->ops->close(s->db);
    free(s);
}

const char *lw_store_backend(const struct lw_store *s)
{
    return s->ops->name;
}

int lw_store_schema_version(const struct lw_store *s)
{
    return s->version;
}

int lw_store_begin(struct lw_store *s, struct lw_diag *diag)
{
    int rc;

    if (s->depth == 0) {
        rc = s->ops->begin(s->db, diag);
        if (rc < 0)
            return rc;
        s->doomed = false;
    }
    s->depth++;
    return LW_OK;
}

int lw_store_commit(struct lw_store *s, struct lw_diag *diag)
{
    if (s->depth == 0) {
        lw_diag_set(diag, "commit without a transaction");
        return LW_EINVAL;
    }
    if (--s->depth > 0)
        return LW_OK;
    if (s->doomed) {
        s->ops->rollback(s->db);
        s->doomed = false;
        lw_diag_set(diag, "transaction rolled back: a part of it failed");
        return LW_EDB;
    }
    return s->ops->commit(s->db, diag);
}

void lw_store_rollback(struct lw_store *s)
{
    if (s->depth == 0)
        return;
    if (--s->depth > 0) {
        s->doomed = true;
        return;
    }
    s->ops->rollback(s->db);
    s->doomed = false;
}

/* Check and insert one entry inside the current transaction. */
static int add_one(struct lw_store *s, const struct lw_entry *e, bool skip_dup, long long *id,
                   struct lw_diag *diag)
{
    int rc = lw_entry_check(e, diag);

    if (rc < 0)
        return rc;
    return s->ops->entry_add(s->db, e, skip_dup, id, diag);
}

int lw_store_add_entry(struct lw_store *s, const struct lw_entry *e, long long *id,
                       struct lw_diag *diag)
{
    long long rowid = 0;
    int rc;

    rc = lw_store_begin(s, diag);
    if (rc < 0)
        return rc;
    rc = add_one(s, e, false, &rowid, diag);
    if (rc < 0) {
        lw_store_rollback(s);
        return rc;
    }
    rc = lw_store_commit(s, diag);
    if (rc == LW_OK && id)
        *id = rowid;
    return rc;
}

int lw_store_add_entries(struct lw_store *s, const struct lw_entry *e, size_t n, unsigned flags,
                         struct lw_store_add_stats *stats, struct lw_diag *diag)
{
    struct lw_store_add_stats st = {0, 0};
    char msg[sizeof(diag->msg)];
    size_t i;
    int rc;

    rc = lw_store_begin(s, diag);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        rc = add_one(s, &e[i], flags & LW_STORE_SKIP_DUPLICATES, NULL, diag);
        if (rc < 0) {
            if (diag) {
                memcpy(msg, diag->msg, sizeof(msg));
                lw_diag_set(diag, "entry %zu (%s '%.60s'): %s", i + 1,
                            lw_entry_type_name(e[i].type), e[i].value ? e[i].value : "", msg);
            }
            lw_store_rollback(s);
            return rc;
        }
        if (rc == 1)
            st.skipped++;
        else
            st.added++;
    }
    rc = lw_store_commit(s, diag);
    if (rc == LW_OK && stats)
        *stats = st;
    return rc;
}

int lw_store_list(struct lw_store *s, const struct lw_store_query *q, struct lw_entry_list *out,
                  struct lw_diag *diag)
{
    static const struct lw_store_query all = {0, NULL};

    return s->ops->entry_list(s->db, q ? q : &all, out, diag);
}

int lw_store_load_active(struct lw_store *s, struct lw_entry_list *out, struct lw_diag *diag)
{
    char today[16];
    struct lw_store_query q = {0, today};

    lw_entry_today(today, sizeof(today));
    return s->ops->entry_list(s->db, &q, out, diag);
}

int lw_store_remove(struct lw_store *s, long long id, struct lw_diag *diag)
{
    return s->ops->entry_remove(s->db, id, diag);
}

int lw_store_meta_get(struct lw_store *s, const char *key, char *buf, size_t size,
                      struct lw_diag *diag)
{
    return s->ops->meta_get(s->db, key, buf, size, diag);
}

int lw_store_meta_set(struct lw_store *s, const char *key, const char *value, struct lw_diag *diag)
{
    return s->ops->meta_set(s->db, key, value, diag);
}
