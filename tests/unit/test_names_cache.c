/* test_names_cache.c -- loading the names table opens no ICU
 * transliterator once its Han readings are cached: readings are remembered
 * across runs, and Latin letters with no decomposition fold from a table
 * that agrees with ICU's Latin-ASCII. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "text/names_int.h"

static struct lw_names *load(const char *cache)
{
    char path[4096];
    const char *src = getenv("LW_SRC");
    struct lw_names *n = NULL;
    struct lw_diag d;

    snprintf(path, sizeof(path), "%s/data/surnames.tsv", src ? src : ".");
    assert_int_equal(lw_names_load_cached(path, cache, &n, &d), LW_OK);
    return n;
}

static void read_han(struct lw_names *n, const char *s, char *hans, char *reading)
{
    UChar u[64];
    int32_t ul = 0;

    assert_int_equal(lw_names_u16(s, strlen(s), u, 64, &ul), LW_OK);
    assert_int_equal(lw_names_han(n, u, ul, hans, 100, reading, 300), LW_OK);
}

static void test_readings_survive_a_restart(void **state)
{
    char dir[] = "/tmp/lw-names-cache-XXXXXX", file[4096];
    char hans1[100], rd1[300], hans2[100], rd2[300];
    struct lw_names *n;

    (void)state;
    assert_non_null(mkdtemp(dir));
    n = load(dir); /* an empty cache: the surname table's hanzi open ICU */
    assert_non_null(n->lazy->han_latin);
    read_han(n, "鄧小明", hans1, rd1);
    assert_non_null(n->lazy->han_latin);  /* a miss opens ICU */
    assert_string_equal(hans1, "邓小明"); /* traditional read as simplified */
    assert_string_equal(rd1, "deng xiao ming");
    lw_names_cache_save(n);
    lw_names_free(n);

    n = load(dir);
    assert_null(n->lazy->han_latin); /* the table's readings came from the cache */
    assert_null(n->lazy->any_ascii); /* Đường, Kʻo: folded by the table */
    assert_null(n->lazy->simplify);
    read_han(n, "鄧小明", hans2, rd2);
    assert_null(n->lazy->han_latin); /* and so did this one */
    assert_string_equal(hans1, hans2);
    assert_string_equal(rd1, rd2);
    lw_names_free(n);

    snprintf(file, sizeof(file), "%s/han-readings-icu%s.tsv", dir, U_ICU_VERSION);
    assert_int_equal(unlink(file), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* Every letter lw_names_latin_ascii knows comes out as ICU writes it. */
/* More readings than the first allocation holds (256) all come back, in
 * this run and from the cache file in the next, and the table stops taking
 * new ones when three quarters of its index is used. */
static void test_many_readings(void **state)
{
    char dir[] = "/tmp/lw-names-cache-XXXXXX", file[4096], s[16];
    char hans[100], rd[300], want[300];
    struct lw_names *n;
    unsigned i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    n = load(dir);
    for (i = 0; i < 700; i++) {
        UChar u[2] = {(UChar)(0x4E00 + i), (UChar)(0x5E00 + i)};
        UErrorCode err = U_ZERO_ERROR;

        u_strToUTF8(s, (int32_t)sizeof(s), NULL, u, 2, &err);
        assert_true(U_SUCCESS(err));
        read_han(n, s, hans, rd);
    }
    assert_true(n->lazy->used >= 700);
    lw_names_cache_save(n);
    lw_names_free(n);

    n = load(dir);
    for (i = 0; i < 700; i++) {
        UChar u[2] = {(UChar)(0x4E00 + i), (UChar)(0x5E00 + i)};
        UErrorCode err = U_ZERO_ERROR;

        u_strToUTF8(s, (int32_t)sizeof(s), NULL, u, 2, &err);
        read_han(n, s, hans, rd);
        assert_true(strlen(rd) > 0);
        snprintf(want, sizeof(want), "%s", rd);
        read_han(n, s, hans, rd); /* the same answer twice */
        assert_string_equal(rd, want);
    }
    assert_null(n->lazy->han_latin); /* every one came from the cache */
    /* The index stops at three quarters full; the rest are worked out anew. */
    for (i = 0; i < LW_NAMES_CACHE_SLOTS; i++) {
        UChar u[2] = {(UChar)(0x6000 + i % 4000), (UChar)(0x7000 + i / 4000)};
        UErrorCode err = U_ZERO_ERROR;

        u_strToUTF8(s, (int32_t)sizeof(s), NULL, u, 2, &err);
        read_han(n, s, hans, rd);
    }
    assert_true(n->lazy->used * 4 <= LW_NAMES_CACHE_SLOTS * 3);
    lw_names_free(n);

    snprintf(file, sizeof(file), "%s/han-readings-icu%s.tsv", dir, U_ICU_VERSION);
    assert_int_equal(unlink(file), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_latin_letters_agree_with_icu(void **state)
{
    UErrorCode err = U_ZERO_ERROR;
    UTransliterator *t;
    UChar id[16];
    UChar32 c;
    int known = 0;

    (void)state;
    u_uastrcpy(id, "Latin-ASCII");
    t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
    assert_true(U_SUCCESS(err));
    for (c = 0x80; c < 0x300; c++) {
        const char *mine = lw_names_latin_ascii(c);
        UChar u[16];
        int32_t len = 0, lim;
        UBool bad = false;
        char icu[32];

        if (!mine)
            continue;
        U16_APPEND(u, len, 16, c, bad);
        assert_false(bad);
        lim = len;
        utrans_transUChars(t, u, &len, 16, 0, &lim, &err);
        assert_true(U_SUCCESS(err));
        u_austrncpy(icu, u, sizeof(icu) - 1);
        icu[len < (int32_t)sizeof(icu) ? len : (int32_t)sizeof(icu) - 1] = '\0';
        if (strcmp(mine, icu) != 0)
            fail_msg("U+%04X: the table says '%s', ICU '%s'", (unsigned)c, mine, icu);
        known++;
    }
    assert_true(known >= 10);
    utrans_close(t);
}

static void test_fold_without_icu(void **state)
{
    struct lw_names *n = load(NULL);
    char out[64];

    (void)state;
    lw_names_fold_utf8(n, "Đường", out, sizeof(out));
    assert_string_equal(out, "duong");
    lw_names_fold_utf8(n, "Søren Łukasz Kʻo", out, sizeof(out));
    assert_string_equal(out, "sorenlukaszko");
    lw_names_fold_utf8(n, "Иван", out, sizeof(out)); /* another script: ICU */
    assert_string_equal(out, "ivan");
    lw_names_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readings_survive_a_restart),
        cmocka_unit_test(test_many_readings),
        cmocka_unit_test(test_latin_letters_agree_with_icu),
        cmocka_unit_test(test_fold_without_icu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
