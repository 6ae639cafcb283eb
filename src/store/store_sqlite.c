/* store_sqlite.c -- the SQLite backend of the store (store_int.h): one
 * database file in WAL mode, migrated on open (migrate.h, the version in
 * PRAGMA user_version), with the hot statements prepared once. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrate.h"
#include "store/store_int.h"

enum stmt_id { ST_INSERT, ST_INSERT_ALIAS, ST_INSERT_LINK, ST_FIND, ST_COUNT_ };

static const char *const stmt_sql[ST_COUNT_] = {
    [ST_INSERT] = ("INSERT INTO watch_entry (type, value, hanzi, platform, source, source_url, "
                   "date, confidence, note, expires, created) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                   "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) ON CONFLICT DO NOTHING"),
    [ST_INSERT_ALIAS] = "INSERT INTO watch_alias (entry_id, pos, alias) VALUES (?1, ?2, ?3)",
    [ST_INSERT_LINK] = "INSERT INTO watch_link (entry_id, pos, target) VALUES (?1, ?2, ?3)",
    [ST_FIND] = ("SELECT id FROM watch_entry WHERE type = ?1 AND value = ?2 COLLATE NOCASE "
                 "AND source = ?3"),
};

struct sq {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT_];
    const char *path;
};

static int db_error(struct sq *q, const char *what, struct lw_diag *diag)
{
    lw_diag_at(diag, q->path, 0, 0);
    lw_diag_set(diag, "%s: %s", what, sqlite3_errmsg(q->db));
    return LW_EDB;
}

static int exec(struct sq *q, const char *sql, struct lw_diag *diag)
{
    char *err = NULL;

    if (sqlite3_exec(q->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        lw_diag_at(diag, q->path, 0, 0);
        lw_diag_set(diag, "%s", err ? err : sqlite3_errmsg(q->db));
        sqlite3_free(err);
        return LW_EDB;
    }
    return LW_OK;
}

static int user_version(struct sq *q, int *out, struct lw_diag *diag)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return db_error(q, "cannot read the schema version", diag);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_error(q, "cannot read the schema version", diag);
    return LW_OK;
}

/* Apply the steps above the current version, one transaction each. The
 * version is read again inside the transaction, so two processes opening a
 * new store at once migrate it once. */
static int migrate(struct sq *q, bool readonly, int *version, struct lw_diag *diag)
{
    const struct lw_migration *m;
    size_t n, i;
    char sql[64];
    int v = 0, rc;

    m = lw_migrate_steps(LW_MIGRATE_SQLITE, &n);
    rc = user_version(q, &v, diag);
    if (rc < 0)
        return rc;
    if (v > lw_migrate_latest(LW_MIGRATE_SQLITE)) {
        lw_diag_at(diag, q->path, 0, 0);
        lw_diag_set(diag, "store schema version %d is newer than this lurewatch knows (%d)", v,
                    lw_migrate_latest(LW_MIGRATE_SQLITE));
        return LW_EDB;
    }
    if (v < lw_migrate_latest(LW_MIGRATE_SQLITE) && readonly) {
        lw_diag_at(diag, q->path, 0, 0);
        lw_diag_set(diag,
                    "store is at schema version %d and needs migrating; open it for "
                    "writing once",
                    v);
        return LW_EDB;
    }
    for (i = 0; i < n; i++) {
        if (m[i].version <= v)
            continue;
        rc = exec(q, "BEGIN IMMEDIATE", diag);
        if (rc < 0)
            return rc;
        rc = user_version(q, &v, diag);
        if (rc == LW_OK && m[i].version > v) {
            snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m[i].version);
            rc = exec(q, m[i].sql, diag);
            if (rc == LW_OK)
                rc = exec(q, sql, diag);
        }
        if (rc < 0) {
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
            lw_diag_set(diag, "migration %d (%s) failed", m[i].version, m[i].name);
            return rc;
        }
        rc = exec(q, "COMMIT", diag);
        if (rc < 0)
            return rc;
        v = LW_MAX(v, m[i].version);
    }
    *version = v;
    return LW_OK;
}

static void sq_close(void *db)
{
    struct sq *q = db;
    size_t i;

    if (!q)
        return;
    for (i = 0; i < ST_COUNT_; i++)
        sqlite3_finalize(q->st[i]);
    sqlite3_close(q->db);
    free((void *)q->path);
    free(q);
}

static int sq_open(const char *target, unsigned flags, void **db, int *version,
                   struct lw_diag *diag)
{
    bool ro = flags & LW_STORE_READONLY;
    struct sq *q = calloc(1, sizeof(*q));
    size_t i;
    int rc;

    if (!q || !(q->path = strdup(target))) {
        free(q);
        return LW_ENOMEM;
    }
    if (sqlite3_open_v2(target, &q->db,
                        ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        rc = q->db ? db_error(q, "cannot open the store", diag) : LW_ENOMEM;
        goto out;
    }
    sqlite3_busy_timeout(q->db, 5000);
    sqlite3_extended_result_codes(q->db, 1);
    /* The first statement reads the header: a file that is not SQLite fails here. */
    rc = exec(q, "PRAGMA foreign_keys = ON", diag);
    if (rc == LW_OK && !ro)
        rc = exec(q, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", diag);
    if (rc < 0) {
        lw_diag_set(diag, "not a lurewatch store (%s)", sqlite3_errmsg(q->db));
        goto out;
    }
    rc = migrate(q, ro, version, diag);
    if (rc < 0)
        goto out;
    for (i = 0; i < ST_COUNT_ && !ro; i++) {
        if (sqlite3_prepare_v3(q->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
                               NULL) != SQLITE_OK) {
            rc = db_error(q, "not a lurewatch store", diag);
            goto out;
        }
    }
    *db = q;
    q = NULL;
    rc = LW_OK;
out:
    sq_close(q);
    return rc;
}

static int sq_begin(void *db, struct lw_diag *diag)
{
    return exec(db, "BEGIN IMMEDIATE", diag);
}

static int sq_commit(void *db, struct lw_diag *diag)
{
    struct sq *q = db;
    int rc = exec(q, "COMMIT", diag);

    if (rc < 0)
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void sq_rollback(void *db)
{
    struct sq *q = db;

    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Run a bound statement that returns no rows, then reset it. */
static int run(struct sq *q, sqlite3_stmt *st, const char *what, struct lw_diag *diag)
{
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE) {
        rc = db_error(q, what, diag);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return rc;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return LW_OK;
}

static int insert_list(struct sq *q, enum stmt_id sid, long long id, const char **v, size_t n,
                       struct lw_diag *diag)
{
    sqlite3_stmt *st = q->st[sid];
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, v[i], -1, SQLITE_STATIC);
        rc = run(q, st, sid == ST_INSERT_ALIAS ? "cannot store an alias" : "cannot store a link",
                 diag);
        if (rc < 0)
            return rc;
    }
    return LW_OK;
}

static long long find_id(struct sq *q, const struct lw_entry *e)
{
    sqlite3_stmt *st = q->st[ST_FIND];
    long long id = 0;

    sqlite3_bind_text(st, 1, lw_entry_type_name(e->type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->source, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return id;
}

static int sq_entry_add(void *db, const struct lw_entry *e, bool skip_dup, long long *id,
                        struct lw_diag *diag)
{
    struct sq *q = db;
    sqlite3_stmt *st = q->st[ST_INSERT];
    long long rowid;
    int rc;

    if (!st) {
        lw_diag_set(diag, "the store is open read-only");
        return LW_EINVAL;
    }
    sqlite3_bind_text(st, 1, lw_entry_type_name(e->type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->value, -1, SQLITE_STATIC);
    bind_text(st, 3, e->hanzi);
    bind_text(st, 4, e->platform);
    sqlite3_bind_text(st, 5, e->source, -1, SQLITE_STATIC);
    bind_text(st, 6, e->source_url);
    sqlite3_bind_text(st, 7, e->date, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, e->confidence);
    bind_text(st, 9, e->note);
    bind_text(st, 10, e->expires);
    rc = run(q, st, "cannot store the entry", diag);
    if (rc < 0)
        return rc;
    if (sqlite3_changes(q->db) == 0) {
        if (skip_dup)
            return 1;
        lw_diag_set(diag, "already in the watchlist as #%lld", find_id(q, e));
        return LW_EDB;
    }
    rowid = sqlite3_last_insert_rowid(q->db);
    rc = insert_list(q, ST_INSERT_ALIAS, rowid, e->aliases, e->n_aliases, diag);
    if (rc == LW_OK)
        rc = insert_list(q, ST_INSERT_LINK, rowid, e->related, e->n_related, diag);
    if (rc == LW_OK && id)
        *id = rowid;
    return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* The WHERE clause shared by the entry query and the alias/link queries;
 * ?1 is the type (or NULL), ?2 the day entries must still be valid on (or
 * NULL). An entry is valid through the period its `expires` names. */
#define ENTRY_FILTER                                                                               \
    " WHERE (?1 IS NULL OR e.type = ?1) AND (?2 IS NULL OR e.expires IS NULL OR "                  \
    "substr(?2, 1, min(length(e.expires), 10)) <= substr(e.expires, 1, 10))"

static void bind_query(sqlite3_stmt *st, const struct lw_store_query *qy)
{
    if (qy->type)
        sqlite3_bind_text(st, 1, lw_entry_type_name(qy->type), -1, SQLITE_STATIC);
    bind_text(st, 2, qy->valid_on);
}

/* Attach aliases (or links) to the entries first..l->n of the list: the
 * query returns (entry_id, text) ordered by entry_id, pos, and the list is
 * in id order too, so one merge walk does it. */
static int attach(struct sq *q, const char *sql, const struct lw_store_query *qy,
                  struct lw_entry_list *l, size_t first, bool links, struct lw_diag *diag)
{
    sqlite3_stmt *st = NULL;
    const char **tmp = NULL, **v;
    size_t ntmp = 0, cap = 0, j = first, k;
    long long cur = -1;
    int rc = LW_OK, step;

    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(q, "cannot read the watchlist", diag);
    bind_query(st, qy);
    for (;;) {
        step = sqlite3_step(st);
        long long id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;

        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            rc = db_error(q, "cannot read the watchlist", diag);
            goto out;
        }
        if (id != cur && ntmp) {
            /* Flush the group of `cur`. */
            while (j < l->n && l->v[j].id < cur)
                j++;
            if (j < l->n && l->v[j].id == cur) {
                v = lw_arena_calloc(l->arena, ntmp, sizeof(*v));
                if (!v) {
                    rc = LW_ENOMEM;
                    goto out;
                }
                memcpy(v, tmp, ntmp * sizeof(*v));
                if (links) {
                    l->v[j].related = v;
                    l->v[j].n_related = ntmp;
                } else {
                    l->v[j].aliases = v;
                    l->v[j].n_aliases = ntmp;
                }
            }
            ntmp = 0;
        }
        if (step == SQLITE_DONE)
            break;
        cur = id;
        if (ntmp == cap) {
            const char **nt;

            cap = cap ? cap * 2 : 8;
            nt = realloc(tmp, cap * sizeof(*nt));
            if (!nt) {
                rc = LW_ENOMEM;
                goto out;
            }
            tmp = nt;
        }
        k = ntmp++;
        if (!(tmp[k] = lw_entry_list_strdup(l, col(st, 1) ? col(st, 1) : ""))) {
            rc = LW_ENOMEM;
            goto out;
        }
    }
out:
    free(tmp);
    sqlite3_finalize(st);
    return rc;
}

static int sq_entry_list(void *db, const struct lw_store_query *qy, struct lw_entry_list *out,
                         struct lw_diag *diag)
{
    static const char entry_sql[] =
        "SELECT e.id, e.type, e.value, e.hanzi, e.platform, e.source, e.source_url, e.date, "
        "e.confidence, e.note, e.expires, e.created FROM watch_entry e" ENTRY_FILTER
        " ORDER BY e.id";
    static const char count_sql[] = "SELECT count(*) FROM watch_entry e" ENTRY_FILTER;
    static const char alias_sql[] =
        "SELECT a.entry_id, a.alias FROM watch_alias a JOIN watch_entry e ON e.id = "
        "a.entry_id" ENTRY_FILTER " ORDER BY a.entry_id, a.pos";
    static const char link_sql[] =
        "SELECT a.entry_id, a.target FROM watch_link a JOIN watch_entry e ON e.id = "
        "a.entry_id" ENTRY_FILTER " ORDER BY a.entry_id, a.pos";
    struct sq *q = db;
    sqlite3_stmt *st = NULL;
    size_t first = out->n;
    int rc = LW_OK, step;

    /* One allocation for the entries, however many there are. */
    if (sqlite3_prepare_v2(q->db, count_sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(q, "cannot read the watchlist", diag);
    bind_query(st, qy);
    if (sqlite3_step(st) == SQLITE_ROW) {
        rc = lw_entry_list_reserve(out, (size_t)sqlite3_column_int64(st, 0));
        if (rc < 0)
            goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(q->db, entry_sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(q, "cannot read the watchlist", diag);
    bind_query(st, qy);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct lw_entry e = {0};

        e.id = sqlite3_column_int64(st, 0);
        if (lw_entry_type_parse(col(st, 1), &e.type) < 0) {
            lw_diag_at(diag, q->path, 0, 0);
            lw_diag_set(diag, "entry #%lld has an unknown type", e.id);
            rc = LW_EDB;
            goto out;
        }
        e.value = col(st, 2);
        e.hanzi = col(st, 3);
        e.platform = col(st, 4);
        e.source = col(st, 5);
        e.source_url = col(st, 6);
        e.date = col(st, 7);
        e.confidence = sqlite3_column_int(st, 8);
        e.note = col(st, 9);
        e.expires = col(st, 10);
        e.created = col(st, 11);
        rc = lw_entry_list_add(out, &e);
        if (rc < 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = db_error(q, "cannot read the watchlist", diag);
        goto out;
    }
    if (out->n > first) {
        rc = attach(q, alias_sql, qy, out, first, false, diag);
        if (rc == LW_OK)
            rc = attach(q, link_sql, qy, out, first, true, diag);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static int sq_entry_remove(void *db, long long id, struct lw_diag *diag)
{
    struct sq *q = db;
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(q->db, "DELETE FROM watch_entry WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_error(q, "cannot remove the entry", diag);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_DONE ? LW_OK : db_error(q, "cannot remove the entry", diag);
    sqlite3_finalize(st);
    if (rc == LW_OK && sqlite3_changes(q->db) == 0) {
        lw_diag_set(diag, "no watchlist entry #%lld", id);
        rc = LW_ENOTFOUND;
    }
    return rc;
}

static int sq_meta_get(void *db, const char *key, char *buf, size_t size, struct lw_diag *diag)
{
    struct sq *q = db;
    sqlite3_stmt *st = NULL;
    int rc, step;

    if (sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_error(q, "cannot read store metadata", diag);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        if (size)
            snprintf(buf, size, "%s", col(st, 0) ? col(st, 0) : "");
        rc = LW_OK;
    } else if (step == SQLITE_DONE) {
        rc = LW_ENOTFOUND;
    } else {
        rc = db_error(q, "cannot read store metadata", diag);
    }
    sqlite3_finalize(st);
    return rc;
}

static int sq_meta_set(void *db, const char *key, const char *value, struct lw_diag *diag)
{
    struct sq *q = db;
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(q, "cannot write store metadata", diag);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? LW_OK : db_error(q, "cannot write store metadata", diag);
    sqlite3_finalize(st);
    return rc;
}

const struct lw_store_ops lw_store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .entry_add = sq_entry_add,
    .entry_list = sq_entry_list,
    .entry_remove = sq_entry_remove,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
};
