/* test_zipdl.c -- libzip is loaded when the first ZIP is read, not before
 * (src/ingest/zipdl.h): screening other input never maps it, and a ZIP
 * read through the table works. This binary does not link libzip, so
 * dlopen(RTLD_NOLOAD) tells whether lurewatch's code loaded it. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ingest/profile.h"
#include "ingest/reader.h"
#include "ingest/zipdl.h"

static bool zip_loaded(void)
{
    void *h = dlopen("libzip.so.4", RTLD_LAZY | RTLD_NOLOAD);

    if (!h)
        return false;
    dlclose(h);
    return true;
}

static const char *testdata(const char *rel, char *buf, size_t n)
{
    const char *root = getenv("LW_TESTDATA");

    assert_non_null(root);
    snprintf(buf, n, "%s/%s", root, rel);
    return buf;
}

static void test_loaded_on_first_zip(void **state)
{
    struct lw_limits lim;
    struct lw_reader *r = NULL;
    struct lw_profile *p = NULL;
    struct lw_msg *m = NULL;
    struct lw_diag d;
    char path[1024];
    int n = 0, rc;

    (void)state;
    lw_limits_default(&lim);
    /* Reading a CSV export needs no libzip. */
    assert_int_equal(lw_reader_open(testdata("ingest/messages.csv", path, sizeof(path)),
                                    LW_FORMAT_AUTO, &lim, &r, &d),
                     LW_OK);
    while ((rc = lw_reader_next(r, &m, &d)) > 0) {
        lw_msg_free(m);
        n++;
    }
    assert_true(rc >= 0 && n > 0);
    lw_reader_free(r);
    assert_false(zip_loaded());

    /* The export ZIP loads it, and reads through it. */
    assert_int_equal(
        lw_profile_read(testdata("profiles/linkedin-export.zip", path, sizeof(path)), &lim, &p, &d),
        LW_OK);
    assert_non_null(p);
    lw_profile_free(p);
    assert_true(zip_loaded());
    assert_non_null(lw_zip(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loaded_on_first_zip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
