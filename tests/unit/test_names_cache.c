/* test_names_cache.c -- Han readings are remembered across runs, so a
 * cached reading needs no ICU transliterator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    read_han(n, "鄧小明", hans2, rd2);
    assert_null(n->lazy->han_latin); /* and so did this one */
    assert_string_equal(hans1, hans2);
    assert_string_equal(rd1, rd2);
    lw_names_free(n);

    snprintf(file, sizeof(file), "%s/han-readings-icu%s.tsv", dir, U_ICU_VERSION);
    assert_int_equal(unlink(file), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readings_survive_a_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
