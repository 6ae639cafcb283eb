/* test_store.c -- unit tests for the store (src/store/store.h) on its
 * SQLite backend: migration and schema version, WAL, adding, listing,
 * filtering and removing entries, duplicates, all-or-nothing multi-row
 * writes (a failure half-way leaves the store as it was), nested
 * transactions, metadata, read-only use, and refusing files that are not
 * stores or come from a newer lurewatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/migrate.h"
#include "store/store.h"

static char dir[256];
static char path[300];

static int setup(void **state)
{
    const char *tmp = getenv("TMPDIR");

    (void)state;
    snprintf(dir, sizeof(dir), "%s/lw-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/w.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char p[400];

    (void)state;
    snprintf(p, sizeof(p), "rm -rf '%s'", dir);
    return system(p) == 0 ? 0 : -1;
}

/* Each test starts from no store at all. */
static int fresh(void **state)
{
    char p[400];

    (void)state;
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    return 0;
}

static struct lw_entry entry(enum lw_entry_type t, const char *value)
{
    struct lw_entry e;

    memset(&e, 0, sizeof(e));
    e.type = t;
    e.value = value;
    e.source = "MI5";
    e.date = "2025-11";
    e.confidence = 90;
    return e;
}

static struct lw_store *open_store(void)
{
    struct lw_store *s = NULL;
    struct lw_diag d;

    lw_diag_clear(&d);
    if (lw_store_open(path, 0, &s, &d) != LW_OK)
        fail_msg("open: %s", d.msg);
    return s;
}

static size_t count(struct lw_store *s)
{
    struct lw_entry_list l;
    size_t n;

    lw_entry_list_init(&l);
    assert_int_equal(lw_store_list(s, NULL, &l, NULL), LW_OK);
    n = l.n;
    lw_entry_list_release(&l);
    return n;
}

static void test_open_migrates(void **state)
{
    struct lw_store *s = open_store();
    struct stat st;
    char wal[320];

    (void)state;
    assert_string_equal(lw_store_backend(s), "sqlite");
    assert_int_equal(lw_store_schema_version(s), lw_migrate_latest(LW_MIGRATE_SQLITE));
    assert_true(lw_store_schema_version(s) >= 1);
    assert_int_equal(count(s), 0);
    lw_store_close(s);
    /* reopening does not migrate again, and the journal is WAL */
    s = open_store();
    assert_int_equal(lw_store_schema_version(s), lw_migrate_latest(LW_MIGRATE_SQLITE));
    assert_int_equal(lw_store_add_entry(s,
                                        &(struct lw_entry){.type = LW_ENTRY_DOMAIN,
                                                           .value = "br-yr.com",
                                                           .source = "MI5",
                                                           .date = "2025-11"},
                                        NULL, NULL),
                     LW_OK);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    assert_int_equal(stat(wal, &st), 0);
    lw_store_close(s);
}

static void test_add_list_roundtrip(void **state)
{
    struct lw_store *s = open_store();
    const char *aliases[] = {"Amanda Chiu", "Amanda Khoo"};
    const char *related[] = {"BR-YR Executive Search"};
    struct lw_entry e = entry(LW_ENTRY_PERSONA, "Amanda Qiu");
    struct lw_entry_list l;
    struct lw_diag d;
    long long id = 0, id2 = 0;

    (void)state;
    e.aliases = aliases;
    e.n_aliases = 2;
    e.related = related;
    e.n_related = 1;
    e.hanzi = "邱曼达";
    e.note = "a persona, not a real person";
    e.source_url = "https://example.invalid/alert";
    assert_int_equal(lw_store_add_entry(s, &e, &id, &d), LW_OK);
    assert_true(id > 0);
    e = entry(LW_ENTRY_ORG, "BR-YR Executive Search");
    assert_int_equal(lw_store_add_entry(s, &e, &id2, &d), LW_OK);
    assert_true(id2 > id);
    lw_entry_list_init(&l);
    assert_int_equal(lw_store_list(s, NULL, &l, &d), LW_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[0].id, id);
    assert_int_equal(l.v[0].type, LW_ENTRY_PERSONA);
    assert_string_equal(l.v[0].value, "Amanda Qiu");
    assert_int_equal(l.v[0].n_aliases, 2);
    assert_string_equal(l.v[0].aliases[0], "Amanda Chiu");
    assert_string_equal(l.v[0].aliases[1], "Amanda Khoo");
    assert_int_equal(l.v[0].n_related, 1);
    assert_string_equal(l.v[0].related[0], "BR-YR Executive Search");
    assert_string_equal(l.v[0].hanzi, "邱曼达");
    assert_string_equal(l.v[0].source_url, "https://example.invalid/alert");
    assert_int_equal(l.v[0].confidence, 90);
    assert_non_null(l.v[0].created);
    assert_true(lw_entry_date_valid(l.v[0].created));
    assert_null(l.v[1].hanzi);
    assert_int_equal(l.v[1].n_aliases, 0);
    lw_entry_list_release(&l);
    /* filter by type */
    lw_entry_list_init(&l);
    assert_int_equal(lw_store_list(s, &(struct lw_store_query){LW_ENTRY_ORG, NULL}, &l, &d), LW_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].value, "BR-YR Executive Search");
    lw_entry_list_release(&l);
    lw_store_close(s);
}

static void test_duplicates(void **state)
{
    struct lw_store *s = open_store();
    struct lw_entry e[3] = {entry(LW_ENTRY_DOMAIN, "br-yr.com"),
                            entry(LW_ENTRY_DOMAIN, "BR-YR.COM"), /* same, other case */
                            entry(LW_ENTRY_DOMAIN, "internshipunion.example")};
    struct lw_store_add_stats st;
    struct lw_diag d;

    (void)state;
    assert_int_equal(lw_store_add_entry(s, &e[0], NULL, &d), LW_OK);
    assert_int_equal(lw_store_add_entry(s, &e[1], NULL, &d), LW_EDB);
    assert_non_null(strstr(d.msg, "already in the watchlist as #1"));
    assert_int_equal(lw_store_add_entries(s, e, 3, LW_STORE_SKIP_DUPLICATES, &st, &d), LW_OK);
    assert_int_equal(st.added, 1);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(count(s), 2);
    /* another source for the same value is another entry */
    e[0].source = "FBI";
    assert_int_equal(lw_store_add_entry(s, &e[0], NULL, &d), LW_OK);
    assert_int_equal(count(s), 3);
    lw_store_close(s);
}

/* A batch that fails in the middle leaves the store exactly as it was. */
static void test_all_or_nothing(void **state)
{
    struct lw_store *s = open_store();
    struct lw_entry keep = entry(LW_ENTRY_PERSONA, "Shirly Shen");
    struct lw_entry batch[4] = {
        entry(LW_ENTRY_ORG, "Internship Union"), entry(LW_ENTRY_DOMAIN, "a.example"),
        entry(LW_ENTRY_EMAIL, "not an address"), entry(LW_ENTRY_DOMAIN, "b.example")};
    struct lw_entry_list l;
    struct lw_diag d;

    (void)state;
    assert_int_equal(lw_store_add_entry(s, &keep, NULL, &d), LW_OK);
    assert_int_equal(lw_store_add_entries(s, batch, 4, 0, NULL, &d), LW_EINVAL);
    assert_non_null(strstr(d.msg, "entry 3"));
    assert_int_equal(count(s), 1);
    /* a store-level failure (a duplicate) half-way rolls back too */
    batch[2] = entry(LW_ENTRY_PERSONA, "Shirly Shen");
    assert_int_equal(lw_store_add_entries(s, batch, 4, 0, NULL, &d), LW_EDB);
    assert_non_null(strstr(d.msg, "entry 3"));
    lw_entry_list_init(&l);
    assert_int_equal(lw_store_list(s, NULL, &l, &d), LW_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].value, "Shirly Shen");
    lw_entry_list_release(&l);
    lw_store_close(s);
    /* and after reopening */
    s = open_store();
    assert_int_equal(count(s), 1);
    lw_store_close(s);
}

static void test_nested_transactions(void **state)
{
    struct lw_store *s = open_store();
    struct lw_entry e = entry(LW_ENTRY_DOMAIN, "a.example");
    struct lw_diag d;
    char buf[32];

    (void)state;
    assert_int_equal(lw_store_begin(s, &d), LW_OK);
    assert_int_equal(lw_store_add_entry(s, &e, NULL, &d), LW_OK);
    assert_int_equal(lw_store_meta_set(s, "seeded", "public", &d), LW_OK);
    assert_int_equal(lw_store_begin(s, &d), LW_OK);
    lw_store_rollback(s); /* an inner failure dooms the whole */
    assert_int_equal(lw_store_commit(s, &d), LW_EDB);
    assert_int_equal(count(s), 0);
    assert_int_equal(lw_store_meta_get(s, "seeded", buf, sizeof(buf), &d), LW_ENOTFOUND);
    /* without a failure both are written together */
    assert_int_equal(lw_store_begin(s, &d), LW_OK);
    assert_int_equal(lw_store_add_entry(s, &e, NULL, &d), LW_OK);
    assert_int_equal(lw_store_meta_set(s, "seeded", "public", &d), LW_OK);
    assert_int_equal(lw_store_commit(s, &d), LW_OK);
    assert_int_equal(count(s), 1);
    assert_int_equal(lw_store_meta_get(s, "seeded", buf, sizeof(buf), &d), LW_OK);
    assert_string_equal(buf, "public");
    assert_int_equal(lw_store_meta_set(s, "seeded", "none", &d), LW_OK);
    assert_int_equal(lw_store_meta_get(s, "seeded", buf, sizeof(buf), &d), LW_OK);
    assert_string_equal(buf, "none");
    assert_int_equal(lw_store_commit(s, &d), LW_EINVAL); /* nothing open */
    lw_store_close(s);
}

static void test_expiry_and_remove(void **state)
{
    struct lw_store *s = open_store();
    const char *aliases[] = {"Alias One"};
    struct lw_entry e[3] = {entry(LW_ENTRY_PERSONA, "Expired Persona"),
                            entry(LW_ENTRY_PERSONA, "Current Persona"),
                            entry(LW_ENTRY_PERSONA, "Until Next Year")};
    struct lw_entry_list l;
    struct lw_diag d;
    char y[24], today[16];
    long t;

    (void)state;
    lw_entry_today(today, sizeof(today));
    assert_int_equal(lw_parse_long((char[]){today[0], today[1], today[2], today[3], 0}, &t), LW_OK);
    snprintf(y, sizeof(y), "%ld", t + 1);
    e[0].expires = "2020-01-01";
    e[1].aliases = aliases;
    e[1].n_aliases = 1;
    e[2].expires = y;
    assert_int_equal(lw_store_add_entries(s, e, 3, 0, NULL, &d), LW_OK);
    lw_entry_list_init(&l);
    assert_int_equal(lw_store_load_active(s, &l, &d), LW_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].value, "Current Persona");
    assert_string_equal(l.v[0].aliases[0], "Alias One");
    assert_string_equal(l.v[1].value, "Until Next Year");
    lw_entry_list_release(&l);
    lw_entry_list_init(&l);
    assert_int_equal(lw_store_list(s, &(struct lw_store_query){0, "2019-12-31"}, &l, &d), LW_OK);
    assert_int_equal(l.n, 3);
    lw_entry_list_release(&l);
    assert_int_equal(lw_store_remove(s, 2, &d), LW_OK);
    assert_int_equal(lw_store_remove(s, 2, &d), LW_ENOTFOUND);
    assert_non_null(strstr(d.msg, "#2"));
    assert_int_equal(count(s), 2);
    lw_store_close(s);
}

static void test_refuses_bad_files(void **state)
{
    struct lw_store *s = NULL;
    struct lw_diag d;
    sqlite3 *db;
    FILE *f;

    (void)state;
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("type,value\npersona,Amanda Qiu\n this is not a database ......................"
          "...............................................................................\n",
          f);
    fclose(f);
    assert_int_equal(lw_store_open(path, 0, &s, &d), LW_EDB);
    assert_null(s);
    assert_non_null(strstr(d.msg, "not a lurewatch store"));
    fresh(state);
    /* a store from a newer lurewatch */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(lw_store_open(path, 0, &s, &d), LW_EDB);
    assert_non_null(strstr(d.msg, "newer"));
    fresh(state);
    assert_int_equal(lw_store_open("postgresql://localhost/lw", 0, &s, &d), LW_EUNSUPPORTED);
    assert_int_equal(lw_store_open("", 0, &s, &d), LW_EINVAL);
}

static void test_readonly(void **state)
{
    struct lw_store *s = open_store(), *ro = NULL;
    struct lw_entry e = entry(LW_ENTRY_DOMAIN, "a.example");
    struct lw_diag d;

    (void)state;
    assert_int_equal(lw_store_add_entry(s, &e, NULL, &d), LW_OK);
    lw_store_close(s);
    assert_int_equal(lw_store_open(path, LW_STORE_READONLY, &ro, &d), LW_OK);
    assert_int_equal(count(ro), 1);
    e.value = "b.example";
    assert_true(lw_store_add_entry(ro, &e, NULL, &d) < 0);
    lw_store_close(ro);
    fresh(state);
    /* read-only does not create */
    assert_true(lw_store_open(path, LW_STORE_READONLY, &ro, &d) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_open_migrates, fresh),
        cmocka_unit_test_setup(test_add_list_roundtrip, fresh),
        cmocka_unit_test_setup(test_duplicates, fresh),
        cmocka_unit_test_setup(test_all_or_nothing, fresh),
        cmocka_unit_test_setup(test_nested_transactions, fresh),
        cmocka_unit_test_setup(test_expiry_and_remove, fresh),
        cmocka_unit_test_setup(test_refuses_bad_files, fresh),
        cmocka_unit_test_setup(test_readonly, fresh),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
