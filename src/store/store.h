/* store.h -- the one storage interface: watchlist entries and store
 * metadata, behind an ops table so that backends can be swapped (SQLite
 * now, the embedded default; PostgreSQL later). The store never holds
 * message bodies (docs/privacy.md).
 *
 * Guarantees, for every backend:
 *  - the schema is migrated on open (src/store/migrate.h) and a store made
 *    by a newer lurewatch is refused rather than damaged;
 *  - every multi-row write is one transaction: lw_store_add_entries either
 *    writes every entry or none, so an import that fails half-way leaves the
 *    store as it was, and nothing already in the watchlist is lost;
 *  - explicit transactions (lw_store_begin/commit/rollback) nest: inner
 *    ones join the outer one, and a rollback anywhere dooms the whole.
 *
 * A struct lw_store is one connection: use it from one thread at a time.
 * Entries it returns live in the caller's struct lw_entry_list. */
#ifndef LW_STORE_H
#define LW_STORE_H

#include "base/err.h"
#include "detect/watchlist.h"

enum lw_store_flags {
    LW_STORE_READONLY = 1 << 0, /* open an existing store for reading only */
};

enum lw_store_add_flags {
    /* An entry already stored (same type, value -- ignoring ASCII case -- and
     * source) is skipped and counted instead of failing the write. */
    LW_STORE_SKIP_DUPLICATES = 1 << 0,
};

struct lw_store_add_stats {
    size_t added;
    size_t skipped; /* duplicates, with LW_STORE_SKIP_DUPLICATES */
};

/* What lw_store_list returns. */
struct lw_store_query {
    enum lw_entry_type type; /* 0: every type */
    const char *valid_on;    /* "YYYY-MM-DD": leave out entries expired by then; NULL: all */
};

struct lw_store;

/* Open (creating it if needed, unless LW_STORE_READONLY) the store at
 * `target`: a file path for SQLite; "postgresql://..." would select the
 * PostgreSQL backend, which this build does not have (LW_EUNSUPPORTED).
 * The schema is migrated to the latest version. LW_EDB when the file is
 * not a store or was made by a newer lurewatch. */
LW_NODISCARD int lw_store_open(const char *target, unsigned flags, struct lw_store **out,
                               struct lw_diag *diag);
/* Close; an open transaction is rolled back. NULL is a no-op. */
void lw_store_close(struct lw_store *s);

/* The backend's name ("sqlite") and the schema version. */
const char *lw_store_backend(const struct lw_store *s);
int lw_store_schema_version(const struct lw_store *s);

LW_NODISCARD int lw_store_begin(struct lw_store *s, struct lw_diag *diag);
/* Commit the outermost transaction; LW_EDB (and a rollback) when an inner
 * part was rolled back. */
LW_NODISCARD int lw_store_commit(struct lw_store *s, struct lw_diag *diag);
void lw_store_rollback(struct lw_store *s);

/* Add one entry (checked with lw_entry_check); *id (may be NULL) gets its
 * row id. LW_EINVAL for a bad entry, LW_EDB with "already in the
 * watchlist as #N" for a duplicate. `created` is set by the store. */
LW_NODISCARD int lw_store_add_entry(struct lw_store *s, const struct lw_entry *e, long long *id,
                                    struct lw_diag *diag);
/* Add n entries in one transaction: all or nothing. On failure diag names
 * the entry by its 1-based position ("entry 12: ..."); stats (may be NULL)
 * are set on success. */
LW_NODISCARD int lw_store_add_entries(struct lw_store *s, const struct lw_entry *e, size_t n,
                                      unsigned flags, struct lw_store_add_stats *stats,
                                      struct lw_diag *diag);
/* Append the entries that match q (NULL: all) to out, in id order. */
LW_NODISCARD int lw_store_list(struct lw_store *s, const struct lw_store_query *q,
                               struct lw_entry_list *out, struct lw_diag *diag);
/* Every entry not expired today: what a watchlist is built from. */
LW_NODISCARD int lw_store_load_active(struct lw_store *s, struct lw_entry_list *out,
                                      struct lw_diag *diag);
/* Remove one entry; LW_ENOTFOUND when there is no such id. */
LW_NODISCARD int lw_store_remove(struct lw_store *s, long long id, struct lw_diag *diag);

/* Store metadata (small key/value strings). lw_store_meta_get copies the
 * value into buf and returns LW_OK, or LW_ENOTFOUND. */
LW_NODISCARD int lw_store_meta_get(struct lw_store *s, const char *key, char *buf, size_t size,
                                   struct lw_diag *diag);
LW_NODISCARD int lw_store_meta_set(struct lw_store *s, const char *key, const char *value,
                                   struct lw_diag *diag);

#endif
