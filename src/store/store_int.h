/* store_int.h -- the backend ops table behind store.h (SQLite's VFS model).
 * For backends only: store.c dispatches every call through it and owns
 * the transaction nesting, so a backend only ever sees one level. */
#ifndef LW_STORE_INT_H
#define LW_STORE_INT_H

#include "store/store.h"

struct lw_store_ops {
    const char *name;
    /* Open (and migrate) the store; *db is the backend's connection. */
    int (*open)(const char *target, unsigned flags, void **db, int *schema_version,
                struct lw_diag *diag);
    void (*close)(void *db);
    int (*begin)(void *db, struct lw_diag *diag); /* a write transaction */
    int (*commit)(void *db, struct lw_diag *diag);
    void (*rollback)(void *db);
    /* Insert one checked entry inside the current transaction. Returns
     * LW_OK, 1 when it is a duplicate and skip_dup is set (nothing
     * written), or a negative error (a duplicate without skip_dup is
     * LW_EDB naming the stored id). */
    int (*entry_add)(void *db, const struct lw_entry *e, bool skip_dup, long long *id,
                     struct lw_diag *diag);
    int (*entry_list)(void *db, const struct lw_store_query *q, struct lw_entry_list *out,
                      struct lw_diag *diag);
    int (*entry_remove)(void *db, long long id, struct lw_diag *diag);
    int (*meta_get)(void *db, const char *key, char *buf, size_t size, struct lw_diag *diag);
    int (*meta_set)(void *db, const char *key, const char *value, struct lw_diag *diag);
};

extern const struct lw_store_ops lw_store_sqlite_ops;

#endif
